// One comment per environment on the pull request, created on the first run and edited in place
// afterwards. It is found by a hidden marker AND its author being the token's own identity: anyone can
// write the marker, so a comment by someone else is never edited. The body is the marker and the Markdown.
import { githubCall, githubClient, repositoryParts, requestOptions, type GitHubClient, type GitHubTarget } from './github.js'

/** GitHub refuses longer comment bodies. */
export const COMMENT_LIMIT = 65_536
export const TRIM_NOTE = '…trimmed; the full report is in the job summary'

const PERMISSION = 'The job needs `permissions: pull-requests: write` (pull requests from forks get a read-only token).'

/** URI-encoded, so no environment name can close the HTML comment or look like another one's marker. */
export function commentMarker(environment: string): string {
  return `<!-- event-store-env-action environment=${encodeURIComponent(environment)} -->`
}

/** Marker on the first line, then the Markdown, cut to COMMENT_LIMIT characters with a visible note. */
export function commentBody(environment: string, markdown: string): string {
  const head = commentMarker(environment) + '\n'
  const full = head + markdown
  if (full.length <= COMMENT_LIMIT) return full
  const tail = `\n\n_${TRIM_NOTE}_\n`
  let kept = markdown.slice(0, Math.max(0, COMMENT_LIMIT - head.length - tail.length))
  // End on a whole line so a table row or inline code is not left open; never split a surrogate pair.
  const lastNewline = kept.lastIndexOf('\n')
  if (lastNewline > 0) kept = kept.slice(0, lastNewline)
  else if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1)
  return head + kept.trimEnd() + tail
}

function carriesMarker(body: string | null | undefined, marker: string): boolean {
  return (body ?? '').split(/\r?\n/, 1)[0]?.trim() === marker
}

/** The author of comments made with GITHUB_TOKEN. */
export const ACTIONS_BOT = 'github-actions[bot]'
/** Most comments one run reads looking for its own (100 per page). */
export const MAX_COMMENT_PAGES = 30

/**
 * Who the token writes as: GITHUB_TOKEN (an installation token, `ghs_`) writes as github-actions[bot];
 * any other token is asked with GET /user, once. Undefined when the API does not say: then the action
 * edits nothing and creates a new comment.
 */
export async function tokenIdentity(target: GitHubTarget, octokit: GitHubClient): Promise<string | undefined> {
  if (target.token.startsWith('ghs_')) return ACTIONS_BOT
  try {
    const login = (await octokit.rest.users.getAuthenticated(requestOptions())).data?.login
    return typeof login === 'string' && login !== '' ? login : undefined
  } catch {
    return undefined
  }
}

export async function upsertPullRequestComment(
  target: GitHubTarget,
  pullRequestNumber: number,
  environment: string,
  markdown: string
): Promise<'created' | 'updated'> {
  const { owner, repo } = repositoryParts(target)
  const octokit = await githubClient(target)
  const marker = commentMarker(environment)
  const body = commentBody(environment, markdown)
  const where = `pull request #${pullRequestNumber}`

  const identity = await tokenIdentity(target, octokit)
  const ours = (c: { body?: string | null; user?: { login?: string } | null }): boolean =>
    identity !== undefined && c.user?.login === identity && carriesMarker(c.body, marker)
  const existing = await githubCall(
    target,
    `list the comments of ${where}`,
    async () => {
      if (identity === undefined) return undefined
      const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: pullRequestNumber, per_page: 100, ...requestOptions() })
      let read = 0
      for await (const page of pages) {
        const found = page.data.find(ours)
        if (found) return found.id
        if (++read >= MAX_COMMENT_PAGES) return undefined
      }
      return undefined
    },
    PERMISSION
  )
  if (existing !== undefined) {
    await githubCall(target, `edit the comment on ${where}`, () => octokit.rest.issues.updateComment({ owner, repo, comment_id: existing, body, ...requestOptions() }), PERMISSION)
    return 'updated'
  }
  await githubCall(target, `comment on ${where}`, () => octokit.rest.issues.createComment({ owner, repo, issue_number: pullRequestNumber, body, ...requestOptions() }), PERMISSION)
  return 'created'
}
