// Registers secrets with the runner (::add-mask::) and with our own redactor, the moment
// they are known and before anything could print them.
import * as core from '@actions/core'
import type { Redactor } from './redact.js'

export function maskSecret(value: string, redactor: Redactor): void {
  if (!value) return
  // The runner masks the whole value and its common encodings; our redactor covers errors we report.
  core.setSecret(value)
  redactor.add(value)
}
