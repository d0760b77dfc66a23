// Checks the Azure target's prerequisites before any engine work, so a missing backend or
// credential is one clear error instead of a failure deep inside the Pulumi CLI.
import { UserError } from '../errors.js'
import type { Plan } from '../types.js'

export interface PreflightResult {
  warnings: string[]
}

const truthy = (v: string | undefined): boolean => /^(1|true|yes)$/i.test(v ?? '')

export function checkAzurePrerequisites(plan: Plan, env: NodeJS.ProcessEnv, fromFork: boolean): PreflightResult {
  const warnings: string[] = []
  if (fromFork) {
    throw new UserError(
      'This pull request comes from a fork, and GitHub gives forks no secrets and no OIDC token, so the azure target cannot sign in. ' +
        'Use target: emulator (with Azurite as a service container) for fork pull requests.'
    )
  }
  // Decided once in the plan (plan/backend.ts): the input backend-url, else PULUMI_BACKEND_URL.
  const backend = plan.pulumi.backendUrl
  if (!backend && !env.PULUMI_ACCESS_TOKEN) {
    throw new UserError(
      'No Pulumi backend: set the input backend-url (e.g. azblob://state?storage_account=NAME) or the variable PULUMI_BACKEND_URL, ' +
        'or set PULUMI_ACCESS_TOKEN to use Pulumi Cloud.'
    )
  }
  if (/^file:/i.test(backend ?? '') && !plan.pulumi.allowLocalState) {
    throw new UserError(
      "A file:// backend keeps the state on the runner, and a hosted runner loses it when the job ends, so a later destroy cannot find the environment. " +
        'Use Pulumi Cloud or azblob://, or set allow-local-state: true on a self-hosted runner that keeps the directory.'
    )
  }
  if (plan.pulumi.selfManaged && plan.pulumi.secretsProvider === 'passphrase' && env.PULUMI_CONFIG_PASSPHRASE === undefined && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    throw new UserError(
      'The self-managed backend encrypts stack secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE (the same value on every run, from a secret), ' +
        'or choose another secrets-provider such as azurekeyvault://....'
    )
  }

  const ids = ['ARM_CLIENT_ID', 'ARM_TENANT_ID', 'ARM_SUBSCRIPTION_ID'].filter((k) => !env[k])
  const oidc = truthy(env.ARM_USE_OIDC)
  const secret = !!env.ARM_CLIENT_SECRET
  const msi = truthy(env.ARM_USE_MSI)
  if (msi) {
    if (!env.ARM_SUBSCRIPTION_ID) throw new UserError('ARM_USE_MSI is set but ARM_SUBSCRIPTION_ID is not: set it to the subscription to deploy into.')
  } else if (!oidc && !secret) {
    throw new UserError(
      'No Azure credentials: for OIDC set ARM_USE_OIDC=true, ARM_CLIENT_ID, ARM_TENANT_ID and ARM_SUBSCRIPTION_ID and give the job ' +
        "'permissions: id-token: write'; or set ARM_CLIENT_SECRET with the same three IDs."
    )
  } else if (ids.length > 0) {
    throw new UserError(`Azure credentials are incomplete: set ${ids.join(', ')}.`)
  }
  if (oidc && !env.ACTIONS_ID_TOKEN_REQUEST_URL && !env.ARM_OIDC_TOKEN) {
    throw new UserError("ARM_USE_OIDC is true but this job cannot request an OIDC token: add 'permissions: id-token: write' to the job.")
  }
  if (oidc && secret) {
    warnings.push('Both ARM_USE_OIDC and ARM_CLIENT_SECRET are set; the client secret takes precedence over OIDC. Remove ARM_CLIENT_SECRET to use OIDC.')
  }
  return { warnings }
}
