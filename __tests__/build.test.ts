// What the build promises about dist/ (scripts/build.mjs): TypeScript is not bundled and fails loudly
// if reached; undici and tunnel load only when first used, and then work as the real packages do.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const dist = resolve('dist')
const require = createRequire(import.meta.url)

describe('dist/', () => {
  it('holds no TypeScript; the stand-in names itself when anything uses it', () => {
    expect(existsSync(join(dist, 'typescript.js'))).toBe(false)
    expect(existsSync(join(dist, 'vendor'))).toBe(false)
    const ts = require(join(dist, 'typescript-unavailable.cjs')) as Record<string, unknown>
    expect(() => ts.createSourceFile).toThrow(/TypeScript is not bundled with this action/)
  })

  it('a start that ends on an input error loads neither undici nor tunnel', () => {
    const dir = mkdtempSync(join(tmpdir(), 'build-test-'))
    try {
      // Records every module file Node loads through require (createRequire included).
      const hook = join(dir, 'hook.cjs')
      writeFileSync(
        hook,
        `const Module = require('node:module'); const loaded = []; const load = Module._load;
Module._load = function (request, parent, isMain) { loaded.push(request); return load.apply(this, arguments) };
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'loaded.json'))}, JSON.stringify(loaded)));`
      )
      const run = spawnSync(process.execPath, ['--require', hook, join(dist, 'index.js')], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', INPUT_COMMAND: 'nope', GITHUB_OUTPUT: join(dir, 'out') },
        encoding: 'utf8'
      })
      expect(run.stdout).toMatch(/^::error::Input 'command'/m)
      const loaded = JSON.parse(require('node:fs').readFileSync(join(dir, 'loaded.json'), 'utf8')) as string[]
      expect(loaded.filter((r) => /lazy\/(undici|tunnel)\.cjs$/.test(r))).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('lazy undici works on first use: a ProxyAgent is the real class, fetch reaches a server', async () => {
    const server = createServer((_, res) => res.end('pong'))
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    try {
      const undici = (await import(pathToFileURL(join(dist, 'lazy', 'undici.mjs')).href)) as {
        fetch: (url: string) => Promise<{ text(): Promise<string> }>
        ProxyAgent: new (url: string) => { close(): Promise<void> }
      }
      const agent = new undici.ProxyAgent('http://127.0.0.1:9')
      const real = require(join(dist, 'lazy', 'undici.cjs')) as { ProxyAgent: new (url: string) => unknown }
      expect(agent).toBeInstanceOf(real.ProxyAgent)
      await agent.close()
      const address = server.address() as { port: number }
      expect(await (await undici.fetch(`http://127.0.0.1:${address.port}/`)).text()).toBe('pong')
    } finally {
      server.close()
    }
  })

  it('lazy tunnel builds the same agents as the real package', async () => {
    const tunnel = (await import(pathToFileURL(join(dist, 'lazy', 'tunnel.mjs')).href)) as Record<string, (o: unknown) => { proxyOptions?: unknown }>
    const real = require('tunnel') as Record<string, unknown>
    expect(Object.keys(tunnel).sort()).toEqual(Object.keys(real).filter((k) => typeof real[k] === 'function').sort())
    const agent = tunnel.httpsOverHttp!({ proxy: { host: '127.0.0.1', port: 9 } })
    expect(agent.proxyOptions).toEqual({ host: '127.0.0.1', port: 9 })
  })
})
