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
