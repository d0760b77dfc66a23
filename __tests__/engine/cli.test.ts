// Which Pulumi CLI version is installed, from where, and where the engine's Pulumi home is.
import { describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { downloadUrl, pluginDir, pulumiHome, versionToInstall } from '../../src/engine/cli.js'
import { UserError } from '../../src/errors.js'
import { PULUMI_SDK_VERSION } from '../../src/versions.js'

describe('versionToInstall', () => {
  it('an exact version is installed as given (a leading v is dropped)', () => {
    expect(versionToInstall('3.276.0')).toBe('3.276.0')
    expect(versionToInstall('v3.200.1')).toBe('3.200.1')
  })
  it('a range that admits the bundled SDK installs the SDK version', () => {
    expect(versionToInstall('^3.0.0')).toBe(PULUMI_SDK_VERSION)
    expect(versionToInstall(`>=${PULUMI_SDK_VERSION}`)).toBe(PULUMI_SDK_VERSION)
  })
  it('a range that excludes it is a user error that asks for an exact version', () => {
    expect(() => versionToInstall('<3.0.0')).toThrow(UserError)
    expect(() => versionToInstall('<3.0.0')).toThrow(/give an exact version/)
  })
})

describe('downloadUrl', () => {
  it('names the release archive for the OS and architecture', () => {
    expect(downloadUrl('3.276.0', 'linux', 'x64')).toBe('https://get.pulumi.com/releases/sdk/pulumi-v3.276.0-linux-x64.tar.gz')
    expect(downloadUrl('3.276.0', 'linux', 'arm64')).toBe('https://get.pulumi.com/releases/sdk/pulumi-v3.276.0-linux-arm64.tar.gz')
    expect(downloadUrl('3.276.0', 'darwin', 'arm64')).toBe('https://get.pulumi.com/releases/sdk/pulumi-v3.276.0-darwin-arm64.tar.gz')
    expect(downloadUrl('3.276.0', 'win32', 'x64')).toBe('https://get.pulumi.com/releases/sdk/pulumi-v3.276.0-windows-x64.zip')
  })
  it('defaults to this machine', () => {
    expect(downloadUrl('3.276.0')).toMatch(/^https:\/\/get\.pulumi\.com\/releases\/sdk\/pulumi-v3\.276\.0-(linux|darwin|windows)-(x64|arm64)\.(tar\.gz|zip)$/)
  })
})

describe('pulumiHome', () => {
  it("is the action's own directory in the job's temporary directory", () => {
    expect(pulumiHome({ RUNNER_TEMP: '/runner/_temp' })).toBe(join('/runner/_temp', 'event-store-env-action', 'pulumi-home'))
  })
  it("is the user's PULUMI_HOME when set", () => {
    expect(pulumiHome({ PULUMI_HOME: '/home/me/.pulumi', RUNNER_TEMP: '/runner/_temp' })).toBe('/home/me/.pulumi')
  })
  it('outside a runner, the temporary directory gets a home of its own', () => {
    const env: NodeJS.ProcessEnv = {}
    expect(pulumiHome(env)).toMatch(/event-store-env-action[\\/]temp[\\/]event-store-env-action[\\/]pulumi-home$/)
    expect(env.RUNNER_TEMP).toBeDefined()
    expect(env.RUNNER_TOOL_CACHE).toBeDefined()
  })
})

describe('pluginDir', () => {
  it("is the CLI's layout: <home>/plugins/resource-<name>-v<version>", () => {
    expect(pluginDir('/h', 'azure-native', '3.28.0')).toBe(join('/h', 'plugins', 'resource-azure-native-v3.28.0'))
  })
})
