// Keeps what the Azure engine downloads (the Pulumi CLI, the azure-native provider plugin) across
// runs: a directory is restored from the Actions cache before anything is downloaded, downloaded
// only on a miss, and saved after a miss. The cache only ever saves time: when it is unavailable
// (outside a runner) or fails, the run logs a line and downloads as if there were no cache.
import * as core from '@actions/core'
import * as tc from '@actions/tool-cache'
import { arch } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'

/** The runner's tool cache (@actions/tool-cache): one directory per tool, version and architecture. */
export interface ToolCache {
  /** The directory a cached tool lives in, whether or not it is there yet. */
  dirFor(tool: string, version: string): string
  /** The cached tool's directory, or '' when it is not (completely) there. */
  find(tool: string, version: string): string
  /** Downloads a file; returns its local path. */
  download(url: string): Promise<string>
  /** Extracts an archive into a new directory; returns that directory. */
  extract(archive: string, format: 'zip' | 'tar.gz'): Promise<string>
  /** Moves a directory into the tool cache and marks it complete; returns the cached directory. */
  cacheDir(dir: string, tool: string, version: string): Promise<string>
}

/** The Actions cache (@actions/cache), keyed by exact key. */
export interface ActionsCache {
  /** False where there is no cache service (outside a runner). */
  available(): boolean
  /** Restores the paths saved under key; true on a hit. */
  restore(paths: string[], key: string): Promise<boolean>
  /** Saves the paths under key; false when the service declined (e.g. another job saved the key first). */
  save(paths: string[], key: string): Promise<boolean>
}

export interface CacheLog {
  info(line: string): void
  warning(line: string): void
  debug(line: string): void
}

export interface Stores {
  tools: ToolCache
  cache: ActionsCache
  log: CacheLog
}

export type Source = 'tool-cache' | 'actions-cache' | 'download'

export interface CachedItem<T> {
  /** For log lines, e.g. "the Pulumi CLI 3.276.0". */
  what: string
  key: string
  /** Exactly what is saved and restored; nothing else (no credentials). */
  paths: string[]
  /** The item when it is on disk and complete, else undefined. */
  present(): T | undefined | Promise<T | undefined>
  /** Downloads and installs the item; the paths hold it afterwards. */
  install(): Promise<T>
}

export function cliCacheKey(version: string, platform: string = process.platform, arch: string = process.arch): string {
  return `pulumi-cli-${platform}-${arch}-${version}`
}

export function pluginCacheKey(name: string, version: string, platform: string = process.platform, arch: string = process.arch): string {
  return `pulumi-plugins-${platform}-${arch}-${name}-${version}`
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))
const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)

const UNAVAILABLE = 'the Actions cache service is unavailable (ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL are unset, e.g. outside a runner)'

/** Restores an item; false on a miss, when the cache is unavailable, or when it fails. Never throws. */
async function restore(stores: Stores, item: CachedItem<unknown>): Promise<boolean> {
  const { cache, log } = stores
  try {
    if (!cache.available()) {
      log.debug(`Not restoring ${item.what} (key ${item.key}): ${UNAVAILABLE}.`)
      return false
    }
    const hit = await cache.restore(item.paths, item.key)
    log.info(hit ? `Restored ${item.what} from the Actions cache (key ${item.key}).` : `${sentence(item.what)} is not in the Actions cache yet (key ${item.key}).`)
    return hit
  } catch (error) {
    log.warning(`Could not restore ${item.what} from the Actions cache (key ${item.key}): ${message(error)}. Downloading it instead.`)
    return false
  }
}

/** Saves an item after a miss. Never throws: a failed save only costs the next run a download. */
async function save(stores: Stores, item: CachedItem<unknown>): Promise<void> {
  const { cache, log } = stores
  try {
    if (!cache.available()) {
      log.debug(`Not saving ${item.what} (key ${item.key}): ${UNAVAILABLE}.`)
      return
    }
    const saved = await cache.save(item.paths, item.key)
    log.info(saved ? `Saved ${item.what} to the Actions cache (key ${item.key}).` : `${sentence(item.what)} was not saved to the Actions cache (key ${item.key}); see the line above.`)
  } catch (error) {
    log.warning(`Could not save ${item.what} to the Actions cache (key ${item.key}): ${message(error)}. The next run downloads it again.`)
  }
}

/**
 * The item from disk if it is there (a self-hosted runner's tool cache, an earlier step),
 * else from the Actions cache, else downloaded and then saved to the Actions cache.
 */
export async function restoreOrInstall<T>(stores: Stores, item: CachedItem<T>): Promise<{ value: T; source: Source }> {
  const local = await item.present()
  if (local !== undefined) return { value: local, source: 'tool-cache' }
  if (await restore(stores, item)) {
    const restored = await item.present()
    if (restored !== undefined) return { value: restored, source: 'actions-cache' }
    stores.log.warning(`The Actions cache entry ${item.key} did not hold a complete copy of ${item.what}; downloading it instead.`)
  }
  const value = await item.install()
  if ((await item.present()) === undefined) {
    // Saving a directory that is not where we expect it would cache nothing useful (or fail).
    stores.log.warning(`${sentence(item.what)} was installed but not found where expected (${item.paths[0]}); it is not saved to the Actions cache.`)
  } else {
    await save(stores, item)
  }
  return { value, source: 'download' }
}

/** The real tool cache. RUNNER_TOOL_CACHE and RUNNER_TEMP must be set (cli.ts sets them outside a runner). */
export const runnerToolCache: ToolCache = {
  dirFor: (tool, version) => join(process.env.RUNNER_TOOL_CACHE ?? '', tool, semver.clean(version) ?? version, arch()),
  find: (tool, version) => tc.find(tool, version),
  download: (url) => tc.downloadTool(url),
  extract: (archive, format) => (format === 'zip' ? tc.extractZip(archive) : tc.extractTar(archive)),
  cacheDir: (dir, tool, version) => tc.cacheDir(dir, tool, version)
}

/** Cheap check that needs no module load: @actions/cache needs one of these to reach its service. */
function cacheServiceConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL)
}

/** The real Actions cache. @actions/cache (and the Azure Blob SDK under it) loads only when it is used. */
export function actionsCache(env: NodeJS.ProcessEnv = process.env): ActionsCache {
  const load = () => import('@actions/cache')
  return {
    available: () => cacheServiceConfigured(env),
    async restore(paths, key) {
      const cache = await load()
      if (!cache.isFeatureAvailable()) throw new Error(UNAVAILABLE)
      return (await cache.restoreCache(paths, key)) === key
    },
    async save(paths, key) {
      const cache = await load()
      if (!cache.isFeatureAvailable()) throw new Error(UNAVAILABLE)
      // saveCache logs most of its own failures (a key another job saved first, a failed upload) and returns -1.
      return (await cache.saveCache(paths, key)) !== -1
    }
  }
}

export const actionsLog: CacheLog = {
  info: (line) => core.info(line),
  warning: (line) => core.warning(line),
  debug: (line) => core.debug(line)
}

export function defaultStores(): Stores {
  return { tools: runnerToolCache, cache: actionsCache(), log: actionsLog }
}
