/**
 * Units of execution for the cycle engine: one per (layer, core) slice on the chip, one per
 * host or input layer on the host (at router (0, 0)). A unit waits for end-of-phase tokens
 * from every unit of the layers that feed it within a step, then updates its neurons.
 */
import type { VmModel } from "../model.js";
import { HOST } from "../noc/routes.js";

/** A spike received by a unit, applied to its input ring at its next update. */
export interface Arrival { step: number; layer: number; b: number; k: number; value: number; proj: number }

/** One slice of a layer on one core (or on the host). */
export interface Unit {
  id: number;
  layer: number;
  core: number;
  start: number;
  end: number;
  /** Units whose tokens this unit waits for in a step, and the cores to send its own token to. */
  sources: Set<number>;
  tokenCores: number[];
  tokens: number;
  arrivals: Arrival[];
  done: boolean;
}

/** Builds the units of a model. */
export function buildUnits(m: VmModel): Unit[] {
  const units: Unit[] = [];
  for (const l of m.layers) {
    const slices = l.partition === "chip" ? l.slices : [{ core: HOST, start: 0, count: l.size }];
    for (const s of slices) units.push({ id: units.length, layer: l.index, core: s.core, start: s.start, end: s.start + s.count, sources: new Set(), tokenCores: [], tokens: 0, arrivals: [], done: false });
  }
  const byLayer = (i: number) => units.filter((u) => u.layer === i);
  for (const u of units) {
    const dsts = new Set<number>();
    for (const pi of m.outgoing[u.layer]) {
      const p = m.projections[pi];
      if (p.lag !== 0) continue;
      for (const v of byLayer(p.dst)) { v.sources.add(u.id); dsts.add(v.core); }
    }
    u.tokenCores = [...dsts].sort((a, b) => a - b);
  }
  return units;
}
