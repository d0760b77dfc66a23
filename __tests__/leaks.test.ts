// The leak harness: success and failure paths, through the bundle and in-process, and every secret
// appears only in its ::add-mask:: line and the connection-string output, never before its mask.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { AzureNamedKeyCredential, generateAccountSas } from '@azure/data-tables'
import { startAzurite, freePort, type AzuriteHandle } from './fixtures/azurite.js'
import { copyBundle, type BundleCopy } from './fixtures/bundle.js'
import { runAction, errorLines, type ActionRun } from './fixtures/action-run.js'
import { leakProblems, pullRequestEvent, runTraced, startFakeGitHub, unmasked, type FakeGitHub, type Secret, type Written } from './fixtures/leaks.js'
import { cliFailure } from '../src/engine/pulumi-results.js'
import { emptyChanges, type Engine, type EngineIO, type EngineResult, type Plan } from '../src/types.js'

const random = (bytes: number): string => randomBytes(bytes).toString('hex')
// A custom Azurite account: its key is random, so it can only appear where the action put it.
const ACCOUNT = `leak${random(4)}`
const KEY = randomBytes(64).toString('base64')

const ENV_SECRETS = {
  PULUMI_ACCESS_TOKEN: `pul-${random(20)}`,
  PULUMI_CONFIG_PASSPHRASE: `passphrase-${random(12)}`,
  AZURE_STORAGE_KEY: randomBytes(32).toString('base64'),
  ARM_CLIENT_SECRET: `arm~${random(16)}`
}
const GITHUB_TOKEN = `ghs_${random(18)}`
const named = (values: Record<string, string>): Secret[] => Object.entries(values).map(([name, value]) => ({ name, value }))
const ALWAYS: Secret[] = [...named(ENV_SECRETS), { name: 'github-token', value: GITHUB_TOKEN }]

let bundle: BundleCopy
let azurite: AzuriteHandle
let github: FakeGitHub
let connectionString: string

beforeAll(async () => {
  bundle = copyBundle()
  github = await startFakeGitHub()
  const saved = process.env.AZURITE_ACCOUNTS
  process.env.AZURITE_ACCOUNTS = `${ACCOUNT}:${KEY}`
  try {
    azurite = await startAzurite()
  } finally {
    if (saved === undefined) delete process.env.AZURITE_ACCOUNTS
    else process.env.AZURITE_ACCOUNTS = saved
  }
  connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:${azurite.port}/${ACCOUNT};`
})
afterAll(async () => {
  await azurite?.stop()
  await github?.stop()
  bundle?.remove()
})

const debugEnv = (): Record<string, string> => ({ RUNNER_DEBUG: '1', ...ENV_SECRETS })

function expectNoLeaks(written: Written[], secrets: Secret[]): void {
  expect(leakProblems(written, [...secrets, ...ALWAYS])).toEqual([])
}

describe('the bundle leaks no secret', () => {
  it('emulator up with RUNNER_DEBUG=1 and a pull request comment', async () => {
    const env = {
      ...debugEnv(),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: pullRequestEvent(bundle.dir, 5),
      GITHUB_API_URL: github.url
    }
    const inputs = { target: 'emulator', 'emulator-connection-string': connectionString, environment: 'pr-5', 'comment-on-pr': 'true', 'github-token': GITHUB_TOKEN }
    const { run, written } = await runTraced(bundle, inputs, env)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.outputs['connection-string']).toBe(connectionString)
    expect(github.bodies.length).toBeGreaterThan(0)
    const comments = github.bodies.map((text) => ({ channel: 'comment', text }))
    const secrets = [{ name: 'connection string', value: connectionString }, { name: 'account key', value: KEY }]
    expectNoLeaks([...written, ...comments], secrets)
    expect(unmasked(written, [...secrets, ...ALWAYS])).toEqual([])
  })

  it('emulator up with a SAS connection string', async () => {
    const sas = generateAccountSas(new AzureNamedKeyCredential(ACCOUNT, KEY), {
      expiresOn: new Date(Date.now() + 3600_000),
      permissions: { query: true, write: true, delete: true, list: true, add: true, update: true },
      resourceTypes: 'sco'
    }).replace(/^\?/, '')
    const sig = /(?:^|&)sig=([^&]+)/.exec(sas)![1]!
    const cs = `TableEndpoint=http://127.0.0.1:${azurite.port}/${ACCOUNT};SharedAccessSignature=${sas};`
    const { run, written } = await runTraced(bundle, { target: 'emulator', 'emulator-connection-string': cs, environment: 'pr-6' }, debugEnv())
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const secrets = [
      { name: 'connection string', value: cs },
      { name: 'SAS', value: sas },
      { name: 'SAS signature', value: decodeURIComponent(sig) }
    ]
    expectNoLeaks(written, secrets)
    expect(unmasked(written, secrets.slice(0, 2))).toEqual([])
  })

  it('emulator destroy', async () => {
    const inputs = { target: 'emulator', 'emulator-connection-string': connectionString, environment: 'pr-5', command: 'destroy' }
    const { run, written } = await runTraced(bundle, inputs, debugEnv())
    expect(run.code).toBe(0)
    expectNoLeaks(written, [{ name: 'connection string', value: connectionString }, { name: 'account key', value: KEY }])
  })

  it('a closed endpoint', async () => {
    const cs = connectionString.replace(`:${azurite.port}/`, `:${await freePort()}/`)
    const { run, written } = await runTraced(bundle, { target: 'emulator', 'emulator-connection-string': cs, environment: 'pr-5' }, debugEnv())
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::Cannot reach the Table endpoint/)
    expectNoLeaks(written, [{ name: 'connection string', value: cs }, { name: 'account key', value: KEY }])
  })

  it('a malformed connection string that carries a key', async () => {
    const cs = `AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=ftp://127.0.0.1/${ACCOUNT}`
    const { run, written } = await runTraced(bundle, { target: 'emulator', 'emulator-connection-string': cs, environment: 'pr-5' }, debugEnv())
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::Input 'emulator-connection-string'/)
    expectNoLeaks(written, [{ name: 'connection string', value: cs }, { name: 'account key', value: KEY }])
  })

  it('the azure target failing in preflight with every backend secret set', async () => {
    const sasToken = `sv=2022-11-02&ss=b&sig=${encodeURIComponent(randomBytes(32).toString('base64'))}`
    const env = { ...debugEnv(), AZURE_STORAGE_SAS_TOKEN: sasToken, ARM_TENANT_ID: 't', ARM_SUBSCRIPTION_ID: 's' }
    const inputs = { environment: 'pr-5', 'backend-url': 'azblob://state?storage_account=statestore', 'github-token': GITHUB_TOKEN }
    const { run, written } = await runTraced(bundle, inputs, env)
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout)).toEqual(['::error::Azure credentials are incomplete: set ARM_CLIENT_ID.'])
    const secrets = [{ name: 'AZURE_STORAGE_SAS_TOKEN', value: sasToken }]
    expectNoLeaks(written, secrets)
    expect(unmasked(written, [...secrets, ...ALWAYS])).toEqual([])
  })
})

// In-process: engines that fail with the secrets in their message, as an SDK or the Pulumi CLI can.
const SIG = encodeURIComponent(randomBytes(32).toString('base64'))
const AZURE_CS = `DefaultEndpointsProtocol=https;AccountName=acct${random(4)};AccountKey=${KEY};EndpointSuffix=core.windows.net`
const SAS_URL = `https://acct.table.core.windows.net/events?sv=2022-11-02&se=2030-01-01&sp=raud&sig=${SIG}`
const FAILURE_TEXT =
  `CommandError: code: 255\n stdout: Updating (pr-5)\n  azure-native:storage:Table table-events creating (1s) error: ` +
  `PUT ${SAS_URL} failed\n stderr: error: using ${AZURE_CS} with token ${ENV_SECRETS.PULUMI_ACCESS_TOKEN} ` +
  `and passphrase ${ENV_SECRETS.PULUMI_CONFIG_PASSPHRASE}: 403 AuthorizationFailure`

class FailingEngine implements Engine {
  constructor(private readonly error: (plan: Plan) => Error, private readonly learnSecrets: boolean) {}
  async run(plan: Plan, io: EngineIO): Promise<EngineResult> {
    if (this.learnSecrets) {
      // A real engine registers what it learns before anything can fail with it.
      io.registerSecret(AZURE_CS)
      io.registerSecret(KEY)
    }
    io.info(`up on ${plan.names.stackName}`)
    throw this.error(plan)
  }
  async listEnvironments(): Promise<string[]> {
    return []
  }
}

class CommentingEngine implements Engine {
  async run(plan: Plan, io: EngineIO): Promise<EngineResult> {
    io.registerSecret(AZURE_CS)
    io.registerSecret(KEY)
    const outputs = {
      connectionString: AZURE_CS,
      accountKey: KEY,
      tableNames: plan.tables,
      storageAccountName: plan.names.storageAccountName,
      resourceGroupName: plan.names.resourceGroupName,
      tableEndpoint: 'https://acct.table.core.windows.net/',
      stackName: plan.names.stackName
    }
    return { changes: { ...emptyChanges(), create: 3 }, outputs, resources: [], notes: [] }
  }
  async listEnvironments(): Promise<string[]> {
    return []
  }
}

const IN_PROCESS_SECRETS: Secret[] = [
  { name: 'connection string', value: AZURE_CS },
  { name: 'account key', value: KEY },
  { name: 'SAS signature', value: SIG },
  { name: 'SAS signature (decoded)', value: decodeURIComponent(SIG) }
]

function writtenBy(run: ActionRun, comments: string[] = []): Written[] {
  return [
    { channel: 'stdout', text: run.stdout },
    { channel: 'summary', text: run.summary },
    ...(run.outputFile ? [{ channel: 'output', text: run.outputFile }] : []),
    ...comments.map((text) => ({ channel: 'comment', text }))
  ]
}

// Everything the azure target's preflight wants, so the in-process runs reach the engine.
const AZURE_ENV = { ...ENV_SECRETS, ARM_CLIENT_ID: 'client', ARM_TENANT_ID: 'tenant', ARM_SUBSCRIPTION_ID: 'subscription' }

const runWith = (engine: Engine, inputs: Record<string, string> = {}, env: Record<string, string> = {}): Promise<ActionRun> =>
  runAction(
    { environment: 'pr-5', 'github-token': GITHUB_TOKEN, ...inputs },
    { loadEngine: async () => engine, verifyEventStore: async () => ({ ok: true, checks: [] }) },
    { ...AZURE_ENV, ...env }
  )

describe('an engine failure that embeds the secrets is reported without them', () => {
  it.each([
    ['an unexpected error, after the engine registered what it learned', () => new Error(FAILURE_TEXT), true],
    ['a CLI failure (UserError) before the engine learned anything', (plan: Plan) => cliFailure('up', plan.names.stackName, new Error(FAILURE_TEXT)), false]
  ])('%s', async (_, error, learnSecrets) => {
    const run = await runWith(new FailingEngine(error, learnSecrets))
    expect(run.exitCode).toBe(1)
    // An unexpected error also goes to the debug log with its stack: that path is checked too.
    expect(/^::debug::/m.test(run.stdout)).toBe(learnSecrets)
    expect(errorLines(run.stdout)).toHaveLength(1)
    // The error still says what failed.
    expect(errorLines(run.stdout)[0]).toMatch(/403 AuthorizationFailure|AuthorizationFailure/)
    expectNoLeaks(writtenBy(run), IN_PROCESS_SECRETS)
  })

  it('a failed PR comment does not print the secrets its error carries', async () => {
    const eventDir = bundle.dir
    const run = await runAction(
      { environment: 'pr-5', 'comment-on-pr': 'true', 'github-token': GITHUB_TOKEN },
      {
        loadEngine: async () => new CommentingEngine(),
        verifyEventStore: async () => ({ ok: true, checks: [] }),
        upsertComment: async () => {
          throw new Error(`HTTP 403 for token ${GITHUB_TOKEN} while posting ${AZURE_CS}`)
        }
      },
      { ...AZURE_ENV, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent(eventDir, 5) }
    )
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/::warning::Could not comment on pull request #5/)
    expectNoLeaks(writtenBy(run), IN_PROCESS_SECRETS)
  })

  it('a successful up masks before the first output and keeps the secrets out of the comment', async () => {
    const comments: string[] = []
    const run = await runAction(
      { environment: 'pr-5', 'comment-on-pr': 'true', 'github-token': GITHUB_TOKEN },
      {
        loadEngine: async () => new CommentingEngine(),
        verifyEventStore: async () => ({ ok: true, checks: [] }),
        upsertComment: async (_target, _n, _env, markdown) => {
          comments.push(markdown)
        }
      },
      { ...AZURE_ENV, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: pullRequestEvent(bundle.dir, 5) }
    )
    expect(run.exitCode).toBe(0)
    expect(comments).toHaveLength(1)
    expect(run.outputs['connection-string']).toBe(AZURE_CS)
    // Every mask was printed while GITHUB_OUTPUT was still empty.
    expect(run.outputSizeAtMask.length).toBeGreaterThanOrEqual(2)
    expect(run.outputSizeAtMask.every((size) => size === 0)).toBe(true)
    const written = writtenBy(run, comments)
    expectNoLeaks(written, IN_PROCESS_SECRETS)
    expect(unmasked(written, IN_PROCESS_SECRETS.slice(0, 2))).toEqual([])
  })
})

describe('the leak check itself', () => {
  const secret: Secret = { name: 'key', value: 'c2VjcmV0LWtleS12YWx1ZQ==' }
  const cs = `AccountName=a;AccountKey=${secret.value}`
  const mask = (value: string): Written => ({ channel: 'stdout', text: `::add-mask::${value}\n` })

  it('accepts a secret in its mask line and in the connection-string output after the mask', () => {
    expect(leakProblems([mask(cs), { channel: 'output', text: `connection-string<<d\n${cs}\nd\n` }], [secret])).toEqual([])
  })
  it.each([
    ['a log line', [mask(secret.value), { channel: 'stdout', text: `key is ${secret.value}\n` }]],
    ['an escaped command', [{ channel: 'stdout', text: `::warning::key%25 is ${secret.value}\n` }]],
    ['its URL-encoded form', [{ channel: 'stdout', text: `url?k=${encodeURIComponent(secret.value)}\n` }]],
    ['another output', [mask(secret.value), { channel: 'output', text: `table-endpoint<<d\n${secret.value}\nd\n` }]],
    ['the summary', [{ channel: 'summary', text: `| ${secret.value} |` }]],
    ['a comment', [{ channel: 'comment', text: secret.value }]],
    ['the connection-string output before the mask', [{ channel: 'output', text: `connection-string<<d\n${cs}\nd\n` }, mask(cs)]]
  ])('finds it in %s', (_, written) => {
    expect(leakProblems(written, [secret])).toHaveLength(1)
  })
  it('knows which secrets were never masked', () => {
    expect(unmasked([mask(cs)], [secret, { name: 'cs', value: cs }])).toEqual(['key'])
  })
})
