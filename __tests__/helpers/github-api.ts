// A stand-in for the GitHub REST API on 127.0.0.1 (free port): only what the action calls, with
// GitHub's pagination (Link header) and errors, recording every request so tests can assert on it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  /** Path and query as received (with the API prefix, if any). */
  path: string
  body: string
  authorization: string | undefined
}

export interface StoredComment {
  id: number
  body: string
  user: { login: string }
}

export interface GitHubApiOptions {
  /** owner/name the API knows; other repositories answer 404. */
  repository?: string
  /** Path prefix, as on GitHub Enterprise Server (`/api/v3`). */
  prefix?: string
}

export interface GitHubApi {
  /** The API root to use as GITHUB_API_URL. */
  url: string
  requests: RecordedRequest[]
  /** Comments by issue (pull request) number. */
  comments: Map<number, StoredComment[]>
  /** Pull request states, or a whole answer body (e.g. one without `state`); numbers not here answer 404. */
  pulls: Map<number, 'open' | 'closed' | Record<string, unknown>>
  /** Who each token is (GET /user, and the author of what it writes); others are github-actions[bot] and GET /user answers 403. */
  logins: Map<string, string>
  /** When set, every request answers this status with a GitHub-style error body. */
  failWith: number | undefined
  addComment(issue: number, body: string, login?: string): StoredComment
  commentsOn(issue: number): StoredComment[]
  /** Bodies of every POST and PATCH. */
  writtenBodies(): string[]
  stop(): Promise<void>
}

const DEFAULT_PER_PAGE = 30
const BOT = 'github-actions[bot]'

export async function startGitHubApi(options: GitHubApiOptions = {}): Promise<GitHubApi> {
  const repository = options.repository ?? 'octo/app'
  const prefix = options.prefix ?? ''
  let nextId = 1000
  let url = ''

  const api: GitHubApi = {
    url: '',
    requests: [],
    comments: new Map(),
    pulls: new Map(),
    logins: new Map(),
    failWith: undefined,
    addComment(issue, body, login = BOT) {
      const comment = { id: nextId++, body, user: { login } }
      api.comments.set(issue, [...api.commentsOn(issue), comment])
      return comment
    },
    commentsOn: (issue) => api.comments.get(issue) ?? [],
    writtenBodies: () => api.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH').map((r) => r.body),
    stop: () =>
      new Promise((done) => {
        server.close(() => done())
        server.closeAllConnections() // keep-alive connections would hold close() open
      })
  }

  function send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(JSON.stringify(data))
  }

  const notFound = (res: ServerResponse): void => send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })

  function commentJson(c: StoredComment): Record<string, unknown> {
    return { id: c.id, body: c.body, user: c.user, html_url: `${url}/comment/${c.id}` }
  }

  function listComments(res: ServerResponse, issue: number, query: URLSearchParams, pathname: string): void {
    const perPage = Math.min(Number(query.get('per_page') ?? DEFAULT_PER_PAGE) || DEFAULT_PER_PAGE, 100)
    const page = Math.max(Number(query.get('page') ?? 1) || 1, 1)
    const all = api.commentsOn(issue)
    const slice = all.slice((page - 1) * perPage, page * perPage)
    const headers: Record<string, string> = {}
    if (page * perPage < all.length) headers.link = `<${url}${pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"`
    send(res, 200, slice.map(commentJson), headers)
  }

  function route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const target = new URL(req.url ?? '/', 'http://127.0.0.1')
    api.requests.push({ method: req.method ?? '', path: target.pathname + target.search, body, authorization: req.headers.authorization })
    if (!target.pathname.startsWith(prefix + '/')) return notFound(res)
    const path = target.pathname.slice(prefix.length)
    if (api.failWith !== undefined) return send(res, api.failWith, { message: `Stand-in refuses with ${api.failWith}`, documentation_url: 'https://docs.github.com/rest' })
    const token = (req.headers.authorization ?? '').replace(/^(token|bearer)\s+/i, '')
    const login = api.logins.get(token)
    if (path === '/user' && req.method === 'GET') {
      // Installation tokens (GITHUB_TOKEN) cannot read /user.
      return login ? send(res, 200, { login, id: 1 }) : send(res, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' })
    }

    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path)
    if (!m || `${m[1]}/${m[2]}` !== repository) return notFound(res)
    const rest = m[3] ?? ''
    let parts: RegExpExecArray | null
    if (rest === '' && req.method === 'GET') return send(res, 200, { full_name: repository, private: true })
    if ((parts = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(parts[1])
      if (req.method === 'GET') return listComments(res, issue, target.searchParams, target.pathname)
      if (req.method === 'POST') return send(res, 201, commentJson(api.addComment(issue, (JSON.parse(body) as { body: string }).body, login ?? BOT)))
    }
    if ((parts = /^\/issues\/comments\/(\d+)$/.exec(rest)) && req.method === 'PATCH') {
      const id = Number(parts[1])
      for (const list of api.comments.values()) {
        const found = list.find((c) => c.id === id)
        if (found) {
          found.body = (JSON.parse(body) as { body: string }).body
          return send(res, 200, commentJson(found))
        }
      }
      return notFound(res)
    }
    if ((parts = /^\/pulls\/(\d+)$/.exec(rest)) && req.method === 'GET') {
      const number = Number(parts[1])
      const state = api.pulls.get(number)
      if (state === undefined) return notFound(res)
      return send(res, 200, typeof state === 'string' ? { number, state, merged: false } : state)
    }
    notFound(res)
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => done())
  })
  const { port } = server.address() as AddressInfo
  url = `http://127.0.0.1:${port}`
  api.url = url + prefix
  return api
}
