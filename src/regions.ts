// Azure public-cloud regions (programmatic names). Users may write them as the portal shows
// them ("East US", "West Europe"): case and spaces are forgiven by canonicalRegion.
export const AZURE_REGIONS: readonly string[] = [
  'australiacentral', 'australiacentral2', 'australiaeast', 'australiasoutheast', 'austriaeast',
  'belgiumcentral', 'brazilsouth', 'brazilsoutheast', 'canadacentral', 'canadaeast',
  'centralindia', 'centralus', 'chilecentral', 'denmarkeast', 'eastasia', 'eastus', 'eastus2',
  'francecentral', 'francesouth', 'germanynorth', 'germanywestcentral', 'indonesiacentral',
  'israelcentral', 'italynorth', 'japaneast', 'japanwest', 'jioindiacentral', 'jioindiawest',
  'koreacentral', 'koreasouth', 'malaysiawest', 'mexicocentral', 'newzealandnorth',
  'northcentralus', 'northeurope', 'norwayeast', 'norwaywest', 'polandcentral', 'qatarcentral',
  'southafricanorth', 'southafricawest', 'southcentralus', 'southeastasia', 'southindia',
  'spaincentral', 'swedencentral', 'switzerlandnorth', 'switzerlandwest', 'uaecentral', 'uaenorth',
  'uksouth', 'ukwest', 'westcentralus', 'westeurope', 'westindia', 'westus', 'westus2', 'westus3'
]

/** The programmatic region name for a user's spelling, or undefined when it is not a public region. */
export function canonicalRegion(text: string): string | undefined {
  const key = text.toLowerCase().replace(/[\s_-]+/g, '')
  return AZURE_REGIONS.includes(key) ? key : undefined
}

/** Up to three regions nearest to a misspelling: those it starts, then those within two edits. */
export function closestRegions(text: string): string[] {
  const key = text.toLowerCase().replace(/[\s_-]+/g, '')
  if (key.length < 2) return []
  const prefixed = AZURE_REGIONS.filter((r) => r.startsWith(key))
  const near = AZURE_REGIONS.map((r) => ({ r, d: editDistance(key, r) }))
    .filter(({ r, d }) => d <= 2 && !prefixed.includes(r))
    .sort((a, b) => a.d - b.d)
    .map(({ r }) => r)
  return [...prefixed, ...near].slice(0, 3)
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]!
}
