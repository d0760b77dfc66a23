// Finds or installs what the Azure engine runs: the Pulumi CLI and the azure-native provider plugin.
// A CLI on PATH that satisfies `pulumi-version` is used as is; otherwise the exact version comes from
// the runner's tool cache, else from the Actions cache, else it is downloaded once and saved to both.
// The plugin lives in a Pulumi home of the action's own and is cached the same way (cache.ts).
import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import { rename } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'
import type { PulumiCommand } from '@pulumi/pulumi/automation/index.js'
import { UserError } from '../errors.js'
import { PULUMI_SDK_VERSION } from '../versions.js'
import { cliCacheKey, defaultStores, pluginCacheKey, restoreOrInstall, type Source, type Stores } from './cache.js'

export interface PulumiCli {
  command: PulumiCommand
  version: string
  source: 'path' | Source
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

/** Outside a runner (local runs) the tool cache and the temporary directory need a home of their own. */
function ensureRunnerDirs(env: NodeJS.ProcessEnv): void {
  const base = join(homedir(), '.cache', 'event-store-env-action')
  env.RUNNER_TOOL_CACHE ??= join(base, 'tool-cache')
  env.RUNNER_TEMP ??= join(base, 'temp')
}

/**
 * The Pulumi home the engine runs with (PULUMI_HOME): the user's if set, else one of the action's own
 * in the job's temporary directory. Plugins live in its plugins/ directory; only the provider's own
 * directory there is ever cached, so credentials.json (a Pulumi Cloud login) never reaches the cache.
 */
export function pulumiHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PULUMI_HOME) return env.PULUMI_HOME
  ensureRunnerDirs(env)
  return join(env.RUNNER_TEMP!, 'event-store-env-action', 'pulumi-home')
}

/** The tool-cache directory holding bin/pulumi for an exact version: found, restored or downloaded. */
export async function acquirePulumiCli(version: string, stores: Stores, platform: NodeJS.Platform = process.platform, arch: string = process.arch): Promise<{ dir: string; source: Source }> {
  const { tools } = stores
  const dir = tools.dirFor('pulumi', version)
  const { value, source } = await restoreOrInstall(stores, {
    what: `the Pulumi CLI ${version}`,
    key: cliCacheKey(version, platform, arch),
    // The tool cache marks a complete copy with a file beside the directory; both are cached.
    paths: [dir, `${dir}.complete`],
    present: () => tools.find('pulumi', version) || undefined,
    install: async () => {
      const url = downloadUrl(version, platform, arch)
      stores.log.info(`Downloading the Pulumi CLI ${version}.`)
      const archive = await tools.download(url).catch((error: unknown) => {
        throw new UserError(
          `Could not download the Pulumi CLI ${version} (${error instanceof Error ? error.message : String(error)}). ` +
            'Put a Pulumi CLI that satisfies pulumi-version on PATH (e.g. with pulumi/actions or a cached install), or check the runner can reach get.pulumi.com.'
        )
      })
      const extracted = await tools.extract(archive, url.endsWith('.zip') ? 'zip' : 'tar.gz')
      return tools.cacheDir(await cliRoot(extracted), 'pulumi', version)
    }
  })
  return { dir: value, source }
}

/** The Automation API looks for <root>/bin/pulumi; the Linux and macOS archives hold pulumi/<binaries>. */
async function cliRoot(extracted: string): Promise<string> {
  const top = join(extracted, 'pulumi')
  if (existsSync(join(top, 'bin'))) return top // the Windows archive: pulumi/bin/<binaries>
  await rename(top, join(extracted, 'bin'))
  return extracted
}

export async function ensurePulumiCli(wanted: string, stores: Stores = defaultStores()): Promise<PulumiCli> {
  const { PulumiCommand } = await import('@pulumi/pulumi/automation/index.js')
  try {
    const onPath = await PulumiCommand.get({ skipVersionCheck: true })
    const found = onPath.version?.version
    if (found && semver.satisfies(found, wanted)) {
      core.info(`Using the Pulumi CLI ${found} on PATH.`)
      return { command: onPath, version: found, source: 'path' }
    }
  } catch {
    // no usable CLI on PATH: fall through to the caches
  }
  const version = versionToInstall(wanted)
  ensureRunnerDirs(process.env)
  const { dir, source } = await acquirePulumiCli(version, stores)
  core.addPath(join(dir, 'bin'))
  const command = await PulumiCommand.get({ root: dir, version: new semver.SemVer(version) })
  return { command, version, source }
}

/** What ensureProviderPlugin needs of a Pulumi workspace. */
export interface PluginWorkspace {
  readonly pulumiHome?: string
  installPlugin(name: string, version: string): Promise<void>
}

/** Where the CLI installs a resource plugin: <home>/plugins/resource-<name>-v<version>/pulumi-resource-<name>. */
export function pluginDir(home: string, name: string, version: string): string {
  return join(home, 'plugins', `resource-${name}-v${version}`)
}

function pluginInstalled(home: string, name: string, version: string, platform: NodeJS.Platform): boolean {
  const dir = pluginDir(home, name, version)
  const binary = `pulumi-resource-${name}${platform === 'win32' ? '.exe' : ''}`
  // The CLI leaves <dir>.partial while it is still unpacking.
  return existsSync(join(dir, binary)) && !existsSync(`${dir}.partial`)
}

/**
 * Installs a resource plugin at an exact version unless it is already there (then the CLI is not even
 * asked: `pulumi plugin install` may consult the registry before it checks the disk), restoring it from
 * the Actions cache first and saving it there after a download.
 */
export async function ensureProviderPlugin(
  workspace: PluginWorkspace,
  name: string,
  version: string,
  stores: Stores = defaultStores(),
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch
): Promise<Source> {
  const home = workspace.pulumiHome ?? pulumiHome()
  const { source } = await restoreOrInstall(stores, {
    what: `the ${name} plugin ${version}`,
    key: pluginCacheKey(name, version, platform, arch),
    paths: [pluginDir(home, name, version)],
    present: () => (pluginInstalled(home, name, version, platform) ? true : undefined),
    install: async () => {
      await workspace.installPlugin(name, `v${version}`)
      return true
    }
  })
  return source
}
