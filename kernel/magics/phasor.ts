/**
 * %phasor info: what a result depends on (versions, TF.js backend, seeds, target hashes),
 * shown as a table and recorded in that output's metadata under "phasor", so the executed
 * .ipynb carries it (a kernel cannot write notebook-level metadata; see docs/reproducibility.md).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import { resolveTarget } from "../../lib/target/registry.js";
import type { Target } from "../../lib/target/types.js";
import { packageRoot } from "../kernelspec.js";
import { defineMagic, type MagicContext } from "./types.js";

/** What `%phasor info` records. Nothing in it depends on the time or the host name, so it is identical run to run. */
export interface PhasorInfo {
  phasor: string;
  node: string;
  platform: string;
  tslab: string;
  typescript: string;
  tfjs: string;
  /** The TF.js backend training uses here ("none" with --no-backend). */
  backend: string;
  seeds: Record<string, number>;
  /** Target name -> sha256 (first 16 hex digits) of its canonical JSON. */
  targets: Record<string, string>;
}

/** The version field of a package.json under the package root; "unknown" when absent. */
function versionOf(...path: string[]): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), ...path, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** JSON with object keys sorted at every level, so equal targets hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v === Infinity ? "Infinity" : v) ?? "null";
}

/** sha256 of a Target's canonical JSON, first 16 hex digits: changes whenever any limit or constant does. */
export function targetHash(t: Target): string {
  return createHash("sha256").update(canonical(t)).digest("hex").slice(0, 16);
}

/** Parses "input=1,weights=7" into { input: 1, weights: 7 }. */
export function parseSeeds(text: string): Record<string, number> {
  const seeds: Record<string, number> = {};
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, value] = part.split("=");
    const n = Number(value);
    if (!name || value === undefined || !Number.isInteger(n)) throw new Error(`"${part}" is not NAME=INTEGER`);
    seeds[name] = n;
  }
  return seeds;
}

/** A target by name, .json file or cell variable, as %compile resolves it. */
function targetOf(spec: string, ctx: MagicContext): Target {
  const held = spec.endsWith(".json") ? undefined : ctx.getVariable(spec);
  if (typeof held === "object" && held !== null) return resolveTarget(held as Target);
  return resolveTarget(spec.endsWith(".json") ? join(ctx.cwd, spec) : spec);
}

async function backendName(): Promise<string> {
  const { activeBackend, useBackend } = await import("../../lib/train/backend.js");
  return (activeBackend() ?? (await useBackend())).name; // the one %train would pick
}

/** Collects the facts `%phasor info` shows. */
export async function phasorInfo(seeds: Record<string, number>, targets: Target[], backend: boolean): Promise<PhasorInfo> {
  return {
    phasor: versionOf(), node: process.version, platform: `${process.platform}-${process.arch}`,
    tslab: versionOf("node_modules", "tslab"), typescript: versionOf("node_modules", "@tslab", "typescript-for-tslab"),
    tfjs: versionOf("node_modules", "@tensorflow", "tfjs-core"), backend: backend ? await backendName() : "none",
    seeds, targets: Object.fromEntries(targets.map((t) => [t.name, targetHash(t)])),
  };
}

/** The %phasor magic. */
export const phasorMagic = defineMagic({
  name: "phasor",
  summary: "info: versions, TF.js backend, seeds and target hashes, recorded in the output's metadata",
  description:
    "info shows the versions of Phasor, Node, tslab and its TypeScript, TF.js and the backend training picks, the seeds named by --seeds and a hash of every target named by --targets " +
    "(sha256 of its canonical JSON: two notebooks compiled for the same hash used the same limits and constants). The same facts go into the output's metadata as {\"phasor\": {...}}, " +
    "so the saved notebook records them; nothing shown depends on the time or host, so re-running gives the same output. Returns nothing.",
  arguments: [{ name: "action", description: "info", required: true, complete: { values: ["info"] } }],
  options: [
    { flags: "--seeds <list>", description: "seeds the notebook uses, NAME=N,NAME=N", parse: parseSeeds },
    { flags: "--targets <list>", description: "comma-separated targets (names, .json files or variables) to hash" },
    { flags: "--no-backend", description: "do not load TF.js to name its backend" },
  ],
  modes: ["line"],
  examples: ["%phasor info", "%phasor info --seeds weights=1,input=2 --targets loihi,generic-mesh"],
  async run(input, ctx) {
    if (input.args[0] !== "info") throw new PhasorError(`%phasor: unknown action "${String(input.args[0])}"; use info`, "usage");
    const o = input.options as { seeds?: Record<string, number>; targets?: string; backend: boolean };
    const targets = (o.targets ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((s) => targetOf(s, ctx));
    const info = await phasorInfo(o.seeds ?? {}, targets, o.backend !== false);
    const rows = [
      ...(["phasor", "node", "platform", "tslab", "typescript", "tfjs", "backend"] as const).map((k) => ({ item: k, value: info[k] })),
      ...Object.entries(info.seeds).map(([k, v]) => ({ item: `seed ${k}`, value: String(v) })),
      ...Object.entries(info.targets).map(([k, v]) => ({ item: `target ${k}`, value: v })),
    ];
    ctx.display.table(rows, { metadata: { phasor: info } });
    return undefined;
  },
});
