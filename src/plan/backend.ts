// Where Pulumi keeps the environment's state and how it encrypts the stack's secrets, decided once for
// every later step (preflight, the engine): the input backend-url, else PULUMI_BACKEND_URL.
import { UserError } from '../errors.js'
import type { RunContext } from '../inputs/context.js'
import type { ActionInputs } from '../inputs/inputs.js'
import type { PulumiSettings } from '../types.js'

/** PULUMI_BACKEND_URL, trimmed; never echoed, since it may carry a credential. */
function backendFromEnv(value: string | undefined): string | undefined {
  const text = value?.trim()
  if (!text) return undefined
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(text)) {
    throw new UserError('PULUMI_BACKEND_URL contains whitespace or a control character (the value is not shown: it may hold a credential); set it to a single backend URL.')
  }
  return text
}

/**
 * A Pulumi service (Pulumi Cloud, or one hosted elsewhere) is reached over https:// and encrypts stack
 * secrets itself; every other backend (file, azblob, s3, gs) is self-managed and needs a secrets provider.
 */
export function isSelfManaged(backendUrl: string | undefined): boolean {
  return !!backendUrl && !/^https:\/\//i.test(backendUrl)
}

export function pulumiSettings(inputs: ActionInputs, context: RunContext): PulumiSettings {
  // Only the azure target runs Pulumi; an emulator run is not failed for a variable it never uses.
  const backendUrl = inputs.backendUrl || (inputs.target === 'azure' ? backendFromEnv(context.backendUrlFromEnv) : undefined)
  const selfManaged = isSelfManaged(backendUrl)
  const secretsProvider = inputs.secretsProvider || (selfManaged ? 'passphrase' : undefined)
  return {
    version: inputs.pulumiVersion,
    allowLocalState: inputs.allowLocalState,
    selfManaged,
    ...(backendUrl ? { backendUrl } : {}),
    ...(secretsProvider ? { secretsProvider } : {})
  }
}
