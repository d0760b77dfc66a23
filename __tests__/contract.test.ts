// The contract users see: action.yml, the README's tables and the bundled SDK versions agree.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { PULUMI_SDK_VERSION, AZURE_NATIVE_VERSION } from '../src/versions.js'

interface ActionYml {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
  runs: { using: string; main: string }
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml
const readme = readFileSync('README.md', 'utf8')
const version = (pkg: string): string => (JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version

describe('contract', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })
  it('documents every input and output in the README tables', () => {
    for (const name of Object.keys(action.inputs)) expect(readme).toContain(`| \`${name}\` |`)
    for (const name of Object.keys(action.outputs)) expect(readme).toContain(`| \`${name}\` |`)
  })
  it('pins the CLI and provider to the bundled SDK versions', () => {
    expect(version('@pulumi/pulumi')).toBe(PULUMI_SDK_VERSION)
    expect(version('@pulumi/azure-native')).toBe(AZURE_NATIVE_VERSION)
    expect(action.inputs['pulumi-version']?.default).toBe(PULUMI_SDK_VERSION)
  })
  it('keeps the README to two set-up commands', () => {
    const shellBlocks = [...readme.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]!.trim())
    expect(shellBlocks).toEqual(['npm ci && npm run local', 'npm test'])
  })
  it('opens with the local try-out before any workflow, stays short and links docs that exist', () => {
    expect(readme.indexOf('npm ci && npm run local')).toBeGreaterThan(0)
    expect(readme.indexOf('npm ci && npm run local')).toBeLessThan(readme.indexOf('```yaml'))
    expect(readme.split('\n').length).toBeLessThan(250)
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)\)/g)].map((m) => m[1]!)
    expect(links.length).toBeGreaterThan(0)
    for (const link of links) expect(existsSync(link)).toBe(true)
  })
})
