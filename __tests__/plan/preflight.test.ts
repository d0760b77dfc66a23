import { describe, expect, it } from '@jest/globals'
import { UserError } from '../../src/errors.js'
import { checkAzurePrerequisites } from '../../src/plan/preflight.js'
import { makePlan } from '../fixtures/plan.js'

const ids = { ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_SUBSCRIPTION_ID: 's' }
const oidc = { ...ids, ARM_USE_OIDC: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1' }

describe('checkAzurePrerequisites', () => {
  const plan = makePlan({})
  it('passes with Pulumi Cloud and OIDC', () => {
    expect(checkAzurePrerequisites(plan, { PULUMI_ACCESS_TOKEN: 'x', ...oidc }, false).warnings).toEqual([])
  })
  it('needs a backend', () => {
    expect(() => checkAzurePrerequisites(plan, oidc, false)).toThrow(/backend-url.*PULUMI_BACKEND_URL.*PULUMI_ACCESS_TOKEN/)
  })
  it('needs a passphrase for a self-managed backend with passphrase secrets', () => {
    const selfManaged = makePlan({ pulumi: { version: '3.276.0', allowLocalState: false, selfManaged: true, secretsProvider: 'passphrase', backendUrl: 'azblob://state?storage_account=st' } })
    expect(() => checkAzurePrerequisites(selfManaged, oidc, false)).toThrow(/PULUMI_CONFIG_PASSPHRASE/)
    expect(checkAzurePrerequisites(selfManaged, { ...oidc, PULUMI_CONFIG_PASSPHRASE: '' }, false).warnings).toEqual([])
  })
  it('refuses a file:// backend unless local state is allowed', () => {
    const local = (allowLocalState: boolean) => makePlan({ pulumi: { version: '3.276.0', allowLocalState, selfManaged: true, secretsProvider: 'passphrase', backendUrl: 'file://./state' } })
    const env = { ...oidc, PULUMI_CONFIG_PASSPHRASE: 'p' }
    expect(() => checkAzurePrerequisites(local(false), env, false)).toThrow(/allow-local-state: true/)
    expect(checkAzurePrerequisites(local(true), env, false).warnings).toEqual([])
  })
  it('needs credentials, complete ones, and the id-token permission for OIDC', () => {
    expect(() => checkAzurePrerequisites(plan, { PULUMI_ACCESS_TOKEN: 'x' }, false)).toThrow(/ARM_USE_OIDC=true/)
    expect(() => checkAzurePrerequisites(plan, { PULUMI_ACCESS_TOKEN: 'x', ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'c' }, false)).toThrow(/ARM_TENANT_ID, ARM_SUBSCRIPTION_ID/)
    expect(() => checkAzurePrerequisites(plan, { PULUMI_ACCESS_TOKEN: 'x', ...ids, ARM_USE_OIDC: 'true' }, false)).toThrow(/id-token: write/)
  })
  it('warns when a client secret overrides OIDC', () => {
    const { warnings } = checkAzurePrerequisites(plan, { PULUMI_ACCESS_TOKEN: 'x', ...oidc, ARM_CLIENT_SECRET: 's3cret' }, false)
    expect(warnings[0]).toMatch(/client secret takes precedence/)
  })
  it('refuses fork pull requests and suggests the emulator', () => {
    expect(() => checkAzurePrerequisites(plan, { PULUMI_ACCESS_TOKEN: 'x', ...oidc }, true)).toThrow(UserError)
    expect(() => checkAzurePrerequisites(plan, { PULUMI_ACCESS_TOKEN: 'x', ...oidc }, true)).toThrow(/target: emulator/)
  })
})
