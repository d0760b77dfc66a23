// The backend and secrets provider are decided once, in the plan, for preflight and the engine alike.
import { describe, expect, it } from '@jest/globals'
import { readInputs } from '../../src/inputs/inputs.js'
import { isSelfManaged } from '../../src/plan/backend.js'
import { buildPlan } from '../../src/plan/plan.js'
import { checkAzurePrerequisites } from '../../src/plan/preflight.js'

const CONTEXT = { eventName: 'push', repository: 'octo/app', sha: 'abc' }
const planFor = (inputs: Record<string, string>, backendUrlFromEnv?: string) =>
  buildPlan(readInputs((name) => ({ environment: 'staging', ...inputs })[name] ?? ''), { ...CONTEXT, ...(backendUrlFromEnv !== undefined ? { backendUrlFromEnv } : {}) })

describe('the backend, decided in the plan', () => {
  it('takes the input first, else PULUMI_BACKEND_URL trimmed; none means Pulumi Cloud', () => {
    expect(planFor({ 'backend-url': 'azblob://state?storage_account=st' }, 's3://other').pulumi.backendUrl).toBe('azblob://state?storage_account=st')
    expect(planFor({}, '  s3://bucket  ').pulumi.backendUrl).toBe('s3://bucket')
    expect(planFor({}).pulumi).toMatchObject({ selfManaged: false })
    expect(planFor({}).pulumi.backendUrl).toBeUndefined()
  })

  it('a Pulumi service (https) keeps its own secrets; every other backend defaults to passphrase secrets', () => {
    expect(isSelfManaged('https://api.pulumi.com')).toBe(false)
    expect(isSelfManaged('HTTPS://pulumi.example.com')).toBe(false)
    for (const url of ['file:///state', 'FILE:///state', 'azblob://c', 's3://b', 'gs://b']) expect(isSelfManaged(url)).toBe(true)
    expect(planFor({}, 'gs://bucket').pulumi).toMatchObject({ selfManaged: true, secretsProvider: 'passphrase' })
    expect(planFor({ 'secrets-provider': 'azurekeyvault://vault.example/keys/k' }, 'gs://bucket').pulumi.secretsProvider).toBe('azurekeyvault://vault.example/keys/k')
    expect(planFor({}, 'https://pulumi.example.com').pulumi.secretsProvider).toBeUndefined()
  })

  it('refuses a PULUMI_BACKEND_URL with whitespace inside without echoing it, and only where Pulumi runs', () => {
    expect(() => planFor({}, 'azblob://c?key=S3cretValue x')).toThrow(/PULUMI_BACKEND_URL contains whitespace/)
    try {
      planFor({}, 'azblob://c?key=S3cretValue x')
    } catch (error) {
      expect(String(error)).not.toContain('S3cret')
    }
    expect(planFor({ target: 'emulator' }, 'azblob://c?key=S3cretValue x').pulumi.backendUrl).toBeUndefined()
  })

  it('preflight sees the same backend: a file:// from PULUMI_BACKEND_URL needs allow-local-state', () => {
    const env = { ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_SUBSCRIPTION_ID: 's', ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1', PULUMI_CONFIG_PASSPHRASE: 'p' }
    expect(() => checkAzurePrerequisites(planFor({}, 'file:///state'), env, false)).toThrow(/allow-local-state: true/)
    expect(checkAzurePrerequisites(planFor({ 'allow-local-state': 'true' }, 'file:///state'), env, false).warnings).toEqual([])
  })
})
