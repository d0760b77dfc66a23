// closedPullRequests against a local stand-in for the GitHub REST API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { UserError } from '../../src/errors.js'
import { closedPullRequests, type GitHubTarget } from '../../src/publish/github.js'
import { freePort } from '../fixtures/azurite.js'
import { startGitHubApi, type GitHubApi } from '../fixtures/github-api.js'

const TOKEN = 'ghs_standInToken0123456789abcdefABCDEF'
let api: GitHubApi

beforeAll(async () => {
  api = await startGitHubApi()
})
afterAll(async () => {
  await api?.stop()
})
beforeEach(() => {
  api.requests.length = 0
  api.pulls.clear()
  api.failWith = undefined
})

const target = (extra: Partial<GitHubTarget> = {}): GitHubTarget => ({ apiUrl: api.url, token: TOKEN, repository: 'octo/app', ...extra })

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(UserError)
  return error as Error
}

describe('closedPullRequests', () => {
  it('returns only the ones reported closed, asking once per pull request; one the API does not find is kept with a warning', async () => {
    api.pulls.set(1, 'closed').set(2, 'open').set(3, 'closed')
    const warnings: string[] = []
    expect(await closedPullRequests(target(), [3, 2, 1, 4, 3], (w) => warnings.push(w))).toEqual([1, 3])
    expect(warnings.join('\n')).toMatch(/#4\b.*kept/)
    const pulls = api.requests.filter((r) => r.path.includes('/pulls/')).map((r) => `${r.method} ${r.path}`)
    expect(pulls).toEqual(['GET /repos/octo/app/pulls/1', 'GET /repos/octo/app/pulls/2', 'GET /repos/octo/app/pulls/3', 'GET /repos/octo/app/pulls/4'])
    expect(api.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true)
  })

  it('asks nothing for no numbers', async () => {
    expect(await closedPullRequests(target(), [])).toEqual([])
    expect(api.requests).toHaveLength(0)
  })

  it('refuses to judge when the token cannot see the repository (every pull request would look gone)', async () => {
    const error = await failure(closedPullRequests(target({ repository: 'octo/private' }), [1, 2]))
    expect(error.message).toMatch(/HTTP 404 to read the repository octo\/private/)
    expect(error.message).toMatch(/pull-requests: read/)
    expect(api.requests.some((r) => r.path.includes('/pulls/'))).toBe(false)
  })

  it('a refused token is a clear error without the token', async () => {
    api.failWith = 401
    const error = await failure(closedPullRequests(target(), [1]))
    expect(error.message).toMatch(/refused the token \(HTTP 401\).*'github-token'/)
    expect(error.message).not.toContain(TOKEN)
  })

  it('a server error names the status and the call, without the token', async () => {
    api.failWith = 502
    const error = await failure(closedPullRequests(target(), [7]))
    expect(error.message).toMatch(/HTTP 502/)
    expect(error.message).not.toContain(TOKEN)
  })

  it('an unreachable API names where it tried', async () => {
    const port = await freePort()
    const error = await failure(closedPullRequests(target({ apiUrl: `http://127.0.0.1:${port}` }), [1]))
    expect(error.message).toMatch(new RegExp(`Cannot reach the GitHub API at 127\\.0\\.0\\.1:${port}`))
    expect(error.message).not.toContain(TOKEN)
  })

  it('a repository that is not owner/name is refused before any request', async () => {
    const error = await failure(closedPullRequests(target({ repository: 'local' }), [1]))
    expect(error.message).toMatch(/'local' is not owner\/name/)
    expect(api.requests).toHaveLength(0)
  })
})

describe('closedPullRequests on GitHub Enterprise Server', () => {
  it('uses the API root with its /api/v3 prefix', async () => {
    const ghes = await startGitHubApi({ prefix: '/api/v3' })
    try {
      ghes.pulls.set(5, 'closed')
      expect(await closedPullRequests({ apiUrl: ghes.url + '/', token: TOKEN, repository: 'octo/app' }, [5, 6])).toEqual([5])
      expect(ghes.requests.map((r) => r.path)).toEqual(['/api/v3/repos/octo/app', '/api/v3/repos/octo/app/pulls/5', '/api/v3/repos/octo/app/pulls/6'])
    } finally {
      await ghes.stop()
    }
  })
})
