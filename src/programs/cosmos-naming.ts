// The Cosmos DB account name of an environment. Cosmos account names are global DNS labels: 3 to 44
// lowercase letters, digits and hyphens, starting and ending with a letter or digit.
import { environmentSlug, shortHash } from '../naming.js'

export const COSMOS_ACCOUNT_MAX = 44
const HASH_LENGTH = 10
export const COSMOS_ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9-]{1,42})[a-z0-9]$/

/**
 * `<project>-<environment>` as a slug, cut to fit, then `-` and a hash of repository, project and environment.
 * The hash keeps the name globally unique across repositories and apart when the readable part is lossy or cut.
 */
export function cosmosAccountName(args: { project: string; environment: string; repository: string }): string {
  const hash = shortHash(`${args.repository}|${args.project}|${args.environment}`, HASH_LENGTH)
  const readable = environmentSlug(`${args.project}-${args.environment}`)
    .slice(0, COSMOS_ACCOUNT_MAX - HASH_LENGTH - 1)
    .replace(/-+$/, '')
  return readable === '' ? `es-${hash}` : `${readable}-${hash}`
}
