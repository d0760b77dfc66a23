// Removes secrets from any text before it is reported. Known secrets are replaced exactly
// (with the encodings the runner also masks); key- and signature-shaped fields are replaced
// by pattern, because an engine error can embed a secret we were never told about.

const MASK = '***'
/** Shorter values would mask ordinary words; the runner has a similar floor. */
const MIN_SECRET_LENGTH = 4

const SECRET_FIELDS: RegExp[] = [
  /(AccountKey=)[^;"'\s]+/gi,
  /(SharedAccessSignature=)[^;"'\s]+/gi,
  /([?&]sig=)[^&"'\s]+/gi,
  /(PULUMI_ACCESS_TOKEN=)\S+/g,
  /(PULUMI_CONFIG_PASSPHRASE=)\S+/g,
  /(AZURE_STORAGE_KEY=)\S+/g,
  /(ARM_CLIENT_SECRET=)\S+/g,
  /(Authorization:\s*(?:Bearer|SharedKey|SharedKeyLite)\s+)\S+/gi
]

/** Environment variables whose values are always secret when set. */
export const SECRET_ENV_VARS = [
  'PULUMI_ACCESS_TOKEN',
  'PULUMI_CONFIG_PASSPHRASE',
  'AZURE_STORAGE_KEY',
  'AZURE_STORAGE_SAS_TOKEN',
  'ARM_CLIENT_SECRET',
  'ARM_OIDC_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN'
]

export class Redactor {
  private readonly secrets = new Set<string>()

  /** Remembers a secret and the encoded forms it may be printed in. Returns the forms added. */
  add(secret: string): string[] {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return []
    const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), JSON.stringify(secret).slice(1, -1)]
    const added: string[] = []
    for (const f of forms) {
      if (!this.secrets.has(f)) {
        this.secrets.add(f)
        added.push(f)
      }
    }
    return added
  }

  has(secret: string): boolean {
    return this.secrets.has(secret)
  }

  redact(text: string): string {
    let out = text
    // Longest first, so a secret that contains another is replaced whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK)
    for (const re of SECRET_FIELDS) out = out.replace(re, `$1${MASK}`)
    return out
  }
}
