// Builds dist/ with ncc, then removes what the action never runs and minifies every chunk.
// @pulumi/pulumi reaches TypeScript (a vendored 3.8.3 copy, through a shim) only to serialize
// functions, which an azure-native inline program never does. ncc keeps `typescript`
// external but inlines the vendored copy (about 8 MB); both are replaced by an empty object.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const dist = 'dist'
rmSync(dist, { recursive: true, force: true })
execFileSync(
  process.execPath,
  ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', 'src/index.ts', '-o', dist, '--license', 'licenses.txt', '-e', 'typescript', '-q'],
  { stdio: 'inherit' }
)

// Assets ncc copied because the SDK names them by path; nothing loads them.
for (const unused of ['typescript.js', 'vendor']) rmSync(join(dist, unused), { recursive: true, force: true })

const EMPTY_MODULE = '/***/ ((module) => { module.exports = {}; }),'
let stubbed = 0
for (const file of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
  const path = join(dist, file)
  let code = readFileSync(path, 'utf8')
  // The external require("typescript").
  code = code.replace(/__WEBPACK_EXTERNAL_createRequire\(import\.meta\.url\)\("typescript"\)/g, () => (stubbed++, '{}'))
  // The inlined vendored TypeScript: a whole webpack module, recognised by its version line.
  code = code.replace(/(\/\*\*\*\/ \d+:\n)\/\*\*\*\/ \((?:function|\()[\s\S]*?\n\/\*\*\*\/ \}\),/g, (module, head) => {
    if (!module.includes('ts.versionMajorMinor = "3.8"')) return module
    stubbed++
    return head + EMPTY_MODULE
  })
  const result = await minify(code, { module: true, compress: { passes: 1 }, mangle: true, format: { comments: false } })
  writeFileSync(path, result.code)
}

const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : statSync(p).size)
console.log(`dist: ${(size(dist) / 1e6).toFixed(2)} MB; TypeScript references stubbed: ${stubbed}`)
if (!existsSync(join(dist, 'index.js')) || stubbed < 2) throw new Error('build: the TypeScript stubs were not applied; check the ncc output format')
