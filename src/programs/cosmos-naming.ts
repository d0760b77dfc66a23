// The Cosmos DB account name of an environment. Cosmos account names are global DNS labels: 3 to 44
// lowercase letters, digits and hyphens, starting and ending with a letter or digit.
import { environmentSlug, nameHash, NAME_HASH_HEX } from '../naming.js'

export const COSMOS_ACCOUNT_MAX = 44
export const COSMOS_ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9-]{1,42})[a-z0-9]$/

/**
 * `<project>-<environment>` as a slug, cut to fit, then `-` and 64 bits of hash of repository, project
 * and environment: globally unique across repositories, and apart however the readable part is cut.
 */
export function cosmosAccountName(args: { project: string; environment: string; repository: string }): string {
  const hash = nameHash([args.repository, args.project, args.environment])
  const readable = environmentSlug(`${args.project}-${args.environment}`)
    .slice(0, COSMOS_ACCOUNT_MAX - NAME_HASH_HEX - 1)
    .replace(/-+$/, '')
  return readable === '' ? `es-${hash}` : `${readable}-${hash}`
}
