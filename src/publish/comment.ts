// One comment per environment on the pull request, created on the first run and edited in place
// afterwards. It is found by a hidden marker (not by position or author), so other comments,
// bots' or people's, never get overwritten. The body is only the marker and the Markdown given.
import { githubCall, githubClient, repositoryParts, requestOptions, type GitHubTarget } from '../github.js'

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

  const existing = await githubCall(
    target,
    `list the comments of ${where}`,
    async () => {
      const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: pullRequestNumber, per_page: 100, ...requestOptions() })
      for await (const page of pages) {
        const found = page.data.find((c) => carriesMarker(c.body, marker))
        if (found) return found.id
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
