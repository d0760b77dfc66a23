// The tags input: Azure's rules for tag keys and values, and the keys the action sets itself.
import { InputError } from '../errors.js'
import { shown } from './shown.js'
import { splitList } from './list.js'

const TAG_KEY_FORBIDDEN = /[<>%&\\?/]/
const CONTROL = /[\u0000-\u001f\u007f]/g
const RESERVED_TAG_PREFIXES = ['azure', 'microsoft', 'windows']
/** Tags the program always sets; users may not override them. */
export const FIXED_TAG_KEYS = ['environment', 'repository', 'commit', 'managed-by']
const MAX_USER_TAGS = 50 - FIXED_TAG_KEYS.length
/** Cosmos DB accepts at most 15 tags per resource; the action sets the fixed ones itself. */
export const COSMOS_MAX_TAGS = 15

export function parseTags(value: string): Record<string, string> {
  const tags: Record<string, string> = {}
  const seen = new Set<string>()
  const items = splitList(value)
  if (items.length > MAX_USER_TAGS) throw new InputError('tags', `lists ${items.length} tags; allowed: at most ${MAX_USER_TAGS} (Azure allows 50 per resource and the action sets ${FIXED_TAG_KEYS.length}).`)
  for (const item of items) {
    if (item.match(CONTROL)) throw new InputError('tags', `${shown(item.replace(CONTROL, ' '))} contains a control character (such as a tab); write plain text.`)
    const eq = item.indexOf('=')
    if (eq <= 0) throw new InputError('tags', `${shown(item)} is not key=value; write one key=value per line.`)
    const key = item.slice(0, eq).trim()
    const val = item.slice(eq + 1).trim()
    if (key.length > 128) throw new InputError('tags', `tag key ${shown(key)} is longer than 128 characters.`)
    if (TAG_KEY_FORBIDDEN.test(key)) throw new InputError('tags', `tag key ${shown(key)} contains one of < > % & \\ ? / which Azure does not allow.`)
    if (val.length > 256) throw new InputError('tags', `the value of tag ${shown(key)} is longer than 256 characters.`)
    const lower = key.toLowerCase()
    if (RESERVED_TAG_PREFIXES.some((p) => lower.startsWith(p))) {
      throw new InputError('tags', `tag key ${shown(key)} starts with a prefix Azure reserves (azure, microsoft, windows).`)
    }
    if (FIXED_TAG_KEYS.includes(lower)) {
      throw new InputError('tags', `tag key ${shown(key)} is set by the action itself (${FIXED_TAG_KEYS.join(', ')}); choose another key.`)
    }
    if (seen.has(lower)) throw new InputError('tags', `tag key ${shown(key)} is given twice (tag keys are case-insensitive).`)
    seen.add(lower)
    tags[key] = val
  }
  if (seen.size > MAX_USER_TAGS) throw new InputError('tags', `at most ${MAX_USER_TAGS} tags are allowed (Azure allows 50 per resource and the action sets ${FIXED_TAG_KEYS.length}).`)
  return tags
}
