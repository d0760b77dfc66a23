// The workflow run's context, read from the runner's GITHUB_* variables. Read directly
// (not through @actions/github) so the common path does not load the Octokit client.
import { readFileSync } from 'node:fs'

/** What the plan needs to know about the workflow run (from GITHUB_* variables). */
export interface RunContext {
  eventName: string
  /** The pull request number on pull_request(_target) events. */
  pullRequestNumber?: number
  /** owner/name; 'local' outside Actions. */
  repository: string
  sha: string
  /** PULUMI_BACKEND_URL as set (may carry a credential: never echoed). */
  backendUrlFromEnv?: string
}

interface PullRequestEvent {
  number?: number
  pull_request?: { number?: number; head?: { repo?: { full_name?: string } }; base?: { repo?: { full_name?: string } } }
}

export interface FullRunContext extends RunContext {
  /** True for a pull request whose head is in another repository (a fork): no secrets, no OIDC token. */
  fromFork: boolean
}

export function readRunContext(env: NodeJS.ProcessEnv): FullRunContext {
  const eventName = env.GITHUB_EVENT_NAME ?? ''
  let event: PullRequestEvent = {}
  if (env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as PullRequestEvent
    } catch {
      event = {} // a missing or unreadable event file only loses the PR defaults
    }
  }
  const isPullRequest = eventName === 'pull_request' || eventName === 'pull_request_target'
  const number = event.pull_request?.number ?? event.number
  const head = event.pull_request?.head?.repo?.full_name
  const base = event.pull_request?.base?.repo?.full_name
  return {
    eventName,
    ...(isPullRequest && typeof number === 'number' ? { pullRequestNumber: number } : {}),
    repository: env.GITHUB_REPOSITORY || 'local',
    sha: env.GITHUB_SHA || 'local',
    ...(env.PULUMI_BACKEND_URL ? { backendUrlFromEnv: env.PULUMI_BACKEND_URL } : {}),
    fromFork: isPullRequest && !!head && !!base && head !== base
  }
}
