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
export type EnergyOp =
  | "synOp" | "neuronUpdate" | "neuronUpdateInactive" | "spike" | "packet" | "hop" | "hopNS" | "withinTile" | "chipLink" | "boardLink"
  | "dynamicPower" | "static";

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

const SCALE: Record<string, number> = {
  J: 1, mJ: 1e-3, uJ: 1e-6, "µJ": 1e-6, nJ: 1e-9, pJ: 1e-12, fJ: 1e-15, W: 1, mW: 1e-3, uW: 1e-6, "µW": 1e-6, nW: 1e-9,
};

/** A constant in SI units (J or W). */
export function si(c: Constant): number {
  const s = SCALE[c.unit];
  if (s === undefined) throw new Error(`energy constant in unknown unit "${c.unit}"`);
  return c.value * s;
}

/** A constant without a published figure: kind "unpublished" (or a legacy "UNVERIFIED" source). */
export const isUnpublished = (k: Constant) => k.kind === "unpublished" || k.source.startsWith("UNVERIFIED");

type Count = (x: Counts, a: ActivityCounts) => number;
type EventOp = [EnergyOp, string, Constant, Count];

/** Event-priced operations: the constant's path and what is counted (activity and directions where `detail`). */
function eventOps(t: Target, detail: boolean): EventOp[] {
  const e = t.energy, out: EventOp[] = [["synOp", "energy.synOp", e.synOp, (x) => x.synOpsAC + x.synOpsMAC]];
  if (e.neuronUpdateInactive && detail) {
    out.push(["neuronUpdate", "energy.neuronUpdate", e.neuronUpdate, (_x, a) => a.active]);
    out.push(["neuronUpdateInactive", "energy.neuronUpdateInactive", e.neuronUpdateInactive, (_x, a) => a.inactive]);
  } else out.push(["neuronUpdate", "energy.neuronUpdate", e.neuronUpdate, (x) => x.neuronUpdates]);
  if (e.spike) out.push(["spike", "energy.spike", e.spike, (_x, a) => a.chipSpikes]);
  if (e.packet) out.push(["packet", "energy.packet", e.packet, (_x, a) => a.messagesOut]);
  if (e.hopNS && detail) {
    out.push(["hop", "energy.hop", e.hop, (_x, a) => a.hopsEW]);
    out.push(["hopNS", "energy.hopNS", e.hopNS, (_x, a) => a.hopsNS]);
  } else out.push(["hop", "energy.hop", e.hop, (x, a) => x.hops - a.chipLinks - a.boardLinks]);
  // A system's chip-to-chip (board-to-board) link traversals are priced by the link, not the chip's hop.
  const sys = t.system;
  if (sys) out.push(["chipLink", "system.chipLink.energy", sys.chipLink.energy, (_x, a) => a.chipLinks]);
  if (sys) out.push(["boardLink", sys.boardLink ? "system.boardLink.energy" : "system.chipLink.energy", (sys.boardLink ?? sys.chipLink).energy, (_x, a) => a.boardLinks]);
  out.push(["withinTile", e.withinTile ? "energy.withinTile" : "energy.hop", e.withinTile ?? e.hop, (x) => x.localDeliveries]);
  return out;
}

const NO_ACTIVITY: ActivityCounts = { active: 0, inactive: 0, hopsEW: 0, hopsNS: 0, chipSpikes: 0, messagesOut: 0, messagesIn: 0, chipLinks: 0, boardLinks: 0 };

/** Adds j (or n/a) to an op of a breakdown. */
function add(into: OpEnergy, op: EnergyOp, j: number | null): void {
  const cur = into[op];
  into[op] = cur === null || j === null ? null : (cur ?? 0) + j;
}

/** The sum of some ops of a breakdown, null when one of them is. */
const sum = (x: OpEnergy, ops: EnergyOp[]) => ops.reduce<number | null>((a, op) => (a === null || x[op] === null ? null : a + (x[op] ?? 0)), 0);
const DYNAMIC: EnergyOp[] = ["synOp", "neuronUpdate", "neuronUpdateInactive", "spike", "packet", "hop", "hopNS", "withinTile", "chipLink", "boardLink", "dynamicPower"];
const perSample = (x: number | null, batch: number) => (x === null ? null : x / batch);

/** What the terms are written into while a report is built. */
interface Sink {
  constants: Record<string, ReportedConstant>;
  terms: EnergyTerm[];
  byOp: OpEnergy;
  byLayer: Record<string, OpEnergy>;
  byCore: Record<string, OpEnergy>;
  na: EnergyNa;
  /** Unpublished constants that priced something, by part. */
  gaps: { dynamic: Set<string>; static: Set<string> };
}

/** The constant's value in SI units, null when unpublished; records it in the report. */
function use(s: Sink, path: string, k: Constant): number | null {
  s.constants[path] = { ...k, value: isUnpublished(k) ? null : k.value };
  return isUnpublished(k) ? null : si(k);
}

/** Computes a run's energy from its counters, the counts both engines share, and its chip time. */
export function energyReport(t: Target, c: Counters, time: ChipTime, counts?: EnergyCounts): EnergyReport {
  const s: Sink = { constants: {}, terms: [], byOp: {}, byLayer: {}, byCore: {}, na: {}, gaps: { dynamic: new Set(), static: new Set() } };
  const caveats: string[] = [];
  for (const op of eventOps(t, counts !== undefined)) eventTerms(s, op, c, counts);
  if (!counts && t.energy.neuronUpdateInactive) caveats.push("activity was not counted: every neuron update is charged as active");
  chipTerms(t, c, time, s);
  const { na, constants, byOp } = s;
  for (const what of ["dynamic", "static"] as const) {
    if (s.gaps[what].size) na[what] = [unpublishedLine([...s.gaps[what]]), na[what]].filter(Boolean).join("; ");
  }
  for (const path of [...s.gaps.dynamic, ...s.gaps.static]) {
    caveats.push(`${path} has no published figure: ${constants[path].source.replace(/^no published figure: /, "")}`);
  }
  const dynamic = sum(byOp, DYNAMIC), stat = sum(byOp, ["static"]);
  const total = dynamic === null || stat === null ? null : dynamic + stat, per = perSample(total, c.batch);
  if (time.seconds === null) na.time = time.na;
  if (total === null) na.total = [na.dynamic, na.static].filter(Boolean).join("; ");
  if (per === null) na.power = `the energy is n/a: ${na.total}`;
  else if (time.seconds === null) na.power = `the chip time is n/a: ${time.na}`;
  else if (!time.seconds) na.power = "the chip time is 0";
  noteKinds(constants, caveats);
  return {
    target: t.name, total, perInference: per, dynamicPerInference: perSample(dynamic, c.batch), staticPerInference: perSample(stat, c.batch),
    timeBase: time.base, seconds: time.seconds, timeSource: time.source, averagePower: per !== null && time.seconds ? per / time.seconds : null,
    na, byOp, byLayer: s.byLayer, byCore: s.byCore, constants, terms: s.terms, caveats,
  };
}

/** One event-priced operation, per layer (terms, byLayer, byOp) and per core (byCore). */
function eventTerms(s: Sink, [op, path, k, count]: EventOp, c: Counters, counts?: EnergyCounts): void {
  const j = use(s, path, k), times = (n: number) => (j === null ? null : n * j);
  for (const [layer, x] of Object.entries(c.layers)) {
    const n = count(x, counts?.layers[layer] ?? NO_ACTIVITY);
    if (!n) continue;
    if (j === null) s.gaps.dynamic.add(path);
    s.terms.push({ op, layer, count: n, constant: path, joules: times(n) });
    add((s.byLayer[layer] ??= {}), op, times(n));
    add(s.byOp, op, times(n));
  }
  for (const [core, x] of Object.entries(c.cores)) {
    const n = count(x, counts?.cores[Number(core)] ?? NO_ACTIVITY);
    if (n) add((s.byCore[core] ??= {}), op, times(n));
  }
}

/**
 * Power x chip time terms: static power per core in use and per chip, whole-chip dynamic power;
 * the chip-wide ones are shared evenly among the cores in use in byCore.
 */
function chipTerms(t: Target, c: Counters, time: ChipTime, s: Sink): void {
  const e = t.energy, cores = Object.keys(c.cores).filter((k) => Number(k) >= 0);
  const secs = time.seconds === null ? null : time.seconds * c.batch;
  const charge = (op: "static" | "dynamicPower", path: string, k: Constant, core?: number) => {
    const w = use(s, path, k), what = op === "static" ? "static" : "dynamic";
    if (w === null) s.gaps[what].add(path);
    if (secs === null && w !== 0) s.na[what] ??= `the chip time is n/a: ${time.na}`;
    const j = w === null || secs === null ? (w === 0 ? 0 : null) : w * secs;
    s.terms.push({ op, ...(core !== undefined ? { core } : {}), count: secs ?? 0, constant: path, joules: j });
    add(s.byOp, op, j);
    // Stryker disable next-line ConditionalExpression: every core's static term is the same constant, so sharing each evenly gives the same
    const into = core !== undefined ? [String(core)] : cores;
    for (const id of into) add((s.byCore[id] ??= {}), op, j === null ? null : j / Math.max(1, into.length));
  };
  for (const core of cores) charge("static", "energy.staticPerCore", e.staticPerCore, Number(core));
  if (e.staticPerChip) charge("static", "energy.staticPerChip", e.staticPerChip);
  if (e.dynamicPower) charge("dynamicPower", "energy.dynamicPower", e.dynamicPower);
}

/** "energy.synOp has no published figure" (or "... and ... have"), the sources being in the constants and caveats. */
function unpublishedLine(paths: string[]): string {
  if (paths.length === 1) return `${paths[0]} has no published figure`;
  return `${paths.slice(0, -1).join(", ")} and ${paths[paths.length - 1]} have no published figure`;
}

/** Caveats on published constants: all-in, fitted and zero figures. */
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

const TIME_UNITS = [["s", 1], ["ms", 1e3], ["µs", 1e6], ["ns", 1e9]] as const;

/** A time in s, ms, µs or ns (the largest unit it is at least 1 of) to 4 significant digits, or "n/a". */
export function duration(x: number | null): string {
  if (x === null) return "n/a";
  const [unit, scale] = TIME_UNITS.find(([, k]) => x * k >= 1 || k === 1e9)!;
  return `${(x * scale).toPrecision(4)} ${unit}`;
}

/** One line for summaries: energy per inference, average power and the chip time they rest on; n/a with the reason. */
export function energySummary(e: EnergyReport): string {
  const parts = `dynamic ${fixed(e.dynamicPerInference, "µJ")}, static ${fixed(e.staticPerInference, "µJ")}`;
  const time = `${duration(e.seconds)} of chip time (${e.timeSource})`;
  const why = e.na.total ?? e.na.power ?? e.na.time;
  const power = `average power ${fixed(e.averagePower, "mW")} over ${time}`;
  return `energy ${fixed(e.perInference, "µJ")} per inference (${parts}), ${power}${why ? `; n/a: ${why}` : ""}`;
}
