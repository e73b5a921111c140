#!/usr/bin/env node
// `npm run mutation -- --module NAME [--module NAME ...]` (or `--module all`): StrykerJS over
// one module at a time (stryker.config.mjs plus the files and tests below), then a table of
// mutation scores per file and per module and every surviving mutant. Slow (minutes per
// module on two cores), so it is not part of `npm test`; docs/testing.md keeps the last table.
import { mkdirSync, writeFileSync } from "node:fs";
import { Stryker } from "@stryker-mutator/core";
import base from "../stryker.config.mjs";

/** Each module: the files mutated, the test files that guard them (fast, in-process ones) and any Stryker options of its own. */
const MODULES = {
  "hw-server": {
    mutate: ["lib/hw/server/core.ts", "lib/hw/server/outbox.ts", "lib/hw/server/queue.ts", "lib/hw/server/jobs.ts"],
    tests: ["lib/hw/server/*.test.ts"],
  },
  "hw-protocol": {
    mutate: ["lib/hw/protocol/validate.ts", "lib/compiler/program-check.ts", "lib/ir/json-schema.ts"],
    tests: ["lib/hw/protocol/validate.test.ts", "lib/compiler/program-check.test.ts", "lib/hw/server/core.test.ts", "lib/compiler/program-schema.test.ts", "lib/ir/json-schema.test.ts", "lib/target/schema.test.ts"],
  },
  "vm-energy": {
    mutate: ["lib/vm/energy.ts", "lib/vm/energy-counts.ts", "lib/vm/counters.ts"],
    tests: ["test/energy.test.ts", "test/mutation-energy.test.ts", "test/systems.test.ts"],
  },
  "vm-cycle": {
    mutate: ["lib/vm/cycle/*.ts", "!lib/vm/cycle/*.test.ts"],
    tests: ["lib/vm/cycle/*.test.ts", "test/vm-conformance.test.ts", "test/vm-timing.test.ts", "test/vm-units.test.ts", "test/vm-cycle-pipeline.test.ts", "test/mutation-cycle.test.ts"],
    // A mutant of the event loop or a link's queue often never ends: give up on it after 4 s more than the tests' own time, not 10.
    stryker: { timeoutMS: 4000 },
  },
  compiler: {
    mutate: ["lib/compiler/passes/quantise.ts", "lib/compiler/passes/rules.ts", "lib/compiler/passes/partition.ts"],
    tests: ["test/compile-rules.test.ts", "test/compile-rules-xylo-speck.test.ts", "test/compile-host.test.ts", "test/compile-bias.test.ts", "test/compile-partition-order.test.ts", "test/mutation-compiler.test.ts",
      "test/mutation-partition.test.ts", "test/mutation-rules.test.ts"],
  },
  train: {
    mutate: ["lib/train/surrogates.ts", "lib/train/kernels/scan.ts", "lib/train/kernels/neuron-scan.ts"],
    tests: ["test/train-kernels.test.ts", "test/mutation-train.test.ts"],
  },
};

const DETECTED = new Set(["Killed", "Timeout"]);
const rel = (f) => f.replace(`${process.cwd()}/`, "");
const INVALID = new Set(["CompileError", "RuntimeError", "Ignored"]);

/** `--module NAME` (repeatable, or `all`), `--concurrency N` (default 1: the cores are shared) and
 * `--files GLOB,...` (mutate only these files of the module, to narrow a run). */
function parseArgs(argv) {
  const names = [], opts = { concurrency: 1, files: null };
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === "--module") names.push(argv[++k]);
    else if (argv[k] === "--concurrency") opts.concurrency = Number(argv[++k]);
    else if (argv[k] === "--files") opts.files = argv[++k].split(",");
    else usage(`unknown option ${argv[k]}`);
  }
  if (!(Number.isInteger(opts.concurrency) && opts.concurrency >= 1)) usage("--concurrency takes a whole number >= 1");
  const list = names.includes("all") ? Object.keys(MODULES) : names;
  const unknown = list.filter((n) => !Object.hasOwn(MODULES, n));
  if (!list.length || unknown.length) usage(unknown.length ? `unknown module: ${unknown.join(", ")}` : "no module named");
  return { list, opts };
}

function usage(why) {
  const mods = `${Object.keys(MODULES).join(", ")}, all`;
  console.error(`usage: npm run mutation -- --module NAME [--module NAME ...] [--concurrency N] [--files F,...]\n  modules: ${mods}\n  ${why}`);
  process.exit(2);
}

/** Detected / valid mutants, percent (Stryker's mutation score). */
function score(results) {
  const valid = results.filter((r) => !INVALID.has(r.status));
  return { valid: valid.length, detected: valid.filter((r) => DETECTED.has(r.status)).length, pct: valid.length ? (100 * valid.filter((r) => DETECTED.has(r.status)).length) / valid.length : NaN };
}

async function runModule(name, { concurrency, files }) {
  const m = MODULES[name];
  const mutate = files ?? m.mutate;
  process.env.PHASOR_MUTATION_TESTS = m.tests.join(",");
  mkdirSync(".phasor/mutation", { recursive: true });
  const t0 = Date.now();
  const results = await new Stryker({ ...base, ...m.stryker, concurrency, mutate, jsonReporter: { fileName: `.phasor/mutation/${name}.json` } }).runMutationTest();
  return { name, results, minutes: (Date.now() - t0) / 60e3 };
}

function report(runs) {
  const lines = ["| module | file | mutants | detected | score |", "|---|---|---:|---:|---:|"];
  const survivors = [];
  for (const { name, results, minutes } of runs) {
    const files = [...new Set(results.map((r) => r.fileName))].sort();
    for (const f of files) {
      const s = score(results.filter((r) => r.fileName === f));
      lines.push(`| ${name} | ${rel(f)} | ${s.valid} | ${s.detected} | ${s.pct.toFixed(1)}% |`);
    }
    const s = score(results);
    lines.push(`| **${name}** | all (${minutes.toFixed(0)} min) | ${s.valid} | ${s.detected} | **${s.pct.toFixed(1)}%** |`);
    for (const r of results) if (!DETECTED.has(r.status) && !INVALID.has(r.status)) survivors.push(`${rel(r.fileName)}:${r.location.start.line} ${r.status} ${r.mutatorName}: ${JSON.stringify((r.replacement ?? "").replace(/\s+/g, " ").slice(0, 70))}`);
  }
  return { table: lines.join("\n"), survivors };
}

const runs = [];
const { list, opts } = parseArgs(process.argv.slice(2));
for (const name of list) runs.push(await runModule(name, opts));
const { table, survivors } = report(runs);
console.log(`\nMutation scores (StrykerJS, ${new Date().toISOString().slice(0, 10)})\n\n${table}\n\nSurviving mutants (${survivors.length}):\n${survivors.map((s) => `- ${s}`).join("\n")}`);
writeFileSync(".phasor/mutation/summary.md", `${table}\n\n${survivors.map((s) => `- ${s}`).join("\n")}\n`);
