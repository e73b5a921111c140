/**
 * Energy = counts x the target's constants + power x chip time, per layer, per core and per
 * kind of operation, computed alike for both engines (the counts come from the run's shared
 * state; only the chip time, hence the static part, depends on the engine's timing). Every
 * term names the constant it used. A figure resting on a constant of kind "unpublished" is
 * null (n/a), never 0, and the report says why in one line (`na`); JSON carries the null.
 */
import type { Constant, ConstantKind, Target } from "../target/types.js";
import type { Counters, Counts } from "./types.js";
import type { ActivityCounts, EnergyCounts } from "./energy-counts.js";
import type { ChipTime } from "./chip-time.js";

/** Kinds of operation energy is charged for. */
export type EnergyOp = "synOp" | "neuronUpdate" | "neuronUpdateInactive" | "spike" | "packet" | "hop" | "hopNS" | "withinTile" | "dynamicPower" | "static";

/** Energies by kind of operation; null where the constant has no published figure. */
export type OpEnergy = Partial<Record<EnergyOp, number | null>>;

/** One charged quantity: count x constant (joules null when the constant is unpublished). */
export interface EnergyTerm {
  op: EnergyOp;
  layer?: string;
  core?: number;
  /** Events, or seconds for power terms. */
  count: number;
  /** Path of the constant in the Target (energy.synOp, ...). */
  constant: string;
  joules: number | null;
}

/** A constant as a report shows it: an unpublished one has value null. */
export interface ReportedConstant { value: number | null; unit: string; source: string; kind: ConstantKind }

/** Why a figure of the report is n/a, one line each. */
export interface EnergyNa { total?: string; dynamic?: string; static?: string; time?: string; power?: string }

/** Energy of a run with its breakdowns, time base and provenance. */
export interface EnergyReport {
  target: string;
  /** Joules for the whole run (all batch entries); null when n/a (see `na`). */
  total: number | null;
  /** Joules per inference (one batch entry), and its dynamic (events, whole-chip power) and static parts. */
  perInference: number | null;
  dynamicPerInference: number | null;
  staticPerInference: number | null;
  /** The time base of every figure: chip time per inference in seconds, how it was obtained. */
  timeBase: "chip" | "real-time";
  seconds: number | null;
  timeSource: string;
  /** Average power over the chip time: perInference / seconds (watts). */
  averagePower: number | null;
  na: EnergyNa;
  byOp: OpEnergy;
  byLayer: Record<string, OpEnergy>;
  byCore: Record<string, OpEnergy>;
  /** The constants used, by path, with value (null if unpublished), unit, source and kind. */
  constants: Record<string, ReportedConstant>;
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

/** A constant without a published figure: kind "unpublished" (or a legacy "UNVERIFIED" source). */
export const isUnpublished = (k: Constant) => k.kind === "unpublished" || k.source.startsWith("UNVERIFIED");

type Count = (x: Counts, a: ActivityCounts) => number;

/** Event-priced operations: the constant's path and what is counted. */
function eventOps(t: Target, detail: boolean): Array<[EnergyOp, string, Constant, Count]> {
  const e = t.energy, out: Array<[EnergyOp, string, Constant, Count]> = [["synOp", "energy.synOp", e.synOp, (x) => x.synOpsAC + x.synOpsMAC]];
  if (e.neuronUpdateInactive && detail) {
    out.push(["neuronUpdate", "energy.neuronUpdate", e.neuronUpdate, (_x, a) => a.active]);
    out.push(["neuronUpdateInactive", "energy.neuronUpdateInactive", e.neuronUpdateInactive, (_x, a) => a.inactive]);
  } else out.push(["neuronUpdate", "energy.neuronUpdate", e.neuronUpdate, (x) => x.neuronUpdates]);
  if (e.spike) out.push(["spike", "energy.spike", e.spike, (_x, a) => a.chipSpikes]);
  if (e.packet) out.push(["packet", "energy.packet", e.packet, (_x, a) => a.messagesOut]);
  if (e.hopNS && detail) {
    out.push(["hop", "energy.hop", e.hop, (_x, a) => a.hopsEW]);
    out.push(["hopNS", "energy.hopNS", e.hopNS, (_x, a) => a.hopsNS]);
  } else out.push(["hop", "energy.hop", e.hop, (x) => x.hops]);
  out.push(["withinTile", e.withinTile ? "energy.withinTile" : "energy.hop", e.withinTile ?? e.hop, (x) => x.localDeliveries]);
  return out;
}

const NO_ACTIVITY: ActivityCounts = { active: 0, inactive: 0, hopsEW: 0, hopsNS: 0, chipSpikes: 0, messagesOut: 0, messagesIn: 0 };

/** Adds j (or n/a) to an op of a breakdown. */
function add(into: OpEnergy, op: EnergyOp, j: number | null): void {
  const cur = into[op];
  into[op] = cur === null || j === null ? null : (cur ?? 0) + j;
}

const sum = (x: OpEnergy, ops: EnergyOp[]) => ops.reduce<number | null>((a, op) => (a === null || x[op] === null ? null : a + (x[op] ?? 0)), 0);
const DYNAMIC: EnergyOp[] = ["synOp", "neuronUpdate", "neuronUpdateInactive", "spike", "packet", "hop", "hopNS", "withinTile", "dynamicPower"];

/** Computes a run's energy from its counters, the counts both engines share, and its chip time. */
export function energyReport(t: Target, c: Counters, time: ChipTime, counts?: EnergyCounts): EnergyReport {
  const constants: Record<string, ReportedConstant> = {}, terms: EnergyTerm[] = [], na: EnergyNa = {}, caveats: string[] = [];
  const byOp: OpEnergy = {}, byLayer: Record<string, OpEnergy> = {}, byCore: Record<string, OpEnergy> = {};
  const use = (path: string, k: Constant) => { constants[path] = { ...k, value: isUnpublished(k) ? null : k.value }; return isUnpublished(k) ? null : si(k); };
  const gaps = { dynamic: new Set<string>(), static: new Set<string>() };
  const missing = (path: string, k: Constant, what: "dynamic" | "static") => { if (isUnpublished(k)) gaps[what].add(path); };
  for (const [op, path, k, count] of eventOps(t, counts !== undefined)) {
    const j = use(path, k);
    for (const [layer, x] of Object.entries(c.layers)) {
      const n = count(x, counts?.layers[layer] ?? NO_ACTIVITY);
      if (!n) continue;
      missing(path, k, "dynamic");
      terms.push({ op, layer, count: n, constant: path, joules: j === null ? null : n * j });
      add((byLayer[layer] ??= {}), op, j === null ? null : n * j);
      add(byOp, op, j === null ? null : n * j);
    }
    for (const [core, x] of Object.entries(c.cores)) {
      const n = count(x, counts?.cores[Number(core)] ?? NO_ACTIVITY);
      if (n) add((byCore[core] ??= {}), op, j === null ? null : n * j);
    }
  }
  if (!counts && t.energy.neuronUpdateInactive) caveats.push("activity was not counted: every neuron update is charged as active");
  chipTerms(t, c, time, { use, missing, terms, byOp, byCore, na });
  for (const what of ["dynamic", "static"] as const) if (gaps[what].size) na[what] = [unpublishedLine([...gaps[what]]), na[what]].filter(Boolean).join("; ");
  for (const path of [...gaps.dynamic, ...gaps.static]) caveats.push(`${path} has no published figure: ${constants[path].source.replace(/^no published figure: /, "")}`);
  const dynamic = sum(byOp, DYNAMIC), stat = sum(byOp, ["static"]);
  const total = dynamic === null || stat === null ? null : dynamic + stat, per = total === null ? null : total / c.batch;
  if (time.seconds === null) na.time = time.na;
  if (total === null) na.total = [na.dynamic, na.static].filter(Boolean).join("; ");
  if (per === null || !time.seconds) na.power = per === null ? `the energy is n/a: ${na.total}` : time.seconds === null ? `the chip time is n/a: ${time.na}` : "the chip time is 0";
  noteKinds(constants, caveats);
  return {
    target: t.name, total, perInference: per, dynamicPerInference: dynamic === null ? null : dynamic / c.batch, staticPerInference: stat === null ? null : stat / c.batch,
    timeBase: time.base, seconds: time.seconds, timeSource: time.source, averagePower: per !== null && time.seconds ? per / time.seconds : null,
    na, byOp, byLayer, byCore, constants, terms, caveats,
  };
}

interface Sink {
  use: (path: string, k: Constant) => number | null;
  missing: (path: string, k: Constant, what: "dynamic" | "static") => void;
  terms: EnergyTerm[];
  byOp: OpEnergy;
  byCore: Record<string, OpEnergy>;
  na: EnergyNa;
}

/** Power x chip time terms: static power per core in use and per chip, whole-chip dynamic power; chip-wide ones shared evenly among the cores in use. */
function chipTerms(t: Target, c: Counters, time: ChipTime, s: Sink): void {
  const e = t.energy, cores = Object.keys(c.cores).filter((k) => Number(k) >= 0);
  const secs = time.seconds === null ? null : time.seconds * c.batch;
  const charge = (op: "static" | "dynamicPower", path: string, k: Constant, core: number | undefined, share: number) => {
    const w = s.use(path, k), what = op === "static" ? "static" : "dynamic";
    s.missing(path, k, what);
    if (secs === null && w !== 0) s.na[what] ??= `the chip time is n/a: ${time.na}`;
    const j = w === null || secs === null ? (w === 0 ? 0 : null) : w * secs * share;
    s.terms.push({ op, ...(core !== undefined ? { core } : {}), count: (secs ?? 0) * share, constant: path, joules: j });
    add(s.byOp, op, j);
    const into = core !== undefined ? [String(core)] : cores;
    for (const k2 of into) add((s.byCore[k2] ??= {}), op, j === null ? null : j / (core !== undefined ? 1 : Math.max(1, into.length)));
  };
  for (const core of cores) charge("static", "energy.staticPerCore", e.staticPerCore, Number(core), 1);
  if (e.staticPerChip) charge("static", "energy.staticPerChip", e.staticPerChip, undefined, 1);
  if (e.dynamicPower) charge("dynamicPower", "energy.dynamicPower", e.dynamicPower, undefined, 1);
}

/** "energy.synOp has no published figure" (or "... and ... have"), the sources being in the constants and caveats. */
function unpublishedLine(paths: string[]): string {
  return paths.length === 1 ? `${paths[0]} has no published figure` : `${paths.slice(0, -1).join(", ")} and ${paths[paths.length - 1]} have no published figure`;
}

/** Caveats on published constants: zeros and all-in figures. */
function noteKinds(constants: Record<string, ReportedConstant>, caveats: string[]): void {
  for (const [path, k] of Object.entries(constants)) {
    if (k.value === null) continue;
    if (k.kind === "all-in") caveats.push(`${path} is an all-in figure (${k.value} ${k.unit}): ${k.source}`);
    else if (k.value === 0) caveats.push(`${path} is 0: ${k.source}`);
    if (k.kind === "fitted") caveats.push(`${path} is fitted (${k.value} ${k.unit}): ${k.source}`);
  }
}

/** A figure in a fixed unit (J as µJ, W as mW) to 4 significant digits, or "n/a" for null. */
export function fixed(x: number | null, unit: "µJ" | "mW"): string {
  if (x === null) return "n/a";
  return `${(x * (unit === "µJ" ? 1e6 : 1e3)).toPrecision(4)} ${unit}`;
}

/** A time in s, ms, µs or ns (the largest unit it is at least 1 of) to 4 significant digits, or "n/a". */
export function duration(x: number | null): string {
  if (x === null) return "n/a";
  const [unit, scale] = ([["s", 1], ["ms", 1e3], ["µs", 1e6], ["ns", 1e9]] as const).find(([, k]) => x * k >= 1 || k === 1e9)!;
  return `${(x * scale).toPrecision(4)} ${unit}`;
}

/** One line for summaries: energy per inference, average power and the chip time they rest on, "n/a" with the reason where unpublished. */
export function energySummary(e: EnergyReport): string {
  const parts = `dynamic ${fixed(e.dynamicPerInference, "µJ")}, static ${fixed(e.staticPerInference, "µJ")}`;
  const time = `${duration(e.seconds)} of chip time (${e.timeSource})`;
  const why = e.na.total ?? e.na.power ?? e.na.time;
  return `energy ${fixed(e.perInference, "µJ")} per inference (${parts}), average power ${fixed(e.averagePower, "mW")} over ${time}${why ? `; n/a: ${why}` : ""}`;
}
