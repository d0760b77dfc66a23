// Sets the step outputs. Secrets must already be masked (publish/secrets.ts) when this runs.
import * as core from '@actions/core'
import type { EnvironmentOutputs } from '../types.js'

export function setEnvironmentOutputs(outputs: EnvironmentOutputs): void {
  core.setOutput('connection-string', outputs.connectionString)
  core.setOutput('table-name', outputs.tableNames[0] ?? '')
  core.setOutput('table-names', JSON.stringify(outputs.tableNames))
  core.setOutput('table-connection-strings', tableConnectionStrings(outputs.tableConnectionStrings))
  core.setOutput('storage-account-name', outputs.storageAccountName)
  core.setOutput('resource-group-name', outputs.resourceGroupName)
  core.setOutput('table-endpoint', outputs.tableEndpoint)
  core.setOutput('stack-name', outputs.stackName)
  core.setOutput('payload-container-name', outputs.payloadContainerName ?? '')
  core.setOutput('blob-endpoint', outputs.blobEndpoint ?? '')
}

/** After destroy, outputs are set empty so later steps never see a stale value. */
export function setEmptyOutputs(stackName: string): void {
  for (const name of ['connection-string', 'table-name', 'storage-account-name', 'resource-group-name', 'table-endpoint', 'payload-container-name', 'blob-endpoint']) core.setOutput(name, '')
  core.setOutput('table-names', '[]')
  core.setOutput('table-connection-strings', '')
  core.setOutput('stack-name', stackName)
}

/** Empty unless the run made table-scoped connection strings (isolation tables with a connection string). */
function tableConnectionStrings(byTable: Record<string, string> | undefined): string {
  return byTable && Object.keys(byTable).length > 0 ? JSON.stringify(byTable) : ''
}
