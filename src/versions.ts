// Versions the bundle is built with. A test keeps these equal to the installed packages and
// to action.yml's default, so the CLI and provider plugin always match the bundled SDKs.
export const PULUMI_SDK_VERSION = '3.276.0'
export const AZURE_NATIVE_VERSION = '3.28.0'
