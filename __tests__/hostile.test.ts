// The hostile-input suite: the committed bundle, run as the runner runs it, against what an attacker
// controls (branch and environment names, table lists, pull-request comments, API answers, URL-like
// inputs). Every case asserts a property: nothing secret written in any form or piece, nothing of
// another environment touched, nothing written on a refused run, no live Markdown.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { TableServiceClient } from '@azure/data-tables'
import { environmentSlug, shortHash } from '../src/plan/naming.js'
import { commentMarker } from '../src/publish/comment.js'
import { copyBundle, type BundleCopy, type BundleRun } from './fixtures/bundle.js'
import { AZURE_ENV } from './fixtures/azure-env.js'
import { fakePulumi, type FakePulumi } from './fixtures/fake-pulumi.js'
import { pullRequestEvent, secretForms } from './fixtures/leaks.js'
import { startAzurite, type AzuriteHandle } from './fixtures/azurite.js'
import { startGitHubApi, type GitHubApi } from './fixtures/github-api.js'

let bundle: BundleCopy
let azurite: AzuriteHandle
let api: GitHubApi
let service: TableServiceClient
let tmp: string

beforeAll(async () => {
  bundle = copyBundle()
  // The Automation API's temporary workspaces go under the bundle copy, which afterAll removes.
  tmp = join(bundle.dir, 'tmp')
  mkdirSync(tmp)
  ;[azurite, api] = await Promise.all([startAzurite(), startGitHubApi()])
  service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
})
afterAll(async () => {
  await Promise.all([azurite?.stop(), api?.stop()])
  bundle?.remove()
})
beforeEach(() => {
  api.requests.length = 0
  api.failWith = undefined
})

const emulator = (inputs: Record<string, string>): Record<string, string> => ({
  target: 'emulator',
  'emulator-connection-string': azurite.connectionString,
  ...inputs
})

async function tables(): Promise<string[]> {
  const names: string[] = []
  for await (const t of service.listTables()) names.push(t.name!)
  return names.sort()
}

function pullRequestEnv(number: number): Record<string, string> {
  return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent(bundle.dir, number), GITHUB_API_URL: api.url }
}

// ---- properties ------------------------------------------------------------------------------

/** Everything a run wrote where people can read it, minus the ::add-mask:: lines. */
function readable(run: BundleRun, extra: string[] = []): string {
  const stdout = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
  return [stdout, run.stderr, run.outputFile, run.summary, ...extra].join('\n')
}

/** Where a secret shows up: any form the runner would mask, or any 16-character piece of it. */
function leaks(text: string, secret: string): string[] {
  const found = secretForms(secret).filter((f) => text.includes(f))
  for (let i = 0; i + 16 <= secret.length; i++) {
    const piece = secret.slice(i, i + 16)
    for (const form of [piece, encodeURIComponent(piece), JSON.stringify(piece).slice(1, -1)]) if (text.includes(form)) found.push(`piece at ${i}`)
  }
  // base64 of any piece aligned to 3 bytes
  for (let i = 0; i + 18 <= secret.length; i += 3) if (text.includes(Buffer.from(secret.slice(i, i + 18)).toString('base64'))) found.push(`base64 piece at ${i}`)
  return [...new Set(found)]
}

/** The inline code spans of one line (CommonMark: a backtick run closed by a run of the same length) and the text outside them. */
function codeSpans(line: string): { spans: string[]; outside: string } {
  const spans: string[] = []
  let outside = ''
  let i = 0
  while (i < line.length) {
    if (line[i] !== '`') {
      outside += line[i++]
      continue
    }
    let n = 0
    while (line[i + n] === '`') n++
    const fence = '`'.repeat(n)
    let close = -1
    for (let j = line.indexOf(fence, i + n); j >= 0; j = line.indexOf(fence, j + 1)) {
      if (line[j - 1] !== '`' && line[j + n] !== '`') {
        close = j
        break
      }
      while (line[j] === '`') j++
      j--
    }
    if (close < 0) {
      outside += fence
      i += n
      continue
    }
    let content = line.slice(i + n, close)
    if (content.length > 1 && content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') content = content.slice(1, -1)
    spans.push(content)
    i = close + n
  }
  return { spans, outside }
}

/** Markdown outside code spans that would render as HTML, a link, an image or a mention. */
function liveMarkdown(markdown: string): string[] {
  const problems: string[] = []
  for (const raw of markdown.split('\n')) {
    if (/^<!-- event-store-env-action environment=[^<>]* -->$/.test(raw)) continue // our marker
    const { outside } = codeSpans(raw.replace(/\\\|/g, '|'))
    for (const [what, re] of [
      ['HTML', /<[A-Za-z!/?]/],
      ['mention', /(^|[^\w`])@[A-Za-z0-9]/],
      ['link', /\]\(|\]\[/],
      ['autolink', /https?:\/\/|www\./i]
    ] as const) {
      if (re.test(outside)) problems.push(`${what} in: ${raw}`)
    }
  }
  return problems
}

/** The environment appears whole as the content of an inline code span. */
function shownAsCode(markdown: string, environment: string): boolean {
  return markdown.split('\n').some((line) => codeSpans(line.replace(/\\\|/g, '|')).spans.includes(environment))
}

// ---- 1. names that collide across environments -------------------------------------------------

/** The stack name the code before issue 11 derived: the slug alone, or the slug and 6 hex of the raw name. */
const oldStackName = (environment: string): string => {
  const slug = environmentSlug(environment)
  return slug === environment ? slug : `${slug}-${shortHash(environment, 6)}`
}

describe('names: no environment reaches another one\'s tables or stack', () => {
  // Valid branch names whose old 24-bit table hash (of `event-store|<environment>`) equals production's,
  // found once by brute force over case and punctuation.
  const COLLIDING = ['P-ro/du/c.t/i.o_n', 'p.R.o-d.u-ct_i-o-n', 'P.R.od-u/c-t_i/on']
  const project = 'event-store'

  it.each(COLLIDING)('destroy of %j leaves production\'s tables alone (emulator)', async (spoof) => {
    const up = await bundle.run(emulator({ project, environment: 'production', tables: 'events' }))
    expect(up.code).toBe(0)
    const before = await tables()
    const production = JSON.parse(up.outputs['table-names']!) as string[]
    const destroy = await bundle.run(emulator({ project, environment: spoof, tables: 'events', command: 'destroy' }))
    expect(destroy.code).toBe(0)
    expect(await tables()).toEqual(before)
    for (const t of production) expect(before).toContain(t)
  })

  describe('on the azure target (fake CLI)', () => {
    let cli: FakePulumi
    beforeAll(() => {
      cli = fakePulumi()
    })
    afterAll(() => cli?.remove())

    it.each(['Production', 'feature/Add-Memory', 'My Env'])('%j and its old derived name get different stacks', async (environment) => {
      const spoof = oldStackName(environment)
      expect(spoof).not.toBe(environment)
      const stacksOf = async (env: string): Promise<string[]> => {
        const before = cli.stacks().length
        await bundle.run({ environment: env, command: 'preview' }, { ...AZURE_ENV, ...cli.env, TMPDIR: tmp })
        return [...new Set(cli.stacks().slice(before))]
      }
      const a = await stacksOf(environment)
      const b = await stacksOf(spoof)
      expect(a.length).toBeGreaterThan(0)
      expect(b.length).toBeGreaterThan(0)
      expect(a.filter((s) => b.some((t) => t.toLowerCase() === s.toLowerCase()))).toEqual([])
    })
  })

  describe('a stack recorded for another environment is refused before anything changes', () => {
    let cli: FakePulumi
    beforeAll(() => {
      cli = fakePulumi({ environment: 'production', project: 'event-store', tableNames: ['events'] })
    })
    afterAll(() => cli?.remove())

    it.each(['up', 'preview', 'refresh', 'destroy'])('%s', async (command) => {
      const before = cli.calls().length
      const run = await bundle.run({ environment: 'pr-1', command }, { ...AZURE_ENV, ...cli.env, TMPDIR: tmp })
      expect(run.code).toBe(1)
      const calls = cli.calls().slice(before)
      expect(calls.filter((a) => ['up', 'preview', 'refresh', 'destroy'].includes(a[0]!) || a[0] === 'config')).toEqual([])
      // The record was read (one stack export) before anything else.
      expect(calls.some((a) => a[0] === 'stack' && (a.includes('export') || a.includes('output')))).toBe(true)
      expect(run.outputs['connection-string'] ?? '').toBe('')
    })
  })
})

// ---- 2. credentials echoed by input errors -----------------------------------------------------

describe('no input that can carry a credential is echoed', () => {
  const S = (): string => randomBytes(24).toString('hex')
  const cases: [string, (s: string) => Record<string, string>][] = [
    ['backend-url with userinfo and a space', (s) => ({ 'backend-url': `https://ci:${s}@pulumi.example.com /x` })],
    ['backend-url with a SAS query and a space', (s) => ({ 'backend-url': `azblob://state?storage_account=acct&key=${s} x` })],
    ['backend-url whose secret sits in the first 57 characters', (s) => ({ 'backend-url': `https://${s}@h x` })],
    ['secrets-provider with userinfo', (s) => ({ 'secrets-provider': `hashivault://token:${s}@vault.example.com x` })],
    ['secrets-provider with an unsupported scheme and a token query', (s) => ({ 'secrets-provider': `vault://keys?token=${s}` })],
    ['location given a URL with a password', (s) => ({ location: `https://u:${s}@westeurope` })],
    ['a tag item with a token in it', (s) => ({ tags: `ghp_${s}` })]
  ]
  let cli: FakePulumi
  beforeAll(() => {
    cli = fakePulumi()
  })
  afterAll(() => cli?.remove())

  it.each(cases)('%s (emulator): refused, nothing written, no piece of it anywhere', async (_name, inputs) => {
    const secret = S()
    const before = await tables()
    const run = await bundle.run(emulator({ environment: 'pr-2', ...inputs(secret) }))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^::error::/m)
    expect(leaks(readable(run), secret)).toEqual([])
    expect(await tables()).toEqual(before)
  })

  it.each(cases)('%s (azure): refused before the CLI runs, no piece of it anywhere', async (_name, inputs) => {
    const secret = S()
    const before = cli.calls().length
    const run = await bundle.run({ environment: 'pr-2', ...inputs(secret) }, { ...AZURE_ENV, ...cli.env, TMPDIR: tmp })
    expect(run.code).toBe(1)
    expect(leaks(readable(run), secret)).toEqual([])
    expect(cli.calls().slice(before)).toEqual([])
  })
})

// ---- 3. Markdown and HTML injection ------------------------------------------------------------

describe('nothing user-controlled renders as Markdown', () => {
  const ENVIRONMENTS = [
    'x`<img src=x onerror=alert(1)>`',
    'pr`` @octocat [click](https://evil.example) ``',
    '` @org/team <b>bold</b> www.evil.example',
    '<img src=x onerror=alert(1)>`'
  ]
  it.each(ENVIRONMENTS.map((e, i) => [e, 60 + i] as const))('environment %j in the summary and the PR comment', async (environment, pr) => {
    const run = await bundle.run(emulator({ environment, project: 'markdown', 'comment-on-pr': 'true' }), pullRequestEnv(pr))
    expect(run.code).toBe(0)
    const comment = api.commentsOn(pr).at(-1)?.body ?? ''
    for (const markdown of [run.summary, comment]) {
      expect(markdown.length).toBeGreaterThan(0)
      expect(liveMarkdown(markdown)).toEqual([])
      expect(shownAsCode(markdown, environment)).toBe(true)
    }
  })
})

// ---- 4. prune fails open -----------------------------------------------------------------------

describe('prune destroys only what the API reports closed', () => {
  const answers: [string, number, Record<string, unknown> | undefined][] = [
    ['200 without a state', 31, { number: 31 }],
    ['404', 32, undefined],
    ['state CLOSED in capitals', 33, { number: 33, state: 'CLOSED' }],
    ['state null with merged true', 34, { number: 34, state: null, merged: true }]
  ]
  it.each(answers)('an answer of %s keeps the environment and warns; a closed one beside it is pruned', async (_name, n, body) => {
    const project = `prune-${n}`
    for (const environment of [`pr-${n}`, 'pr-99']) expect((await bundle.run(emulator({ project, environment }))).code).toBe(0)
    if (body) api.pulls.set(n, body)
    api.pulls.set(99, 'closed')
    const before = await tables()
    const run = await bundle.run(emulator({ project, command: 'prune' }), { GITHUB_API_URL: api.url })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs['pruned-environments']!)).toEqual(['pr-99'])
    const after = await tables()
    expect(before.filter((t) => !after.includes(t))).toHaveLength(1)
    expect(run.stdout).toMatch(new RegExp(`^::warning::.*#${n}\\b`, 'm'))
  })
})

// ---- 5. other people's comments ------------------------------------------------------------------

describe('the PR comment edits only our own', () => {
  it.each([
    ['a person', 'octocat', undefined],
    ['another bot', 'evil[bot]', undefined],
    ['github-actions[bot], when the token is a personal token', 'github-actions[bot]', { token: `ghp_${'a1'.repeat(18)}`, login: 'ci-user' }]
  ] as const)('a marked comment by %s is left alone and a new one is created', async (_who, author, pat) => {
    const pr = 70 + api.comments.size
    const environment = `pr-${pr}`
    const forged = api.addComment(pr, `${commentMarker(environment)}\nforged`, author)
    const snapshot = { ...forged }
    if (pat) api.logins.set(pat.token, pat.login)
    const inputs = emulator({ environment, project: 'comments', 'comment-on-pr': 'true', ...(pat ? { 'github-token': pat.token } : {}) })
    const first = await bundle.run(inputs, pullRequestEnv(pr))
    expect(first.code).toBe(0)
    expect(api.requests.filter((r) => r.method === 'PATCH')).toEqual([])
    expect(api.commentsOn(pr)[0]).toEqual(snapshot)
    expect(api.commentsOn(pr)).toHaveLength(2)
    // and the second run edits the comment it made, not the forged one
    const second = await bundle.run(inputs, pullRequestEnv(pr))
    expect(second.code).toBe(0)
    expect(api.commentsOn(pr)[0]).toEqual(snapshot)
    expect(api.commentsOn(pr)).toHaveLength(2)
  })
})

// ---- 7. scheme checks --------------------------------------------------------------------------

describe('a file:// backend is refused whatever its case or padding', () => {
  let cli: FakePulumi
  beforeAll(() => {
    cli = fakePulumi()
  })
  afterAll(() => cli?.remove())

  it.each(['FILE:///tmp/state', 'File:///tmp/state', '  file:///tmp/state'])('PULUMI_BACKEND_URL=%j', async (backend) => {
    const before = cli.calls().length
    const env = { ...AZURE_ENV, PULUMI_ACCESS_TOKEN: '', PULUMI_BACKEND_URL: backend, PULUMI_CONFIG_PASSPHRASE: randomBytes(8).toString('hex'), ...cli.env, TMPDIR: tmp }
    const run = await bundle.run({ environment: 'pr-3' }, env)
    expect(run.code).toBe(1)
    expect(cli.calls().slice(before)).toEqual([])
    expect(run.outputs['connection-string'] ?? '').toBe('')
  })
})

// ---- 9. bounds on work ------------------------------------------------------------------------

describe('list inputs are bounded', () => {
  const names = (n: number, width = 8): string => Array.from({ length: n }, (_, i) => `T${String(i).padStart(width, '0')}`).join(',')
  it.each([
    ['101 tables', names(101)],
    ['1,000 tables', names(1000)],
    ['100 KB of table names', names(Math.floor(100_000 / 10))]
  ])('%s: refused, nothing created', async (_name, list) => {
    const before = await tables()
    const run = await bundle.run(emulator({ environment: 'pr-4', project: 'bounds', tables: list }))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^::error::Input 'tables'/m)
    expect(await tables()).toEqual(before)
  })
})
