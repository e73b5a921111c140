/** A core model: how many cycles and memory accesses a core spends on each kind of work. */
import type { Target } from "../../target/types.js";

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
}

/** Cycles per unit of a timing constant (a constant in ns is converted at the target's clock). */
export function cycles(t: Target, c: { value: number; unit: string }): number {
  if (c.unit === "cycle" || c.unit === "cycles") return c.value;
  const s = c.unit === "ns" ? 1e-9 : c.unit === "us" || c.unit === "µs" ? 1e-6 : c.unit === "ms" ? 1e-3 : c.unit === "s" ? 1 : NaN;
  return Math.max(1, Math.round(c.value * s * t.timing.clock.value));
}
