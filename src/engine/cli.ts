// Finds or installs the Pulumi CLI: a CLI on PATH that satisfies `pulumi-version` is used as
// is; otherwise the exact version is taken from the runner's tool cache, or downloaded once
// into it.
import * as core from '@actions/core'
import * as tc from '@actions/tool-cache'
import { rename } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'
import type { PulumiCommand } from '@pulumi/pulumi/automation/index.js'
import { UserError } from '../errors.js'
import { PULUMI_SDK_VERSION } from '../versions.js'

export interface PulumiCli {
  command: PulumiCommand
  version: string
  source: 'path' | 'tool-cache' | 'download'
}

/** The exact version to install for a version or range: the bundled SDK's when it fits. */
export function versionToInstall(wanted: string): string {
  if (semver.valid(wanted)) return semver.clean(wanted)!
  if (semver.satisfies(PULUMI_SDK_VERSION, wanted)) return PULUMI_SDK_VERSION
  throw new UserError(
    `pulumi-version '${wanted}' is a range that no Pulumi CLI on PATH satisfies and that excludes the bundled SDK version ${PULUMI_SDK_VERSION}; give an exact version to install.`
  )
}

export function downloadUrl(version: string, platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'darwin' : 'linux'
  const cpu = arch === 'arm64' ? 'arm64' : 'x64'
  const ext = os === 'windows' ? 'zip' : 'tar.gz'
  return `https://get.pulumi.com/releases/sdk/pulumi-v${version}-${os}-${cpu}.${ext}`
}

/** Outside a runner (local runs) the tool cache needs a home of its own. */
function ensureToolCacheDirs(env: NodeJS.ProcessEnv): void {
  const base = join(homedir(), '.cache', 'event-store-env-action')
  env.RUNNER_TOOL_CACHE ??= join(base, 'tool-cache')
  env.RUNNER_TEMP ??= join(base, 'temp')
}

export async function ensurePulumiCli(wanted: string): Promise<PulumiCli> {
  const { PulumiCommand } = await import('@pulumi/pulumi/automation/index.js')
  try {
    const onPath = await PulumiCommand.get({ skipVersionCheck: true })
    const found = onPath.version?.version
    if (found && semver.satisfies(found, wanted)) {
      core.info(`Using the Pulumi CLI ${found} on PATH.`)
      return { command: onPath, version: found, source: 'path' }
    }
  } catch {
    // no usable CLI on PATH: fall through to the tool cache
  }
  const version = versionToInstall(wanted)
  ensureToolCacheDirs(process.env)
  let dir = tc.find('pulumi', version)
  let source: PulumiCli['source'] = 'tool-cache'
  if (!dir) {
    const url = downloadUrl(version)
    core.info(`Downloading the Pulumi CLI ${version}.`)
    const archive = await tc.downloadTool(url).catch((error: unknown) => {
      throw new UserError(
        `Could not download the Pulumi CLI ${version} (${error instanceof Error ? error.message : String(error)}). ` +
          'Put a Pulumi CLI that satisfies pulumi-version on PATH (e.g. with pulumi/actions or a cached install), or check the runner can reach get.pulumi.com.'
      )
    })
    const extracted = url.endsWith('.zip') ? await tc.extractZip(archive) : await tc.extractTar(archive)
    // The archive holds pulumi/<binaries>; the Automation API looks for <root>/bin/pulumi.
    await rename(join(extracted, 'pulumi'), join(extracted, 'bin'))
    dir = await tc.cacheDir(extracted, 'pulumi', version)
    source = 'download'
  }
  core.addPath(join(dir, 'bin'))
  const command = await PulumiCommand.get({ root: dir, version: new semver.SemVer(version) })
  return { command, version, source }
}
