// The one way a user's value is quoted in an error. Inputs that can hold a credential are never
// quoted at all (their parsers describe the problem instead); every other value is scrubbed of
// anything credential-shaped first and capped after, so a cut never keeps part of a secret.

export const SHOWN_MAX = 60
const MASK = '***'

const SCRUBS: [RegExp, string][] = [
  // userinfo in any URL-like text: scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, `$1${MASK}@`],
  // query and fragment of a URL carry SAS signatures, keys and tokens
  [/(:\/\/[^\s?#]*)[?#]\S*/g, `$1?${MASK}`],
  [/\?[^\s]*=[^\s]*/g, `?${MASK}`],
  // key=value pairs with credential-like keys (connection strings, query strings, env lines)
  [/\b([a-z_]*(?:key|token|sig|secret|password|passwd|pwd|signature|credential)[a-z_]*\s*[=:]\s*)[^\s;&,]+/gi, `$1${MASK}`],
  // well-known token shapes: GitHub, Pulumi
  [/\b(?:gh[pousr]_|github_pat_|pul-)[A-Za-z0-9_]{8,}/g, MASK],
  // a long unbroken run of base64 or hex, the shape of a key
  [/(?=[A-Za-z0-9+/_-]*[0-9])[A-Za-z0-9+/_-]{40,}={0,2}/g, MASK]
]

/** The value with credential-shaped parts replaced and control characters as spaces, uncapped. */
export function scrub(value: string): string {
  let out = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
  for (const [re, by] of SCRUBS) out = out.replace(re, by)
  return out
}

/** Quoted, scrubbed, then cut to SHOWN_MAX characters (never inside a surrogate pair). */
export function shown(value: string): string {
  const clean = scrub(value)
  if (clean.length <= SHOWN_MAX) return `'${clean}'`
  return `'${clean.slice(0, SHOWN_MAX - 3).replace(/[\uD800-\uDBFF]$/, '')}...'`
}

/** Keys of URL query parameters that name things rather than prove identity. */
const PLAIN_QUERY_KEYS = new Set(['storage_account', 'region', 'endpoint', 'profile', 'awssdk', 's3forcepathstyle', 'disablessl', 'use_path_style', 'prefix'])

/**
 * The parts of a URL-like input that may be credentials, to register as secrets before the value is
 * parsed or reported: the whole value when it has userinfo, a query or a fragment; the userinfo and
 * its password; every query value not known to be a plain name; the fragment; in a connection string,
 * the account key, the SAS and its signature.
 */
export function credentialParts(value: string): string[] {
  const text = value.trim()
  const parts: string[] = []
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]*@)?[^?#]*(\?[^#]*)?(#.*)?$/is.exec(text)
  const userinfo = m?.[1] ?? /:\/\/([^/?#\s]*)@/.exec(text)?.[1]
  const query = m?.[2] ?? /\?(.*)$/s.exec(text)?.[1]
  const fragment = m?.[3]
  if (userinfo || query || fragment) parts.push(text)
  if (userinfo) {
    const info = userinfo.replace(/@$/, '')
    parts.push(info)
    const colon = info.indexOf(':')
    if (colon >= 0) parts.push(info.slice(colon + 1), safeDecode(info.slice(colon + 1)))
  }
  if (query) {
    for (const pair of query.replace(/^\?/, '').split('&')) {
      const eq = pair.indexOf('=')
      if (eq < 0) continue
      if (PLAIN_QUERY_KEYS.has(pair.slice(0, eq).toLowerCase())) continue
      const raw = pair.slice(eq + 1)
      parts.push(raw, safeDecode(raw))
    }
  }
  if (fragment) parts.push(fragment.slice(1))
  // Connection strings: the key, the SAS and the SAS's signature, each on its own.
  for (const m of text.matchAll(/(?:^|;)\s*(?:AccountKey|SharedAccessSignature)\s*=\s*([^;]+)/gi)) {
    const secret = m[1]!.trim()
    parts.push(secret, ...[...secret.matchAll(/(?:^|[?&])sig=([^&]+)/gi)].flatMap((s) => [s[1]!, safeDecode(s[1]!)]))
  }
  return [...new Set(parts)].filter((p) => p.length >= 4)
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
