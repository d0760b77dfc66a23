// The GitHub REST API, for the pull-request comment and for prune's look-ups. Octokit talks to
// GITHUB_API_URL (so GitHub Enterprise Server works too); every failure becomes a UserError that
// names the call and what to fix, and never carries the token.
import type { getOctokit } from '@actions/github'
import { UserError } from '../errors.js'

export interface GitHubTarget {
  /** REST API root, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  apiUrl: string
  /** Secret. */
  token: string
  /** owner/name. */
  repository: string
}

export type GitHubClient = ReturnType<typeof getOctokit>

/** A hung API must not hold the job until its timeout; every call (a whole listing included) gets this long. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000

const REPOSITORY = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/

export function repositoryParts(target: GitHubTarget): { owner: string; repo: string } {
  const m = REPOSITORY.exec(target.repository)
  if (!m) {
    throw new UserError(`The repository '${target.repository}' is not owner/name; run in GitHub Actions, or set GITHUB_REPOSITORY.`)
  }
  return { owner: m[1]!, repo: m[2]! }
}

export async function githubClient(target: GitHubTarget): Promise<GitHubClient> {
  // Loaded on demand: only runs that comment or prune pay for Octokit.
  const { getOctokit } = await import('@actions/github')
  return getOctokit(target.token, { baseUrl: target.apiUrl.replace(/\/+$/, '') })
}

/** Per-call request options: the timeout. */
export function requestOptions(): { request: { signal: AbortSignal } } {
  return { request: { signal: AbortSignal.timeout(GITHUB_REQUEST_TIMEOUT_MS) } }
}

/** Runs one API call; its failure becomes a UserError naming the action. */
export async function githubCall<T>(target: GitHubTarget, action: string, op: () => Promise<T>, hint = ''): Promise<T> {
  try {
    return await op()
  } catch (error) {
    throw describeGitHubError(error, action, target, hint)
  }
}

export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' && status > 0 ? status : undefined
}

function hasResponse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'response' in error && (error as { response?: unknown }).response !== undefined
}

/** `hint` says what the call needs (e.g. the job permission); it is added to 403 and 404 messages. */
export function describeGitHubError(error: unknown, action: string, target: GitHubTarget, hint = ''): UserError {
  const where = apiHost(target.apiUrl)
  const raw = error instanceof Error ? error.message : String(error)
  const detail = scrub(raw.split(/\r?\n/)[0] ?? '', target.token)
  const status = httpStatus(error)
  const extra = hint ? ` ${hint}` : ''
  if (status === undefined || !hasResponse(error)) {
    // Octokit reports network failures and timeouts without a response (status 500 or none).
    return new UserError(`Cannot reach the GitHub API at ${where} to ${action}: ${detail}. Check GITHUB_API_URL.`)
  }
  if (status === 401) return new UserError(`The GitHub API at ${where} refused the token (HTTP 401) to ${action}: check the input 'github-token'.`)
  if (status === 403 || status === 429) {
    return new UserError(`The GitHub API at ${where} answered HTTP ${status} to ${action}: ${detail}.${extra}`)
  }
  if (status === 404) return new UserError(`The GitHub API at ${where} answered HTTP 404 to ${action}: not found, or the token cannot see it.${extra}`)
  return new UserError(`The GitHub API at ${where} answered HTTP ${status} to ${action}: ${detail}`)
}

function apiHost(apiUrl: string): string {
  try {
    const url = new URL(apiUrl)
    return url.host + url.pathname.replace(/\/+$/, '')
  } catch {
    return 'GITHUB_API_URL'
  }
}

function scrub(text: string, token: string): string {
  return token ? text.split(token).join('***') : text
}

/** One prune run looks up at most this many pull requests (the lowest numbers first); the rest wait for the next run. */
export const MAX_PULL_REQUEST_LOOKUPS = 100

/**
 * Which of these pull requests the API positively reports closed (`state: 'closed'`, merged ones
 * included), looked up one by one. Any other answer (a 404, a missing or unknown state) keeps the
 * environment and is reported through `warn`: a wrong answer must never destroy an open one's.
 */
export async function closedPullRequests(target: GitHubTarget, numbers: number[], warn: (message: string) => void = () => {}): Promise<number[]> {
  const unique = [...new Set(numbers)].sort((a, b) => a - b)
  if (unique.length === 0) return []
  const looked = unique.slice(0, MAX_PULL_REQUEST_LOOKUPS)
  if (unique.length > looked.length) {
    warn(`${unique.length} pull-request environments were found; this run looks up the first ${MAX_PULL_REQUEST_LOOKUPS} and keeps the other ${unique.length - looked.length} for a later run.`)
  }
  const { owner, repo } = repositoryParts(target)
  const octokit = await githubClient(target)
  const permission = 'The job needs `permissions: pull-requests: read`.'
  // A token that cannot see the repository gets 404 for every pull request: refuse to judge at all
  // rather than warn about each one.
  await githubCall(target, `read the repository ${owner}/${repo}`, () => octokit.rest.repos.get({ owner, repo, ...requestOptions() }), permission)
  const closed: number[] = []
  const unsure: number[] = []
  for (const number of looked) {
    const state: unknown = await githubCall(target, `look up pull request #${number}`, async () => {
      try {
        return ((await octokit.rest.pulls.get({ owner, repo, pull_number: number, ...requestOptions() })).data as { state?: unknown } | undefined)?.state
      } catch (error) {
        if (httpStatus(error) === 404 && hasResponse(error)) return undefined
        throw error
      }
    }, permission)
    if (state === 'closed') closed.push(number)
    else if (state !== 'open') unsure.push(number)
  }
  if (unsure.length > 0) {
    warn(`The GitHub API did not report pull request(s) ${unsure.map((n) => `#${n}`).join(', ')} as open or closed (not found, or no state); their environments are kept.`)
  }
  return closed
}
