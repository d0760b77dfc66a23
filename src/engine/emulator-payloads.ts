// Payloads on the emulator target: the environment's container on the endpoint's Blob service (Azurite's
// blob service beside its table service). An emulator cannot enforce immutability; the run says so.
import type { ParsedConnectionString } from '../tables/connection-string.js'
import { networkErrorCode, restErrorInfo } from '../tables/errors.js'
import { UserError } from '../errors.js'
import type { EngineIO, Plan } from '../types.js'
import { blobWhere, containerClient, requireEmulatorBlobEndpoint } from '../tables/blob.js'

export const EMULATOR_RETENTION_NOTE =
  'retention-days is not enforced on the emulator target: Azurite accepts no immutability policy, so payload blobs there can be changed or deleted. On target azure the policy is enforced.'

/** Many environments share one emulator, so the container carries the environment's account-style name. */
export function emulatorContainerName(plan: Plan): string {
  return `payloads-${plan.names.storageAccountName}`
}

type Session = { plan: Plan; io: EngineIO; connectionString: string; parsed: ParsedConnectionString }

const endpointFor = (s: Session): string => requireEmulatorBlobEndpoint(s.connectionString, s.parsed)

async function guarded<T>(endpoint: string, action: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (error) {
    const network = networkErrorCode(error)
    if (network) {
      throw new UserError(`Cannot reach the Blob endpoint at ${blobWhere(endpoint)} (${network}) to ${action}. Start Azurite's blob service there (npx azurite-blob --blobHost 127.0.0.1 --blobPort <port> --inMemoryPersistence --disableTelemetry).`)
    }
    const info = restErrorInfo(error)
    throw new UserError(`The Blob endpoint at ${blobWhere(endpoint)} answered ${info.status !== undefined ? `HTTP ${info.status}${info.code ? ` ${info.code}` : ''}` : 'with an error'} to ${action}.`)
  }
}

/** After up: the container exists; its name and the Blob endpoint become outputs. */
export async function upEmulatorPayloads(s: Session): Promise<{ outputs: { payloadContainerName: string; blobEndpoint: string }; notes: string[] }> {
  const endpoint = endpointFor(s)
  const name = emulatorContainerName(s.plan)
  const client = await containerClient(endpoint, name, s.parsed)
  const created = await guarded(endpoint, `create container ${name}`, () => client.createIfNotExists())
  s.io.info(`Container ${name}: ${created.succeeded ? 'created' : 'exists, left as is'} at ${blobWhere(endpoint)}.`)
  const notes = s.plan.payloads?.retentionDays !== undefined ? [EMULATOR_RETENTION_NOTE] : []
  return { outputs: { payloadContainerName: name, blobEndpoint: endpoint }, notes }
}

/** On destroy: the container goes with the environment. */
export async function destroyEmulatorPayloads(s: Session): Promise<string[]> {
  const endpoint = endpointFor(s)
  const name = emulatorContainerName(s.plan)
  const client = await containerClient(endpoint, name, s.parsed)
  const deleted = await guarded(endpoint, `delete container ${name}`, () => client.deleteIfExists())
  return [deleted.succeeded ? `Container ${name} was deleted.` : `Container ${name} did not exist.`]
}

/** On refresh: the outputs name the container only while it exists (refresh creates nothing). */
export async function refreshEmulatorPayloads(s: Session): Promise<{ payloadContainerName?: string; blobEndpoint?: string }> {
  const endpoint = endpointFor(s)
  const name = emulatorContainerName(s.plan)
  const client = await containerClient(endpoint, name, s.parsed)
  return (await guarded(endpoint, `read container ${name}`, () => client.exists())) ? { payloadContainerName: name, blobEndpoint: endpoint } : {}
}
