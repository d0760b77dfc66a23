// Writes the report to the job summary. The runner caps a summary at 1 MiB; ours is far smaller.
import * as core from '@actions/core'

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return // outside a runner there is no summary file
  try {
    await core.summary.addRaw(markdown, true).write()
  } catch (error) {
    // A report that cannot be written must not fail a deployment that succeeded.
    core.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`)
  }
}
