// The pull-request comment: its body (marker, trimming), create-then-edit against a local stand-in
// for the GitHub API, and run() on pull_request events end to end with a fake engine.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GitHubTarget } from '../../src/publish/github.js'
import type { Deps } from '../../src/main.js'
import { COMMENT_LIMIT, commentBody, commentMarker, TRIM_NOTE, upsertPullRequestComment } from '../../src/publish/comment.js'
import { errorLines, runAction } from '../fixtures/action-run.js'
import { FAKE_KEY, FakeEngine } from '../fixtures/fake-engine.js'
import { startGitHubApi, type GitHubApi } from '../fixtures/github-api.js'
import { AZURE_ENV } from '../fixtures/azure-env.js'

const TOKEN = 'test-token-0123456789abcdef'
/** Who TOKEN is (GET /user): the author of what it writes. */
const LOGIN = 'ci-user'
let api: GitHubApi
let dir: string

beforeAll(async () => {
  api = await startGitHubApi()
  api.logins.set(TOKEN, LOGIN)
  dir = mkdtempSync(join(tmpdir(), 'comment-test-'))
})
afterAll(async () => {
  await api?.stop()
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => {
  api.requests.length = 0
  api.failWith = undefined
})

const target = (): GitHubTarget => ({ apiUrl: api.url, token: TOKEN, repository: 'octo/app' })
const writes = (): string[] => api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)

describe('commentBody', () => {
  it('puts the marker on the first line and the Markdown after it, unchanged', () => {
    const body = commentBody('pr-42', '### Report\n\n| a | b |\n')
    expect(body).toBe(`${commentMarker('pr-42')}\n### Report\n\n| a | b |\n`)
    expect(commentMarker('pr-42')).toBe('<!-- event-store-env-action environment=pr-42 -->')
  })

  it('encodes the environment so it can neither close the HTML comment nor pass for another one', () => {
    const marker = commentMarker('feature/x --> <b>hi</b>')
    expect(marker.indexOf('-->')).toBe(marker.length - 3)
    expect(marker).not.toContain('<b>')
    expect(commentMarker('pr-1')).not.toBe(commentMarker('pr-10'))
    expect(commentMarker('a b')).not.toBe(commentMarker('a%20b'))
  })

  it('leaves a body of exactly the limit alone', () => {
    const head = commentMarker('pr-1').length + 1
    const body = commentBody('pr-1', 'x'.repeat(COMMENT_LIMIT - head))
    expect(body).toHaveLength(COMMENT_LIMIT)
    expect(body).not.toContain(TRIM_NOTE)
  })

  it('trims a longer report to the limit on a line boundary, with a visible note', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `| create | table | events${i} |`)
    const markdown = lines.join('\n') + '\n'
    const body = commentBody('pr-1', markdown)
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(body.length).toBeGreaterThan(COMMENT_LIMIT - 200)
    expect(body.startsWith(commentMarker('pr-1') + '\n')).toBe(true)
    expect(body.trimEnd().endsWith(`_${TRIM_NOTE}_`)).toBe(true)
    const kept = body.slice(commentMarker('pr-1').length + 1, body.indexOf(`\n\n_${TRIM_NOTE}`))
    expect(markdown.startsWith(kept + '\n')).toBe(true)
  })

  it('one over the limit is trimmed too', () => {
    const head = commentMarker('pr-1').length + 1
    const body = commentBody('pr-1', 'y'.repeat(COMMENT_LIMIT - head + 1))
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(body).toContain(TRIM_NOTE)
  })

  it('never splits a character made of two UTF-16 units', () => {
    for (const shift of [0, 1]) {
      const body = commentBody('pr-1', 'a'.repeat(shift) + '😀'.repeat(COMMENT_LIMIT))
      expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
      expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/)
    }
  })
})

describe('upsertPullRequestComment against the GitHub API stand-in', () => {
  it('creates the comment, then edits the same one in place', async () => {
    expect(await upsertPullRequestComment(target(), 10, 'pr-10', 'first report')).toBe('created')
    const [created] = api.commentsOn(10)
    expect(writes()).toEqual(['POST /repos/octo/app/issues/10/comments'])
    expect(created!.body).toBe(`${commentMarker('pr-10')}\nfirst report`)

    api.requests.length = 0
    expect(await upsertPullRequestComment(target(), 10, 'pr-10', 'second report')).toBe('updated')
    expect(writes()).toEqual([`PATCH /repos/octo/app/issues/comments/${created!.id}`])
    expect(api.commentsOn(10)).toHaveLength(1)
    expect(api.commentsOn(10)[0]!.body).toBe(`${commentMarker('pr-10')}\nsecond report`)
    expect(api.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true)
  })

  it('gives a second environment its own comment, and leaves other comments alone', async () => {
    const human = api.addComment(20, 'LGTM', 'octocat')
    const quoting = api.addComment(20, `Why is there a ${commentMarker('pr-20')} in here?`, 'octocat')
    expect(await upsertPullRequestComment(target(), 20, 'pr-20', 'A')).toBe('created')
    expect(await upsertPullRequestComment(target(), 20, 'staging', 'B')).toBe('created')
    expect(await upsertPullRequestComment(target(), 20, 'pr-20', 'A2')).toBe('updated')
    const comments = api.commentsOn(20)
    expect(comments.map((c) => c.body)).toEqual(['LGTM', quoting.body, `${commentMarker('pr-20')}\nA2`, `${commentMarker('staging')}\nB`])
    expect(comments[0]).toEqual(human)
  })

  it('edits only a marked comment written by the token\'s own identity (GET /user); another author\'s marked comment is left alone', async () => {
    const other = api.addComment(30, `${commentMarker('pr-30')}\nold`, 'my-app[bot]')
    expect(await upsertPullRequestComment(target(), 30, 'pr-30', 'new')).toBe('created')
    expect(writes()).toEqual(['POST /repos/octo/app/issues/30/comments'])
    expect(api.commentsOn(30)[0]).toEqual(other)
    expect(api.requests.filter((r) => r.path === '/user')).toHaveLength(1)
  })

  it('with an installation token (ghs_) the identity is github-actions[bot], without asking GET /user', async () => {
    const mine = api.addComment(31, `${commentMarker('pr-31')}\nold`, 'github-actions[bot]')
    api.addComment(31, `${commentMarker('pr-31')}\nforged`, 'octocat')
    expect(await upsertPullRequestComment({ ...target(), token: 'ghs_installation0123456789' }, 31, 'pr-31', 'new')).toBe('updated')
    expect(writes()).toEqual([`PATCH /repos/octo/app/issues/comments/${mine.id}`])
    expect(api.requests.some((r) => r.path === '/user')).toBe(false)
  })

  it('finds its comment on a later page, and stops paging once found', async () => {
    for (let i = 0; i < 130; i++) api.addComment(40, `chatter ${i}`, 'octocat')
    const ours = api.addComment(40, `${commentMarker('pr-40')}\nold`, LOGIN)
    for (let i = 0; i < 150; i++) api.addComment(40, `more chatter ${i}`, 'octocat')
    expect(await upsertPullRequestComment(target(), 40, 'pr-40', 'new')).toBe('updated')
    expect(writes()).toEqual([`PATCH /repos/octo/app/issues/comments/${ours.id}`])
    const pages = api.requests.filter((r) => r.method === 'GET' && r.path.includes('/comments')).map((r) => new URL(r.path, api.url).searchParams.get('page') ?? '1')
    expect(pages).toEqual(['1', '2'])
  })

  it('sends a trimmed body for an oversized report', async () => {
    await upsertPullRequestComment(target(), 50, 'pr-50', 'line\n'.repeat(20_000))
    const sent = JSON.parse(api.requests.find((r) => r.method === 'POST')!.body) as { body: string }
    expect(sent.body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(sent.body).toContain(TRIM_NOTE)
  })

  it('a refusal is a clear error that names the permission and not the token', async () => {
    api.failWith = 403
    const error = await upsertPullRequestComment(target(), 60, 'pr-60', 'x').catch((e: unknown) => e as Error)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/HTTP 403.*pull-requests: write/)
    expect((error as Error).message).not.toContain(TOKEN)
  })
})


function eventEnv(eventName: string, pullRequest?: number): Record<string, string> {
  const path = join(dir, `event-${eventName}-${pullRequest ?? 'none'}.json`)
  writeFileSync(path, JSON.stringify(pullRequest === undefined ? { ref: 'refs/heads/main' } : { number: pullRequest, pull_request: { number: pullRequest } }))
  return { ...AZURE_ENV, GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: path, GITHUB_API_URL: api.url }
}

// upsertComment and closedPullRequests stay the real ones: the stand-in gets real requests.
function deps(engine: FakeEngine): Partial<Deps> {
  return { loadEngine: async () => engine, verifyEventStore: async () => ({ ok: true, checks: [{ name: 'transactional append', ok: true, detail: 'ok' }] }) }
}

function expectNoSecretIn(bodies: string[], secrets: string[]): void {
  expect(bodies.length).toBeGreaterThan(0)
  for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret)
}

describe('run() on pull_request events', () => {
  it.each(['azure', 'emulator'] as const)('on the %s target: defaults the environment to pr-<number>, comments, then edits the comment; never a secret', async (targetName) => {
    const pr = targetName === 'azure' ? 71 : 72
    const engine = new FakeEngine()
    const inputs = { target: targetName, 'comment-on-pr': 'true', 'github-token': TOKEN, tables: 'events,snapshots' }
    const up = await runAction({ ...inputs, command: 'up' }, deps(engine), eventEnv('pull_request', pr))
    expect(up.exitCode).toBe(0)
    const plan = engine.calls[0]!.plan
    expect(plan.environment).toBe(`pr-${pr}`)
    expect(writes()).toEqual([`POST /repos/octo/app/issues/${pr}/comments`])
    const [comment] = api.commentsOn(pr)
    expect(comment!.body.startsWith(commentMarker(`pr-${pr}`) + '\n')).toBe(true)
    for (const fact of ['`up`', `pr-${pr}`, plan.tables[0]!, plan.tables[1]!, plan.names.storageAccountName, '| 4 | 0 | 0 | 0 | 0 |']) expect(comment!.body).toContain(fact)

    const preview = await runAction({ ...inputs, command: 'preview' }, deps(engine), eventEnv('pull_request', pr))
    expect(preview.exitCode).toBe(0)
    expect(api.commentsOn(pr)).toHaveLength(1)
    expect(api.commentsOn(pr)[0]!.body).toMatch(/Preview.*\n[\s\S]*\| create \| `azure-native:storage:Table` \|/)

    const destroy = await runAction({ ...inputs, command: 'destroy' }, deps(engine), eventEnv('pull_request', pr))
    expect(destroy.exitCode).toBe(0)
    expect(api.commentsOn(pr)).toHaveLength(1)
    expect(api.commentsOn(pr)[0]!.body).toMatch(/environment is gone/i)
    expect(writes()).toEqual([`POST /repos/octo/app/issues/${pr}/comments`, `PATCH /repos/octo/app/issues/comments/${comment!.id}`, `PATCH /repos/octo/app/issues/comments/${comment!.id}`])

    const connectionString = up.outputs['connection-string']!
    expect(connectionString).toContain(FAKE_KEY)
    expectNoSecretIn(api.writtenBodies(), [connectionString, FAKE_KEY, encodeURIComponent(FAKE_KEY), TOKEN, AZURE_ENV.PULUMI_ACCESS_TOKEN])
  })

  it('a refused comment is only a warning: the environment stands and the outputs are set', async () => {
    api.failWith = 403
    const run = await runAction({ command: 'up', 'comment-on-pr': 'true', 'github-token': TOKEN }, deps(new FakeEngine()), eventEnv('pull_request', 80))
    expect(run.exitCode).toBe(0)
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.stdout).toMatch(/::warning::Could not comment on pull request #80: .*HTTP 403/)
    expect(run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(TOKEN)
    expect(run.outputs['stack-name']).toMatch(/^pr-80-[0-9a-f]{16}$/)
  })

  it('comment-on-pr false sends nothing', async () => {
    const run = await runAction({ command: 'up', 'github-token': TOKEN }, deps(new FakeEngine()), eventEnv('pull_request', 81))
    expect(run.exitCode).toBe(0)
    expect(api.requests).toEqual([])
  })

  it('on a push event the environment is required, and nothing is provisioned or sent', async () => {
    const engine = new FakeEngine()
    const run = await runAction({ command: 'up', 'comment-on-pr': 'true', 'github-token': TOKEN }, deps(engine), eventEnv('push'))
    expect(run.exitCode).toBe(1)
    expect(errorLines(run.stdout)).toHaveLength(1)
    expect(errorLines(run.stdout)[0]).toMatch(/Input 'environment': is required on 'push' events.*pr-<number>/)
    expect(engine.calls).toHaveLength(0)
    expect(api.requests).toEqual([])
  })

  it('on a push event with an environment, comment-on-pr has no pull request to comment on', async () => {
    const run = await runAction({ command: 'up', environment: 'staging', 'comment-on-pr': 'true', 'github-token': TOKEN }, deps(new FakeEngine()), eventEnv('push'))
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/not for a pull request; no comment/)
    expect(api.requests).toEqual([])
  })
})

describe('run() with expect-no-changes', () => {
  it.each(['up', 'preview', 'refresh'] as const)('%s passes when the engine finds no changes', async (command) => {
    const run = await runAction({ command, 'expect-no-changes': 'true', environment: 'staging' }, deps(new FakeEngine({ noChanges: true })), eventEnv('push'))
    expect(run.exitCode).toBe(0)
    expect(errorLines(run.stdout)).toEqual([])
  })

  it.each(['up', 'preview'] as const)('%s fails when the engine finds changes, after reporting them on the pull request', async (command) => {
    const engine = new FakeEngine()
    const run = await runAction({ command, 'expect-no-changes': 'true', 'comment-on-pr': 'true', 'github-token': TOKEN }, deps(engine), eventEnv('pull_request', 90))
    expect(run.exitCode).toBe(1)
    expect(errorLines(run.stdout)).toHaveLength(1)
    expect(errorLines(run.stdout)[0]).toMatch(new RegExp(`expect-no-changes is true and ${command} found 3 change\\(s\\) in environment 'pr-90'`))
    expect(api.commentsOn(90)[0]!.body).toContain('| create | `azure-native:storage:Table` | `events` |')
    api.comments.delete(90)
  })

  it('is off by default: changes do not fail the run', async () => {
    const run = await runAction({ command: 'preview', environment: 'staging' }, deps(new FakeEngine()), eventEnv('push'))
    expect(run.exitCode).toBe(0)
  })
})
