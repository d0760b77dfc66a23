// The CLI and plugin caches, with the tool cache and the Actions cache faked at their interfaces
// (cache.ts): restore before any download, no download on a hit, save after a miss, and a broken
// cache that only ever costs a download.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliCacheKey, pluginCacheKey, restoreOrInstall, type ActionsCache, type Stores, type ToolCache } from '../../src/engine/cache.js'
import { acquirePulumiCli, ensureProviderPlugin, ensurePulumiCli, pluginDir } from '../../src/engine/cli.js'

const VERSION = '3.276.0'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cache-test-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

type Step = string

interface Fakes {
  stores: Stores
  steps: Step[]
  saved: { paths: string[]; key: string }[]
  lines: { info: string[]; warning: string[]; debug: string[] }
}

interface FakeOptions {
  available?: boolean
  /** What a restore does: 'hit' puts the entry's files in place, 'miss' does nothing. */
  restore?: 'hit' | 'miss' | 'throw' | 'empty-hit'
  save?: 'ok' | 'throw' | 'declined'
  /** A tool already in the runner's tool cache. */
  preinstalled?: boolean
}

/** The tool cache as a directory tree under root, with the CLI layout of the real archives. */
function fakes(opts: FakeOptions = {}): Fakes {
  const steps: Step[] = []
  const saved: Fakes['saved'] = []
  const lines: Fakes['lines'] = { info: [], warning: [], debug: [] }
  const toolRoot = join(root, 'tool-cache')
  const dirFor = (tool: string, version: string): string => join(toolRoot, tool, version, 'x64')
  const complete = (tool: string, version: string): void => {
    const dir = dirFor(tool, version)
    mkdirSync(join(dir, 'bin'), { recursive: true })
    const bin = join(dir, 'bin', 'pulumi')
    writeFileSync(bin, `#!/bin/sh\necho v${version}\n`)
    chmodSync(bin, 0o755)
    writeFileSync(`${dir}.complete`, '')
  }
  if (opts.preinstalled) complete('pulumi', VERSION)
  /** What a cache hit restores, by key prefix: the files of the entry. */
  const entries: ((paths: string[]) => void)[] = []

  const tools: ToolCache = {
    dirFor,
    find: (tool, version) => {
      steps.push('find')
      const dir = dirFor(tool, version)
      return existsSync(dir) && existsSync(`${dir}.complete`) ? dir : ''
    },
    download: async (url) => {
      steps.push(`download ${url}`)
      const archive = join(root, 'archive.tar.gz')
      writeFileSync(archive, '')
      return archive
    },
    extract: async (_archive, format) => {
      steps.push(`extract ${format}`)
      const dir = mkdtempSync(join(root, 'extract-'))
      mkdirSync(join(dir, 'pulumi'))
      writeFileSync(join(dir, 'pulumi', 'pulumi'), `#!/bin/sh\necho v${VERSION}\n`)
      chmodSync(join(dir, 'pulumi', 'pulumi'), 0o755)
      return dir
    },
    cacheDir: async (dir, tool, version) => {
      steps.push('cacheDir')
      const target = dirFor(tool, version)
      mkdirSync(join(target, 'bin'), { recursive: true })
      // what the real cacheDir does: copy the tree, then mark it complete
      const { cpSync } = await import('node:fs')
      cpSync(dir, target, { recursive: true })
      writeFileSync(`${target}.complete`, '')
      return target
    }
  }
  const cache: ActionsCache = {
    available: () => opts.available ?? true,
    restore: async (paths, key) => {
      steps.push(`restore ${key}`)
      if (opts.restore === 'throw') throw new Error('cache service unavailable')
      if (opts.restore === 'hit') {
        for (const fill of entries) fill(paths)
        return true
      }
      return opts.restore === 'empty-hit'
    },
    save: async (paths, key) => {
      steps.push(`save ${key}`)
      if (opts.save === 'throw') throw new Error('Cache service responded with 503')
      saved.push({ paths, key })
      return opts.save !== 'declined'
    }
  }
  // A hit on the CLI key restores the tool-cache directory and its marker; on a plugin key, the plugin directory.
  entries.push((paths) => {
    if (paths.some((p) => p.endsWith('.complete'))) complete('pulumi', VERSION)
    else for (const p of paths) writePlugin(p)
  })
  const log = {
    info: (l: string) => void lines.info.push(l),
    warning: (l: string) => void lines.warning.push(l),
    debug: (l: string) => void lines.debug.push(l)
  }
  return { stores: { tools, cache, log }, steps, saved, lines }
}

function writePlugin(dir: string): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'pulumi-resource-azure-native'), '')
}

const downloads = (steps: Step[]): Step[] => steps.filter((s) => s.startsWith('download'))

describe('cache keys', () => {
  it('name the OS, the architecture and the version', () => {
    expect(cliCacheKey(VERSION, 'linux', 'x64')).toBe('pulumi-cli-linux-x64-3.276.0')
    expect(cliCacheKey(VERSION, 'darwin', 'arm64')).toBe('pulumi-cli-darwin-arm64-3.276.0')
    expect(pluginCacheKey('azure-native', '3.28.0', 'linux', 'x64')).toBe('pulumi-plugins-linux-x64-azure-native-3.28.0')
    expect(cliCacheKey(VERSION)).toBe(`pulumi-cli-${process.platform}-${process.arch}-${VERSION}`)
  })
})

describe('the Pulumi CLI', () => {
  it('on a miss: restores first, then downloads, then saves the tool-cache directory and its marker', async () => {
    const f = fakes({ restore: 'miss' })
    const { dir, source } = await acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')
    expect(source).toBe('download')
    const key = 'pulumi-cli-linux-x64-3.276.0'
    expect(f.steps).toEqual([
      'find',
      `restore ${key}`,
      'download https://get.pulumi.com/releases/sdk/pulumi-v3.276.0-linux-x64.tar.gz',
      'extract tar.gz',
      'cacheDir',
      'find',
      `save ${key}`
    ])
    expect(f.saved).toEqual([{ key, paths: [dir, `${dir}.complete`] }])
    expect(existsSync(join(dir, 'bin', 'pulumi'))).toBe(true)
  })

  it('on a hit: no download and no save', async () => {
    const f = fakes({ restore: 'hit' })
    const { dir, source } = await acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')
    expect(source).toBe('actions-cache')
    expect(downloads(f.steps)).toEqual([])
    expect(f.steps.filter((s) => s.startsWith('save'))).toEqual([])
    expect(existsSync(join(dir, 'bin', 'pulumi'))).toBe(true)
    expect(f.lines.info.join('\n')).toMatch(/Restored the Pulumi CLI 3\.276\.0 from the Actions cache/)
  })

  it('already in the runner tool cache: neither the Actions cache nor the network is asked', async () => {
    const f = fakes({ preinstalled: true, restore: 'throw' })
    const { source } = await acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')
    expect(source).toBe('tool-cache')
    expect(f.steps).toEqual(['find'])
  })

  it('a throwing restore falls back to downloading, with a warning', async () => {
    const f = fakes({ restore: 'throw' })
    const { source } = await acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')
    expect(source).toBe('download')
    expect(downloads(f.steps)).toHaveLength(1)
    expect(f.lines.warning.join('\n')).toMatch(/Could not restore the Pulumi CLI 3\.276\.0 .*cache service unavailable.*Downloading it instead/)
  })

  it('a throwing save is a warning, and the CLI is still there', async () => {
    const f = fakes({ restore: 'miss', save: 'throw' })
    const { dir, source } = await acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')
    expect(source).toBe('download')
    expect(existsSync(join(dir, 'bin', 'pulumi'))).toBe(true)
    expect(f.lines.warning.join('\n')).toMatch(/Could not save the Pulumi CLI 3\.276\.0 .*503.*next run downloads it again/)
  })

  it('a save the service declines (another job saved the key first) is an info line, not a warning', async () => {
    const f = fakes({ restore: 'miss', save: 'declined' })
    await acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')
    expect(f.lines.warning).toEqual([])
    expect(f.lines.info.join('\n')).toMatch(/was not saved to the Actions cache/)
  })

  it('outside a runner (no cache service): a debug line, no restore or save, a download', async () => {
    const f = fakes({ available: false })
    const { source } = await acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')
    expect(source).toBe('download')
    expect(f.steps.filter((s) => s.startsWith('restore') || s.startsWith('save'))).toEqual([])
    expect(f.lines.warning).toEqual([])
    expect(f.lines.debug.join('\n')).toMatch(/ACTIONS_CACHE_URL \/ ACTIONS_RESULTS_URL are unset/)
  })

  it('a hit that restores nothing usable is downloaded again', async () => {
    const f = fakes({ restore: 'empty-hit' })
    const { source } = await acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')
    expect(source).toBe('download')
    expect(downloads(f.steps)).toHaveLength(1)
    expect(f.lines.warning.join('\n')).toMatch(/did not hold a complete copy/)
  })

  it('Windows downloads the zip', async () => {
    const f = fakes({ restore: 'miss' })
    await acquirePulumiCli(VERSION, f.stores, 'win32', 'x64')
    expect(f.steps).toContain('download https://get.pulumi.com/releases/sdk/pulumi-v3.276.0-windows-x64.zip')
    expect(f.steps).toContain('extract zip')
    expect(f.steps).toContain('restore pulumi-cli-win32-x64-3.276.0')
  })

  it('a failed download is a user error that says what to do', async () => {
    const f = fakes({ restore: 'miss' })
    f.stores.tools.download = async () => Promise.reject(new Error('getaddrinfo ENOTFOUND get.pulumi.com'))
    await expect(acquirePulumiCli(VERSION, f.stores, 'linux', 'x64')).rejects.toThrow(/Could not download the Pulumi CLI 3\.276\.0 .*ENOTFOUND.*on PATH/)
    expect(f.saved).toEqual([])
  })
})

describe('ensurePulumiCli with a broken cache (the action path)', () => {
  const saved = { PATH: process.env.PATH, RUNNER_TOOL_CACHE: process.env.RUNNER_TOOL_CACHE, RUNNER_TEMP: process.env.RUNNER_TEMP, GITHUB_PATH: process.env.GITHUB_PATH }
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })

  it.each([
    ['restore throws', { restore: 'throw' as const }],
    ['save throws', { restore: 'miss' as const, save: 'throw' as const }]
  ])('%s: the CLI is downloaded and runs', async (_name, opts) => {
    // No pulumi on PATH; the runner directories and GITHUB_PATH point into the test's own tree.
    process.env.PATH = '/nonexistent'
    process.env.RUNNER_TOOL_CACHE = join(root, 'tool-cache')
    process.env.RUNNER_TEMP = join(root, 'temp')
    process.env.GITHUB_PATH = join(root, 'github-path')
    writeFileSync(process.env.GITHUB_PATH, '')
    const f = fakes(opts)
    const cli = await ensurePulumiCli(VERSION, f.stores)
    expect(cli.version).toBe(VERSION)
    expect(cli.source).toBe('download')
    expect(downloads(f.steps)).toHaveLength(1)
    expect(f.lines.warning).toHaveLength(1)
    expect(cli.command.command).toBe(join(root, 'tool-cache', 'pulumi', VERSION, 'x64', 'bin', 'pulumi'))
    expect(execFileSync(cli.command.command, ['version'], { encoding: 'utf8' }).trim()).toBe(`v${VERSION}`)
  }, 60_000)
})

describe('the azure-native plugin', () => {
  const PLUGIN = '3.28.0'
  const workspace = (home: string) => {
    const calls: string[] = []
    return {
      calls,
      pulumiHome: home,
      installPlugin: async (name: string, version: string) => {
        calls.push(`install ${name} ${version}`)
        writePlugin(pluginDir(home, name, version.replace(/^v/, '')))
      }
    }
  }

  it('on a miss: restores first, installs through the workspace, saves only the plugin directory', async () => {
    const home = join(root, 'pulumi-home')
    mkdirSync(home, { recursive: true })
    writeFileSync(join(home, 'credentials.json'), '{"accessTokens":{"https://api.pulumi.com":"pul-secret"}}')
    const f = fakes({ restore: 'miss' })
    const ws = workspace(home)
    const order: string[] = []
    const original = ws.installPlugin
    ws.installPlugin = async (n, v) => {
      order.push(...f.steps, 'install')
      return original(n, v)
    }
    const source = await ensureProviderPlugin(ws, 'azure-native', PLUGIN, f.stores, 'linux', 'x64')
    expect(source).toBe('download')
    const key = 'pulumi-plugins-linux-x64-azure-native-3.28.0'
    expect(order).toEqual([`restore ${key}`, 'install'])
    expect(ws.calls).toEqual(['install azure-native v3.28.0'])
    const dir = join(home, 'plugins', 'resource-azure-native-v3.28.0')
    expect(f.saved).toEqual([{ key, paths: [dir] }])
    // Nothing outside the plugin's own directory (credentials.json) is ever saved.
    for (const p of f.saved.flatMap((s) => s.paths)) expect(p.startsWith(join(home, 'plugins') + '/')).toBe(true)
  })

  it('on a hit: the workspace is never asked to install (no download, no CLI call)', async () => {
    const home = join(root, 'pulumi-home')
    const f = fakes({ restore: 'hit' })
    const ws = workspace(home)
    const source = await ensureProviderPlugin(ws, 'azure-native', PLUGIN, f.stores, 'linux', 'x64')
    expect(source).toBe('actions-cache')
    expect(ws.calls).toEqual([])
    expect(f.saved).toEqual([])
  })

  it('already installed: neither cache nor CLI is asked', async () => {
    const home = join(root, 'pulumi-home')
    writePlugin(pluginDir(home, 'azure-native', PLUGIN))
    const f = fakes({ restore: 'throw' })
    const ws = workspace(home)
    expect(await ensureProviderPlugin(ws, 'azure-native', PLUGIN, f.stores, 'linux', 'x64')).toBe('tool-cache')
    expect(ws.calls).toEqual([])
    expect(f.steps).toEqual([])
  })

  it('a half-unpacked plugin (.partial marker) counts as missing', async () => {
    const home = join(root, 'pulumi-home')
    const dir = pluginDir(home, 'azure-native', PLUGIN)
    writePlugin(dir)
    writeFileSync(`${dir}.partial`, '')
    const f = fakes({ restore: 'miss' })
    const ws = workspace(home)
    ws.installPlugin = async (name, version) => {
      ws.calls.push(`install ${name} ${version}`)
      rmSync(`${dir}.partial`)
    }
    expect(await ensureProviderPlugin(ws, 'azure-native', PLUGIN, f.stores, 'linux', 'x64')).toBe('download')
    expect(ws.calls).toHaveLength(1)
  })

  it('throwing restore and save: installs anyway and succeeds', async () => {
    for (const opts of [{ restore: 'throw' as const }, { restore: 'miss' as const, save: 'throw' as const }]) {
      const home = mkdtempSync(join(root, 'home-'))
      const f = fakes(opts)
      const ws = workspace(home)
      expect(await ensureProviderPlugin(ws, 'azure-native', PLUGIN, f.stores, 'linux', 'x64')).toBe('download')
      expect(ws.calls).toHaveLength(1)
      expect(f.lines.warning).toHaveLength(1)
    }
  })

  it('an install that leaves nothing where expected is not saved', async () => {
    const f = fakes({ restore: 'miss' })
    const ws = { pulumiHome: join(root, 'h'), installPlugin: async () => {} }
    expect(await ensureProviderPlugin(ws, 'azure-native', PLUGIN, f.stores, 'linux', 'x64')).toBe('download')
    expect(f.saved).toEqual([])
    expect(f.lines.warning.join('\n')).toMatch(/not found where expected/)
  })
})

describe('restoreOrInstall', () => {
  it('an install failure propagates (the cache never hides a real failure)', async () => {
    const f = fakes({ restore: 'miss' })
    await expect(
      restoreOrInstall(f.stores, { what: 'x', key: 'k', paths: ['/p'], present: () => undefined, install: async () => Promise.reject(new Error('boom')) })
    ).rejects.toThrow('boom')
    expect(f.saved).toEqual([])
  })
})
