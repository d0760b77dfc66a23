// Shared types: the data that flows inputs → plan → engine → verify → publish.

/** Operations an engine runs on one environment. */
export const COMMANDS = ['up', 'preview', 'refresh', 'destroy'] as const
export type Command = (typeof COMMANDS)[number]

/** What the `command` input accepts: the engine operations, and prune over many environments. */
export const ACTION_COMMANDS = [...COMMANDS, 'prune'] as const
export type ActionCommand = (typeof ACTION_COMMANDS)[number]

export const ISOLATIONS = ['account', 'tables'] as const
/** account: one storage account per environment; tables: the environment's tables in a shared account. */
export type Isolation = (typeof ISOLATIONS)[number]

export const STORAGE_ENGINES = ['table-storage', 'cosmos-table'] as const
export type StorageEngine = (typeof STORAGE_ENGINES)[number]

/** Cosmos DB throughput: serverless, fixed RU/s, or autoscale up to a maximum RU/s. */
export type CosmosThroughput = { mode: 'serverless' } | { mode: 'provisioned'; ru: number } | { mode: 'autoscale'; maxRu: number }

export interface ScaleSettings {
  isolation: Isolation
  /** With isolation `tables`: the existing account and its resource group. */
  sharedAccount?: { name: string; resourceGroupName: string }
  /** Expiry of the table-scoped SAS (ISO 8601 UTC), with isolation `tables`. */
  sasExpiry?: string
  storageEngine: StorageEngine
  cosmosThroughput: CosmosThroughput
  /** Cap on the engine's parallel resource operations (Azure's write limits). */
  parallelism: number
}

export const AUTH_MODES = ['connection-string', 'entra'] as const
export type AuthMode = (typeof AUTH_MODES)[number]

export const TARGETS = ['azure', 'emulator'] as const
export type Target = (typeof TARGETS)[number]

export const SKUS = ['Standard_LRS', 'Standard_GRS', 'Standard_RAGRS', 'Standard_ZRS', 'Standard_GZRS', 'Standard_RAGZRS'] as const
export type Sku = (typeof SKUS)[number]

/** Everything the engines need, validated and named. Built by plan.ts; never holds raw user text that was not checked. */
export interface Plan {
  command: Command
  target: Target
  /** Pulumi project name (also part of every derived name). */
  project: string
  /** The environment as the user wrote it, e.g. `feature/Add-Memory`. */
  environment: string
  /** owner/name of the workflow's repository ('local' outside Actions); tagged on resources and part of global names. */
  repository: string
  /** The commit the run is for ('local' outside Actions); tagged on resources. */
  commit: string
  /** Names derived from project and environment (naming.ts). */
  names: EnvironmentNames
  /** Azure region, canonical form (`westeurope`). */
  location: string
  sku: Sku
  /** Table names as the engine creates them (on the emulator they carry the environment). */
  tables: string[]
  /** Table names as the user gave them (the `tables` input). */
  logicalTables: string[]
  /** Tags for Azure resources, already validated. */
  tags: Record<string, string>
  protect: boolean
  verify: boolean
  /** After destroy, remove the Pulumi stack too. */
  removeStack: boolean
  /** Fail (before applying, where the engine can) when the command finds changes. */
  expectNoChanges: boolean
  /** connection-string: shared key; entra: shared-key access off and a role assignment for principalId. */
  auth: AuthMode
  principalId?: string
  /** Shared-account isolation and the Cosmos DB engine (defaults: one account per environment, Table Storage). */
  scale: ScaleSettings
  pulumi: PulumiSettings
  /** Claim-check payload container, its retention and the diagnostic setting (src/payloads/); absent = all off. */
  payloads?: PayloadSettings
  /** Only for target `emulator`: the Table endpoint to use. Secret. */
  emulatorConnectionString?: string
}

export interface PayloadSettings {
  enabled: boolean
  /** Time-based immutability of the payload container, in days. */
  retentionDays?: number
  /** The user asked for a locked policy (locking itself is a manual step: docs/payloads.md). */
  retentionLock: boolean
  /** Log Analytics workspace resource id for the account's read, write and delete logs. */
  diagnosticsWorkspaceId?: string
}

export interface EnvironmentNames {
  stackName: string
  resourceGroupName: string
  storageAccountName: string
}

export interface PulumiSettings {
  /** The backend, decided once: the input backend-url, else PULUMI_BACKEND_URL (trimmed); none means Pulumi Cloud. */
  backendUrl?: string
  /** A backend that is not a Pulumi service (file, azblob, s3, gs): stack secrets need a secrets provider of their own. */
  selfManaged: boolean
  /** A file:// backend loses its state with the hosted runner; used only when allowed. */
  allowLocalState: boolean
  /** The input secrets-provider, else passphrase on a self-managed backend (said every run: the stack file is temporary). */
  secretsProvider?: string
  /** Semver range or exact version of the Pulumi CLI. */
  version: string
}

/** What every engine reports back. */
export interface EngineResult {
  changes: ChangeSummary
  /** Null when the command leaves no environment to describe (destroy, preview of a new one). */
  outputs: EnvironmentOutputs | null
  /** One line per resource touched or planned, for the summary and the PR comment. */
  resources: ResourceChange[]
  /** Human notes worth showing (e.g. "environment did not exist"). Never secrets. */
  notes: string[]
}

export interface ChangeSummary {
  create: number
  update: number
  delete: number
  replace: number
  same: number
}

export type ChangeOp = 'create' | 'update' | 'delete' | 'replace' | 'same' | 'read'

export interface ResourceChange {
  op: ChangeOp
  type: string
  name: string
}

export interface EnvironmentOutputs {
  /** Secret. Empty when no connection string exists. */
  connectionString: string
  /** Secret: the account key on its own (masked separately because masks do not cover substrings). */
  accountKey: string
  tableNames: string[]
  /** Secret, with isolation `tables`: table → table-scoped SAS connection string. */
  tableConnectionStrings?: Record<string, string>
  storageAccountName: string
  resourceGroupName: string
  tableEndpoint: string
  stackName: string
  /** With payloads: the blob container and the account's Blob endpoint; empty otherwise. */
  payloadContainerName?: string
  blobEndpoint?: string
}

/** The side channel an engine gets: where to log, and how to register a secret the moment it is known. */
export interface EngineIO {
  info(line: string): void
  registerSecret(value: string): void
}

/** One implementation per target: Pulumi Automation API for Azure, the Table data plane for an emulator. */
export interface Engine {
  run(plan: Plan, io: EngineIO): Promise<EngineResult>
  /** The environments of plan.project that exist (stack names on Azure, environments named by tables on an emulator). */
  listEnvironments(plan: Plan, io: EngineIO): Promise<string[]>
}

/** Changes that alter the environment (unchanged resources do not count). */
export function countChanges(c: ChangeSummary): number {
  return c.create + c.update + c.delete + c.replace
}

export function emptyChanges(): ChangeSummary {
  return { create: 0, update: 0, delete: 0, replace: 0, same: 0 }
}
