/**
 * The timing constants the SystemC model reads from program.dat: integer ticks (R ticks per
 * cycle of the target's clock, so that fractional latencies add up exactly), as the TypeScript
 * cycle engine derives them (docs/cycle-models.md). The caller computes them with the VM's
 * core models and barrier model (the compiler may not import the VM): cli/systemc.ts.
 */
import type { ScTiming } from "./types.js";
import type { StageCosts } from "../../target/stages.js";

/** A pipeline's stage costs in ticks (the cycle engine's costs at R ticks per cycle). */
export type StageTicks = StageCosts;

/** Everything the model's timing rests on, in ticks (clockHz in Hz, R ticks per cycle). */
export interface CycleConstants {
  clockHz: number;
  R: number;
  hop: number;
  hopNS: number;
  within: number;
  /** Ticks a link is busy per packet. */
  serial: number;
  barrierHop: number;
  barrierSync: number;
  /** Whether active and inactive neuron updates cost differently. */
  timesActivity: boolean;
  /** Stage costs by the number of synaptic currents of a layer's neurons. */
  stages: Record<number, StageTicks>;
}

/** The constants as program.dat's timing lines (keys sorted when written). */
export function systemcTiming(c: CycleConstants): ScTiming {
  const out: ScTiming = {
    clockHz: c.clockHz, R: c.R, hop: c.hop, hopNS: c.hopNS, within: c.within, serial: c.serial,
    barrierHop: c.barrierHop, barrierSync: c.barrierSync, timesActivity: c.timesActivity ? 1 : 0,
  };
  for (const [ports, s] of Object.entries(c.stages))
    for (const [k, v] of Object.entries(s)) out[`ports${ports}.${k}`] = v;
  for (const [k, v] of Object.entries(out))
    if (!Number.isFinite(v)) throw new Error(`SystemC timing constant ${k} is ${v}`);
  return out;
}
