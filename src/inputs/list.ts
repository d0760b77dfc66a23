// Lists in inputs: items separated by commas or newlines, as YAML block scalars make natural.

/** Splits on commas and newlines, trims, drops empty items. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}
