// The one way this repository runs the bundled action: as GitHub's runner does. Every input that
// action.yml declares with a default arrives as INPUT_<NAME> at that default unless the caller sets
// it; the runner's own files and directories exist; nothing else leaks in from the caller's shell.
// Used by the bundle tests, the leak and hostile-input harnesses, `npm run local` and the bench.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

/** A value shaped like the runner's installation token, so masking and scans see a real-looking secret. */
export const RUNNER_TOKEN = 'ghs_FakeRunnerTokenForTests0123456789abc'

/** action.yml's defaults, by input name; `${{ github.token }}` becomes a token-shaped value. */
export function actionDefaults(actionYml) {
  const action = parse(readFileSync(actionYml, 'utf8'))
  const defaults = {}
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    if (spec?.default === undefined) continue
    const value = String(spec.default)
    defaults[name] = /\$\{\{\s*github\.token\s*\}\}/.test(value) ? RUNNER_TOKEN : value
  }
  return defaults
}

/** The runner's name for an input's variable: upper case, spaces to '_', hyphens kept. */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * The environment of one step run in `dir` (created files: output, summary, env, path, state; directories:
 * temp, tool cache, workspace). `inputs` override the defaults; `env` adds or overrides variables last.
 */
export function runnerEnv({ actionYml, dir, inputs = {}, env = {}, basePath = process.env.PATH ?? '/usr/bin:/bin' }) {
  mkdirSync(dir, { recursive: true })
  const files = {
    output: join(dir, 'github-output'),
    summary: join(dir, 'step-summary'),
    env: join(dir, 'github-env'),
    path: join(dir, 'github-path'),
    state: join(dir, 'github-state')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  for (const sub of ['runner-temp', 'tool-cache', 'workspace', 'home']) mkdirSync(join(dir, sub), { recursive: true })
  const all = { ...actionDefaults(actionYml), ...inputs }
  const vars = {
    PATH: basePath,
    HOME: join(dir, 'home'),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    GITHUB_WORKSPACE: join(dir, 'workspace'),
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: '0123abc',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    RUNNER_TEMP: join(dir, 'runner-temp'),
    RUNNER_TOOL_CACHE: join(dir, 'tool-cache'),
    RUNNER_OS: 'Linux',
    ...Object.fromEntries(Object.entries(all).map(([k, v]) => [inputVariable(k), v])),
    ...env
  }
  return { env: vars, files }
}

/** Parses the runner's `name<<delimiter` heredoc format (and plain `name=value` lines). */
export function parseOutputFile(text) {
  const out = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const value = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i])
      out[heredoc[1]] = value.join('\n')
      continue
    }
    const plain = /^([^=]+)=(.*)$/.exec(lines[i])
    if (plain) out[plain[1]] = plain[2]
  }
  return out
}

/** Runs `node <entry>` in that environment; resolves with exit code, stdout, stderr. */
export function runNode({ node = process.execPath, entry, cwd, env }) {
  return new Promise((done, fail) => {
    const child = spawn(node, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d.toString()))
    child.stderr.on('data', (d) => (stderr += d.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}
