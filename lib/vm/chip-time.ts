/**
 * Chip time: how long a run lasts on the chip, the time base of every energy and power figure
 * (static energy, whole-chip power, average power). A target that runs in real time (Xylo,
 * Speck, SpiNNaker2, TrueNorth's tick) spends one dt (or tick) per step; an unthrottled one
 * (Loihi) spends what its work and barrier take: measured by the cycle-accurate engine, and
 * estimated by the behavioural engine from the same counts and latencies. A time resting on a
 * timing constant without a published figure is n/a, with the reason.
 */
import type { Constant, Target } from "../target/types.js";
import type { Counters } from "./types.js";
import type { CycleReport } from "./cycle/report.js";
import { linkWait, type EnergyCounts } from "./energy-counts.js";

/** The chip time of a run, per inference (one batch entry). */
export interface ChipTime {
  /** Seconds per inference, null when it rests on an unpublished constant (see `na`). */
  seconds: number | null;
  /** "chip": the chip's own time, unthrottled; "real-time": one dt (or tick) per step. */
  base: "chip" | "real-time";
  /** How it was obtained. */
  source: string;
  na?: string;
}

const unpublished = (k: Constant) => k.kind === "unpublished" || k.source.startsWith("UNVERIFIED");
const UNIT: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };

/** A latency in seconds (a constant in cycles at the target's clock). */
export function seconds(t: Target, c: Constant): number {
  if (c.unit === "cycle" || c.unit === "cycles") return c.value / t.timing.clock.value;
  const u = UNIT[c.unit];
  if (u === undefined) throw new Error(`timing constant in unknown unit "${c.unit}"`);
  return c.value * u;
}

/** The timing constants a cycle count rests on (the clock apart), by path. */
export function cycleConstants(t: Target): Array<[string, Constant]> {
  const m = t.timing, out: Array<[string, Constant]> = [["timing.synOp", m.synOp], ["timing.neuronUpdate", m.neuronUpdate], ["timing.hop", m.hop]];
  for (const f of ["neuronUpdateInactive", "hopNS", "withinTile", "receive", "spike", "packet"] as const) {
    const k = m[f];
    if (k) out.push([`timing.${f}`, k]);
  }
  m.barrier?.points.forEach((p, i) => out.push([`timing.barrier.points[${i}]`, p.time]));
  return out;
}

/** Why cycle counts are n/a on this target (undefined when every constant they rest on is published). */
export function cyclesNa(t: Target): string | undefined {
  const missing = cycleConstants(t).filter(([, k]) => unpublished(k)).map(([p]) => p);
  return missing.length ? `cycle counts rest on ${missing.join(", ")}, with no published figure` : undefined;
}

/** Barrier latency in seconds with `tiles` routers in use: the target's table, else a token across the mesh and back. */
export function barrierSeconds(t: Target, tiles: number): number {
  const b = t.timing.barrier;
  if (!b) return 2 * (t.mesh.width + t.mesh.height - 2) * seconds(t, t.timing.hop);
  const pts = [...b.points].sort((x, y) => x.tiles - y.tiles), at = (i: number) => seconds(t, pts[i].time);
  let i = 0;
  while (i + 1 < pts.length && pts[i + 1].tiles <= tiles) i++;
  if (b.lookup === "step" || i + 1 >= pts.length || tiles <= pts[0].tiles) return at(i);
  const f = (tiles - pts[i].tiles) / (pts[i + 1].tiles - pts[i].tiles);
  return at(i) + f * (at(i + 1) - at(i));
}

/** Inputs of chipTime. */
export interface ChipTimeInputs {
  steps: number;
  batch: number;
  dt: number;
  /** The cycle-accurate engine's report, when it ran. */
  cycles?: CycleReport;
  counters: Counters;
  counts: EnergyCounts;
  /** Force the real-time base (an unthrottled chip throttled to dt per step). */
  realTime?: boolean;
}

/** The chip time per inference of a run. */
export function chipTime(t: Target, o: ChipTimeInputs): ChipTime {
  if (o.realTime || t.timing.timeBase === "real-time" || t.timing.tick) return realTime(t, o);
  const rests: Array<[string, Constant]> = [["timing.clock", t.timing.clock], ...cycleConstants(t), ...linkWait(t, o.counts).used];
  const missing = rests.filter(([, k]) => unpublished(k)).map(([p]) => p);
  const source = o.cycles
    ? "cycle-accurate engine: the steps' latencies at the target's clock"
    : "estimated from the counts: the busiest core's work plus the barrier, per step (the cycle-accurate engine measures it)";
  if (missing.length) return { seconds: null, base: "chip", source, na: `chip time rests on ${missing.join(", ")}, with no published figure` };
  if (o.cycles) return { seconds: o.cycles.totalCycles / o.cycles.clockHz / o.batch, base: "chip", source };
  return { seconds: estimate(t, o) / o.batch, base: "chip", source };
}

function realTime(t: Target, o: ChipTimeInputs): ChipTime {
  const tick = t.timing.tick;
  if (tick && unpublished(tick)) {
    return { seconds: null, base: "real-time", source: "steps x timing.tick", na: "the chip time rests on timing.tick, with no published figure" };
  }
  const step = tick ? seconds(t, tick) : o.dt;
  const throttled = o.realTime && t.timing.timeBase !== "real-time" && !tick;
  const source = tick ? `real time: ${o.steps} steps x the chip's ${tick.value} ${tick.unit} tick`
    : throttled ? `throttled to real time: ${o.steps} steps x dt` : `real time: ${o.steps} steps x dt (the chip runs one step per dt)`;
  return { seconds: o.steps * step, base: "real-time", source };
}

/** Chip seconds of the whole run (all batch entries) from the counts: the busiest core plus a barrier per step. */
function estimate(t: Target, o: ChipTimeInputs): number {
  const m = t.timing, s = (k: Constant | undefined) => (k ? seconds(t, k) : 0);
  const syn = s(m.synOp), upd = s(m.neuronUpdate), idle = m.neuronUpdateInactive ? s(m.neuronUpdateInactive) : upd;
  let busiest = 0;
  for (const [core, x] of Object.entries(o.counts.cores)) {
    if (Number(core) < 0) continue;
    const k = o.counters.cores[Number(core)];
    const events = x.chipSpikes * s(m.spike) + x.messagesOut * s(m.packet) + x.messagesIn * s(m.receive);
    const work = (k ? (k.synOpsAC + k.synOpsMAC) * syn : 0) + x.active * upd + x.inactive * idle + events;
    busiest = Math.max(busiest, work);
  }
  return busiest + o.steps * (barrierSeconds(t, o.counts.tilesUsed) + linkWait(t, o.counts).seconds);
}
