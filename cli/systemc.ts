/**
 * The glue of `--emit systemc`: the loaded Program and the cycle engine's timing constants
 * (core model stage costs, mesh, barrier, ticks per cycle: the engine's own timeBase, in ticks)
 * handed to the generator, which may not import the VM itself.
 */
import type { Program } from "../lib/compiler/program.js";
import { emitSystemC, type CycleConstants, type StageTicks } from "../lib/compiler/systemc/index.js";
import { loadModel, type VmModel } from "../lib/vm/model.js";
import { coreModelFor } from "../lib/vm/cores/index.js";
import type { StageCosts } from "../lib/vm/cores/types.js";
import { timeBase, toTicks } from "../lib/vm/cycle/time.js";
import { routerOf } from "../lib/vm/noc/routes.js";

/** Options of the cycle engine that change its timing constants. */
export interface CycleOptions { coreModel?: string; linkCycles?: number }

/** The cycle engine's timing constants of a Program, in ticks. */
export function cycleConstants(p: Program, m: VmModel = loadModel(p), o: CycleOptions = {}): CycleConstants {
  const t = p.target, tm = t.timing, core = coreModelFor(t, o.coreModel), linkCycles = o.linkCycles ?? 1;
  const { stageCycles, hop, hopNS, within, barrier: bm, R } = timeBase(m, core, linkCycles);
  const ticks = (c: StageCosts): StageTicks => ({
    axonIn: toTicks(c.axonIn, R), synapsePerMessage: toTicks(c.synapsePerMessage, R),
    synapsePerSynapse: toTicks(c.synapsePerSynapse, R), dendritePerSynapse: toTicks(c.dendritePerSynapse, R),
    somaActive: toTicks(c.somaActive, R), somaInactive: toTicks(c.somaInactive, R), spike: toTicks(c.spike, R),
    axonOut: toTicks(c.axonOut, R),
  });
  const stages = Object.fromEntries([...stageCycles].map(([n, c]) => [n, ticks(c)]));
  const tiles = new Set(p.cores.map((c) => routerOf(t, c.id).join(","))).size;
  const timesActivity = Object.values(stages).some((s) => s.somaActive !== s.somaInactive);
  return {
    clockHz: tm.clock.value, R, hop: toTicks(hop, R), hopNS: toTicks(hopNS, R), within: toTicks(within, R),
    serial: toTicks(linkCycles, R), barrierHop: toTicks(bm.hopCycles, R),
    barrierSync: toTicks(bm.syncFor(Math.max(1, tiles)), R), timesActivity, stages,
  };
}

/** Writes the SystemC model of `p` into dir. */
export function emitModel(p: Program, dir: string, o: CycleOptions = {}): ReturnType<typeof emitSystemC> {
  const m = loadModel(p);
  return emitSystemC(p, m, dir, cycleConstants(p, m, o));
}
