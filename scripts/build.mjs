// Builds dist/ with ncc and strips what the action never loads.
// @pulumi/pulumi reaches a vendored TypeScript (for function serialization, which an
// azure-native inline program never uses): keep it external, then point the external
// require at an empty object so the bundle neither ships nor loads it.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dist = 'dist'
rmSync(dist, { recursive: true, force: true })
execFileSync(
  process.execPath,
  ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', 'src/index.ts', '-o', dist, '--minify', '--license', 'licenses.txt', '-e', 'typescript', '-q'],
  { stdio: 'inherit' }
)

// Unused assets that ncc copied because the SDK names them by path.
for (const unused of ['typescript.js', 'vendor']) rmSync(join(dist, unused), { recursive: true, force: true })

let rewrites = 0
for (const file of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
  const path = join(dist, file)
  const code = readFileSync(path, 'utf8')
  const patched = code.replace(/__WEBPACK_EXTERNAL_createRequire\(import\.meta\.url\)\("typescript"\)/g, () => {
    rewrites++
    return '({})'
  })
  if (patched !== code) writeFileSync(path, patched)
}

const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : statSync(p).size)
console.log(`dist: ${(size(dist) / 1e6).toFixed(2)} MB, typescript requires rewritten: ${rewrites}`)
if (!existsSync(join(dist, 'index.js'))) throw new Error('dist/index.js missing')
