// Picks the engine for a target. Each is loaded on demand, so a run only pays for the SDKs
// of its own path (the Pulumi SDK is large; the emulator path never loads it).
import type { Engine, Target } from '../types.js'

export async function loadEngine(target: Target): Promise<Engine> {
  if (target === 'emulator') {
    const { createEmulatorEngine } = await import('./emulator.js')
    return createEmulatorEngine()
  }
  const { createPulumiEngine } = await import('./pulumi.js')
  return createPulumiEngine()
}
