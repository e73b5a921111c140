/**
 * Energy = counters x the target's constants + static power x time, per layer, per core and
 * per kind of operation. Every term names the constant it used (path, value, unit, source,
 * kind), so each figure can be traced to its provenance. Constants of kind "unpublished"
 * (no published figure; value 0, never an invented number) are named in `caveats`.
 */
import type { Constant, Target } from "../target/types.js";
import type { Counters, Counts } from "./types.js";

/** Kinds of operation energy is charged for. */
export type EnergyOp = "synOp" | "neuronUpdate" | "hop" | "withinTile" | "static";

/** One charged quantity: count x constant. */
export interface EnergyTerm {
  op: EnergyOp;
  layer?: string;
  core?: number;
  count: number;
  /** Path of the constant in the Target (energy.synOp, ...). */
  constant: string;
  joules: number;
}

/** Energy of a run with its breakdowns and provenance. */
export interface EnergyReport {
  target: string;
  /** Joules for the whole run (all batch entries). */
  total: number;
  /** Joules per inference (one batch entry). */
  perInference: number;
  /** Chip time per inference in seconds, and where it came from. */
  seconds: number;
  timeSource: string;
  /** Average power over the run in watts. */
  averagePower: number;
  byOp: Record<EnergyOp, number>;
  byLayer: Record<string, Record<EnergyOp, number>>;
  byCore: Record<string, Record<EnergyOp, number>>;
  /** The constants used, by path, with value, unit, source and kind ("unpublished" ones are also in `caveats`). */
  constants: Record<string, Constant>;
  terms: EnergyTerm[];
  caveats: string[];
}

const SCALE: Record<string, number> = { J: 1, mJ: 1e-3, uJ: 1e-6, "µJ": 1e-6, nJ: 1e-9, pJ: 1e-12, fJ: 1e-15, W: 1, mW: 1e-3, uW: 1e-6, "µW": 1e-6, nW: 1e-9 };

/** A constant in SI units (J or W). */
export function si(c: Constant): number {
  const s = SCALE[c.unit];
  if (s === undefined) throw new Error(`energy constant in unknown unit "${c.unit}"`);
  return c.value * s;
}

/** A constant without a published figure: kind "unpublished" (or a legacy "UNVERIFIED" source, as the compiler's report reads it). */
const unpublished = (k: Constant) => k.kind === "unpublished" || k.source.startsWith("UNVERIFIED");

const zero = (): Record<EnergyOp, number> => ({ synOp: 0, neuronUpdate: 0, hop: 0, withinTile: 0, static: 0 });

/** Computes energy from counters; `seconds` is the chip time per inference (cycle engine) or undefined for real time (steps x tick or dt). */
export function energyReport(t: Target, c: Counters, dt: number, seconds?: number): EnergyReport {
  const e = t.energy, constants: Record<string, Constant> = {}, terms: EnergyTerm[] = [], caveats: string[] = [];
  const use = (path: string, k: Constant) => { constants[path] = k; return si(k); };
  const per: Array<[EnergyOp, string, Constant | undefined, (x: Counts) => number]> = [
    ["synOp", "energy.synOp", e.synOp, (x) => x.synOpsAC + x.synOpsMAC],
    ["neuronUpdate", "energy.neuronUpdate", e.neuronUpdate, (x) => x.neuronUpdates],
    ["hop", "energy.hop", e.hop, (x) => x.hops],
    ["withinTile", e.withinTile ? "energy.withinTile" : "energy.hop", e.withinTile ?? e.hop, (x) => x.localDeliveries],
  ];
  const byOp = zero(), byLayer: EnergyReport["byLayer"] = {}, byCore: EnergyReport["byCore"] = {};
  for (const [op, path, k, count] of per) {
    if (!k) continue;
    const j = use(path, k);
    for (const [layer, x] of Object.entries(c.layers)) {
      const n = count(x);
      if (n) { terms.push({ op, layer, count: n, constant: path, joules: n * j }); (byLayer[layer] ??= zero())[op] += n * j; byOp[op] += n * j; }
    }
    for (const [core, x] of Object.entries(c.cores)) if (count(x)) (byCore[core] ??= zero())[op] += count(x) * j;
  }
  const tick = t.timing.tick ? t.timing.tick.value : dt;
  const time = seconds ?? c.steps * tick;
  const timeSource = seconds !== undefined ? "cycle-accurate engine: sum of per-step latencies at the target clock" : t.timing.tick ? "real time: steps x the target's tick (timing.tick)" : "real time: steps x dt";
  const chipCores = Object.keys(c.cores).filter((k) => Number(k) >= 0);
  const ps = use("energy.staticPerCore", e.staticPerCore);
  for (const core of chipCores) {
    const j = ps * time * c.batch;
    (byCore[core] ??= zero()).static += j; byOp.static += j;
    terms.push({ op: "static", core: Number(core), count: time * c.batch, constant: "energy.staticPerCore", joules: j });
  }
  for (const [path, k] of Object.entries(constants)) {
    if (unpublished(k)) caveats.push(`${path} has no published figure (kind "unpublished"; ${k.value} ${k.unit} used), so the energy it prices is missing from the totals: ${k.source}`);
    else if (k.value === 0) caveats.push(`${path} is 0: ${k.source}`);
    if (k.kind === "all-in") caveats.push(`${path} is an all-in figure (${k.value} ${k.unit}); other terms may be included in it`);
  }
  // The chip time (static energy, average power) rests on timing constants: flag those without a published figure.
  const timing = seconds !== undefined ? (["clock", "synOp", "neuronUpdate", "hop"] as const).map((f) => [`timing.${f}`, t.timing[f]] as const) : t.timing.tick ? [["timing.tick", t.timing.tick] as const] : [];
  for (const [path, k] of timing) if (k && unpublished(k)) caveats.push(`the chip time uses ${path}, which has no published figure (kind "unpublished", ${k.value} ${k.unit}); time, static energy and average power are estimates at best: ${k.source}`);
  const total = Object.values(byOp).reduce((a, b) => a + b, 0);
  return { target: t.name, total, perInference: total / c.batch, seconds: time, timeSource, averagePower: time > 0 ? total / c.batch / time : 0, byOp, byLayer, byCore, constants, terms, caveats };
}
