#!/usr/bin/env node
// `npm run mutation -- --module NAME [--module NAME ...]` (or `--module all`): StrykerJS over
// one module at a time (stryker.config.mjs plus the files and tests below), then a table of
// mutation scores per file and per module and every surviving mutant. Slow (minutes per
// module on two cores), so it is not part of `npm test`; docs/testing.md keeps the last table.
import { mkdirSync, writeFileSync } from "node:fs";
import { Stryker } from "@stryker-mutator/core";
import base from "../stryker.config.mjs";

/** Each module: the files mutated and the test files that guard them (fast, in-process ones). */
const MODULES = {
  "hw-server": {
    mutate: ["lib/hw/server/core.ts", "lib/hw/server/outbox.ts", "lib/hw/server/queue.ts", "lib/hw/server/jobs.ts"],
    tests: ["lib/hw/server/*.test.ts"],
  },
  "hw-protocol": {
    mutate: ["lib/hw/protocol/validate.ts", "lib/hw/protocol/program-check.ts"],
    tests: ["lib/hw/server/core.test.ts"],
  },
  vm: {
    mutate: ["lib/vm/energy.ts", "lib/vm/energy-counts.ts", "lib/vm/counters.ts", "lib/vm/cycle/*.ts"],
    tests: ["test/vm-conformance.test.ts", "test/vm-timing.test.ts", "test/vm-units.test.ts", "test/vm-kernels.test.ts"],
  },
  compiler: {
    mutate: ["lib/compiler/passes/quantise.ts", "lib/compiler/passes/rules.ts", "lib/compiler/passes/partition.ts"],
    tests: ["test/compile-quant.test.ts", "test/compile-rules.test.ts", "test/compile-rules-xylo-speck.test.ts", "test/compile-host.test.ts"],
  },
  train: {
    mutate: ["lib/train/surrogates.ts", "lib/train/kernels/scan.ts", "lib/train/kernels/neuron-scan.ts"],
    tests: ["test/train-kernels.test.ts", "test/train-remat.test.ts"],
  },
};

const DETECTED = new Set(["Killed", "Timeout"]);
const rel = (f) => f.replace(`${process.cwd()}/`, "");
const INVALID = new Set(["CompileError", "RuntimeError", "Ignored"]);

function parseModules(argv) {
  const names = [];
  for (let k = 0; k < argv.length; k++) if (argv[k] === "--module") names.push(argv[++k]);
  const list = names.includes("all") ? Object.keys(MODULES) : names;
  const unknown = list.filter((n) => !Object.hasOwn(MODULES, n));
  if (!list.length || unknown.length) {
    console.error(`usage: npm run mutation -- --module NAME (${Object.keys(MODULES).join(", ")}, all)${unknown.length ? `; unknown: ${unknown.join(", ")}` : ""}`);
    process.exit(2);
  }
  return list;
}

/** Detected / valid mutants, percent (Stryker's mutation score). */
function score(results) {
  const valid = results.filter((r) => !INVALID.has(r.status));
  return { valid: valid.length, detected: valid.filter((r) => DETECTED.has(r.status)).length, pct: valid.length ? (100 * valid.filter((r) => DETECTED.has(r.status)).length) / valid.length : NaN };
}

async function runModule(name) {
  const m = MODULES[name];
  process.env.PHASOR_MUTATION_TESTS = m.tests.join(",");
  mkdirSync(".phasor/mutation", { recursive: true });
  const t0 = Date.now();
  const results = await new Stryker({ ...base, mutate: m.mutate, jsonReporter: { fileName: `.phasor/mutation/${name}.json` } }).runMutationTest();
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
for (const name of parseModules(process.argv.slice(2))) runs.push(await runModule(name));
const { table, survivors } = report(runs);
console.log(`\nMutation scores (StrykerJS, ${new Date().toISOString().slice(0, 10)})\n\n${table}\n\nSurviving mutants (${survivors.length}):\n${survivors.map((s) => `- ${s}`).join("\n")}`);
writeFileSync(".phasor/mutation/summary.md", `${table}\n\n${survivors.map((s) => `- ${s}`).join("\n")}\n`);
