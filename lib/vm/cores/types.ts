/** A core model: how many cycles and memory accesses a core spends on each kind of work, and its pipeline's stage costs. */
import type { Constant, Target } from "../../target/types.js";
import type { StageCosts } from "../../target/stages.js";

/** What each stage of a core's pipeline costs, in cycles (fractions allowed). */
export type { StageCosts };

/** Cycles and memory accesses of one piece of work. */
export interface Work { cycles: number; reads: number; writes: number }

/** A neuromorphic core's timing and memory model (one file per model, registered in cores/index.ts). */
export interface CoreModel {
  name: string;
  /** One line: what the model is like. */
  summary: string;
  /** Receiving one event whose fan-out on this core is `synapses` synapses. */
  receive(synapses: number): Work;
  /** Updating `neurons` neurons with `ports` synaptic currents each. */
  update(neurons: number, ports: number): Work;
  /** Emitting one spike packet. */
  emit(): Work;
  /** The pipeline's stage costs for neurons with `ports` synaptic currents (the cycle engine's model). */
  stages(ports: number): StageCosts;
}

/** Cycles of a timing constant, exactly (a constant in ns is converted at the target's clock; no rounding). */
export function cycles(t: Target, c: { value: number; unit: string }): number {
  if (c.unit === "cycle" || c.unit === "cycles") return c.value;
  const s = c.unit === "ns" ? 1e-9 : c.unit === "us" || c.unit === "µs" ? 1e-6 : c.unit === "ms" ? 1e-3 : c.unit === "s" ? 1 : NaN;
  return snap(c.value * s * t.timing.clock.value);
}

/** x with float noise removed (3.5e-9 s x 1e10 Hz is 35, not 35.000000000000004). */
function snap(x: number): number {
  const r = Math.round(x * 1e6) / 1e6;
  return Math.abs(r - x) <= 1e-9 * Math.max(1, Math.abs(x)) ? r : x;
}

/** Cycles of an optional constant, or `fallback` when the target has none. */
export function optCycles(t: Target, c: Constant | undefined, fallback: number): number {
  return c ? cycles(t, c) : fallback;
}
