/**
 * Exact time for the cycle engine: every latency is an integer number of ticks, R ticks per
 * cycle, with R the least common multiple of the latencies' denominators in cycles (found by
 * continued fractions), so sums of latencies are exact (1000 ops of 3.5 cycles are 3500 cycles).
 */
import { cycles, type CoreModel, type StageCosts } from "../cores/types.js";
import type { VmModel } from "../model.js";
import { barrierModel, type BarrierModel } from "./barrier.js";

/** Largest ticks-per-cycle used; beyond it latencies are rounded to 1/MAX_R cycle. */
export const MAX_R = 1 << 20;

/** Smallest denominator q <= MAX_R with |x - p/q| <= 1e-9 max(1, |x|), by continued fractions; 0 when none. */
export function denominator(x: number): number {
  const tol = 1e-9 * Math.max(1, Math.abs(x));
  let h0 = 1, h1 = Math.floor(x), k0 = 0, k1 = 1, r = x - Math.floor(x);
  // Stryker disable next-line EqualityOperator,UpdateOperator: never reached: k1 grows at least as the Fibonacci numbers, past MAX_R within 31 steps
  for (let i = 0; i < 40; i++) {
    if (Math.abs(x - h1 / k1) <= tol) return k1;
    if (r === 0) break;
    const inv = 1 / r, a = Math.floor(inv);
    r = inv - a;
    [h0, h1] = [h1, a * h1 + h0];
    [k0, k1] = [k1, a * k1 + k0];
    if (k1 > MAX_R) return 0;
  }
  return Math.abs(x - h1 / k1) <= tol ? k1 : 0;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Ticks per cycle for latencies given in (possibly fractional) cycles, and whether rounding was needed. */
export function ticksPerCycle(latencies: readonly number[]): { R: number; rounded: boolean } {
  let R = 1, rounded = false;
  for (const c of latencies) {
    // Stryker disable next-line ConditionalExpression: a latency of 0 has denominator 1, which leaves R as it is
    if (!Number.isFinite(c) || c === 0) continue;
    const q = denominator(c);
    // Stryker disable next-line ConditionalExpression: with q = 0 the lcm formula gives 0 too (gcd(R, 0) = R)
    const next = q === 0 ? 0 : (R / gcd(R, q)) * q;
    if (q === 0 || next > MAX_R) { rounded = true; continue; }
    R = next;
  }
  return rounded ? { R: MAX_R, rounded } : { R, rounded };
}

/** A latency in cycles as whole ticks. */
export function toTicks(cycles: number, R: number): number {
  return Math.round(cycles * R);
}

/** The constants the cycle model's time rests on, in cycles, and the ticks per cycle that hold them all exactly. */
export interface TimeBase {
  /** Stage costs by number of synaptic currents of a layer. */
  stageCycles: Map<number, StageCosts>;
  hop: number; hopNS: number; within: number; linkCycles: number;
  barrier: BarrierModel;
  /** Ticks per cycle, and whether some constant had to be rounded to a tick. */
  R: number; rounded: boolean;
}

/** The time base of a model on its target with a core model (one derivation for the engine and the SystemC model). */
export function timeBase(m: VmModel, core: CoreModel, linkCycles: number): TimeBase {
  const t = m.program.target, tm = t.timing;
  const ports = [...new Set(m.layers.map((l) => (l.cuba ? l.ports : 1)))];
  const stageCycles = new Map(ports.map((p) => [p, core.stages(p)]));
  const hop = cycles(t, tm.hop), hopNS = tm.hopNS ? cycles(t, tm.hopNS) : hop;
  const within = tm.withinTile ? cycles(t, tm.withinTile) : 1, barrier = barrierModel(t);
  const stageValues = [...stageCycles.values()].flatMap((c) => Object.values(c));
  const { R, rounded } = ticksPerCycle([hop, hopNS, within, linkCycles, barrier.hopCycles, ...barrier.syncCycles, ...stageValues]);
  return { stageCycles, hop, hopNS, within, linkCycles, barrier, R, rounded };
}
