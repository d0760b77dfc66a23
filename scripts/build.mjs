// Builds dist/ with ncc, then removes what the action never runs and minifies every chunk.
// @pulumi/pulumi reaches TypeScript (a vendored 3.8.3 copy, through a shim) only to serialize
// functions, which an azure-native inline program never does. ncc keeps `typescript`
// external but inlines the vendored copy (about 8 MB); both are replaced by an empty object.
// In the entry chunk, what @actions/core imports only to call later (undici, tunnel, @actions/exec,
// node:http/https) is loaded on first use instead of at start-up, from a file of its own
// (index.cold.cjs) where possible: cold start ~2x faster. BUILD_VERBOSE=1 lists what stays.
//
//   node scripts/build.mjs [--out DIR]     (default dist; the output is byte-for-byte reproducible)
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const outAt = process.argv.indexOf('--out')
const dist = outAt > 0 ? process.argv[outAt + 1] : 'dist'
if (!dist) throw new Error('build: --out needs a directory')
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

// Packages the entry chunk imports only to call later: @actions/core reaches undici and tunnel through
// @actions/http-client (OIDC tokens, proxies) and @actions/exec through its platform helpers. Loading
// them costs about half the cold start. Their bindings become proxies that load the module on first
// use; all three export plain objects, so property access, `in` and enumeration behave as before.
const LAZY_IN_ENTRY = [
  /\/node_modules\/undici\/index\.js$/,
  /\/node_modules\/tunnel\/index\.js$/,
  /\/node_modules\/@actions\/exec\/lib\/exec\.js( \+ \d+ modules)?$/,
  // node:http and node:https (with tls and net) as @actions/http-client imports them
  /^external "(http|https)"$/
]
const LAZY_HELPER = `
function __lazyModule(load) {
  let loaded
  const m = () => (loaded ??= load())
  return new Proxy({}, {
    get: (_, key) => m()[key],
    set: (_, key, value) => ((m()[key] = value), true),
    has: (_, key) => key in m(),
    ownKeys: () => Reflect.ownKeys(m()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(m(), key)
      return d && { ...d, configurable: true }
    }
  })
}
`
const lazified = []
function lazifyEntry(code) {
  const binding = /(\/\/ EXTERNAL MODULE: ([^\n]+)\n)var (\w+) = __nccwpck_require__\((\d+)\);(\nvar (\w+) = \/\*#__PURE__\*\/__nccwpck_require__\.t\(\3, 2\);)?/g
  code = code.replace(binding, (line, comment, path, name, id, namespace, namespaceName) => {
    if (!LAZY_IN_ENTRY.some((p) => p.test(path))) return line
    // `import * as x` of a CommonJS module gets a namespace object, built by enumerating the module
    // (which would load it). The module itself serves as well unless the code reads its `default`.
    if (namespace && new RegExp(`\\b${namespaceName}(\\.default\\b|\\[)`).test(code)) return line
    lazified.push(path.replace(/^.*\/node_modules\//, '').replace(/^external "(.*)"$/, 'node:$1'))
    return `${comment}var ${name} = __lazyModule(() => __nccwpck_require__(${id}));` + (namespace ? `\nvar ${namespaceName} = ${name};` : '')
  })
  return code + LAZY_HELPER
}

// What the lazy packages alone need (about 80% of the entry chunk's code) would still be parsed at
// every start. Those webpack modules move to index.cold.cjs, which the runtime loads the first time
// one of them is required (by a lazy package or by any other chunk). A module moves only when it is
// self-contained: no import.meta and no free name that the entry's own scope declares or that
// CommonJS would bind; its factory then behaves the same in either file (both strict mode).
const COLD_FILE = 'index.cold.cjs'
const CJS_ONLY = ['require', 'module', 'exports', '__filename', '__dirname']
const cold = { moved: 0, bytes: 0, kept: [] }

const syntaxTree = async (code, module) => (await minify(code, { module, compress: false, mangle: false, format: { ast: true, code: false } })).ast

/** Names a piece of code uses without declaring them. */
async function freeNames(expression) {
  const ast = await syntaxTree(`(${expression});`, false)
  ast.figure_out_scope()
  return [...ast.globals.keys()]
}

async function splitColdModules(code) {
  const start = code.indexOf('var __webpack_modules__ = ({')
  const end = code.indexOf('\n\n/******/ });', start)
  const runtimeCall = /__webpack_modules__\[moduleId\](\.call)?\(/g
  if (start < 0 || end < 0 || code.match(runtimeCall)?.length !== 1 || !code.includes('import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";')) {
    throw new Error('build: the entry chunk has an unexpected webpack layout; check the ncc output format')
  }
  const body = code.slice(start, end)
  const heads = [...body.matchAll(/\n\/\*\*\*\/ (\d+):\n\/\*\*\*\/ /g)]
  const modules = heads.map((h, i) => {
    const text = body.slice(h.index, i + 1 < heads.length ? heads[i + 1].index : body.length)
    // Edges through __lazyModule(() => ...) do not load anything at start.
    const eager = text.replace(/__lazyModule\(\(\) => __nccwpck_require__\(\d+\)\)/g, '')
    return { id: h[1], from: h.index, to: h.index + text.length, factory: text.slice(h[0].length).trim().replace(/,$/, ''), deps: [...eager.matchAll(/__nccwpck_require__\((\d+)\)/g)].map((m) => m[1]) }
  })
  const byId = new Map(modules.map((m) => [m.id, m]))
  const atStart = new Set()
  const visit = (id) => {
    if (atStart.has(id) || !byId.has(id)) return
    atStart.add(id)
    for (const dep of byId.get(id).deps) visit(dep)
  }
  const outside = (code.slice(0, start) + code.slice(end)).replace(/__lazyModule\(\(\) => __nccwpck_require__\(\d+\)\)/g, '')
  for (const m of outside.matchAll(/__nccwpck_require__\((\d+)\)/g)) visit(m[1])

  const entryScope = await syntaxTree(code, true)
  entryScope.figure_out_scope({ module: true })
  const bound = new Set([...entryScope.variables.keys(), ...CJS_ONLY])
  const moving = []
  for (const m of modules) {
    if (atStart.has(m.id)) continue
    const scoped = /import\.meta/.exec(m.factory)?.[0]
    const foreign = scoped ? [scoped] : (await freeNames(m.factory)).filter((name) => bound.has(name))
    if (foreign.length) {
      cold.kept.push(`${m.id} (${(m.factory.length / 1e3).toFixed(0)} kB: ${foreign.join(', ')})`)
      continue
    }
    moving.push(m)
  }
  let kept = body
  for (const m of [...moving].reverse()) kept = kept.slice(0, m.from) + kept.slice(m.to)
  cold.moved = moving.length
  const coldCode = `'use strict';\nmodule.exports = {\n${moving.map((m) => `${m.id}: ${m.factory}`).join(',\n')}\n};\n`
  const entry =
    code.slice(0, start) +
    kept +
    code.slice(end).replace(runtimeCall, (_, call) => `(__webpack_modules__[moduleId] ?? __coldModules()[moduleId])${call ?? ''}(`) +
    `\nvar __coldModulesLoaded\nfunction __coldModules() {\n  return (__coldModulesLoaded ??= __WEBPACK_EXTERNAL_createRequire(import.meta.url)('./${COLD_FILE}'))\n}\n`
  return { entry, coldCode }
}

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
  if (file === 'index.js') {
    const { entry, coldCode } = await splitColdModules(lazifyEntry(code))
    code = entry
    const coldResult = await minify(coldCode, { module: false, compress: { passes: 1 }, mangle: true, format: { comments: false } })
    writeFileSync(join(dist, COLD_FILE), coldResult.code)
    cold.bytes = coldResult.code.length
  }
  const result = await minify(code, { module: true, compress: { passes: 1 }, mangle: true, format: { comments: false } })
  writeFileSync(path, result.code)
}

const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : statSync(p).size)
console.log(`dist: ${(size(dist) / 1e6).toFixed(2)} MB; TypeScript references stubbed: ${stubbed}`)
if (!existsSync(join(dist, 'index.js')) || stubbed < 2) throw new Error('build: the TypeScript stubs were not applied; check the ncc output format')
console.log(`entry chunk: loaded on first use: ${lazified.join(', ')}; ${cold.moved} modules (${(cold.bytes / 1e3).toFixed(0)} kB) in ${COLD_FILE}, ${cold.kept.length} kept in the entry`)
if (process.env.BUILD_VERBOSE) console.log(`kept in the entry: ${cold.kept.join('; ')}`)
if (!lazified.some((p) => p.startsWith('undici/')) || cold.moved === 0) throw new Error('build: undici is no longer lazy in the entry chunk; check the ncc output format')
