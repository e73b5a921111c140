/**
 * Units of execution for the cycle engine: one per (layer, slice) on the chip, one per host or
 * input layer on the host (at router (0, 0)). A unit whose layer is fed within the step (a
 * projection without latency) waits for an end-of-phase token from every unit of the source
 * layers; the units of one core are served by its soma in order of layer, then first neuron.
 */
import type { VmModel } from "../model.js";
import { HOST } from "../noc/routes.js";

/** One slice of a layer on one core (or on the host). */
export interface Unit {
  id: number;
  layer: number;
  core: number;
  start: number;
  end: number;
  /** Units whose tokens this unit waits for in a step, and the cores its own token goes to. */
  sources: Set<number>;
  tokenCores: number[];
  /** Per step: tokens received, and the time the last one passed the dendrite (-1 until ready). */
  tokens: number;
  readyAt: number;
}

/** Builds the units of a model. */
export function buildUnits(m: VmModel): Unit[] {
  const units: Unit[] = [];
  for (const l of m.layers) {
    const slices = l.partition === "chip" ? l.slices : [{ core: HOST, start: 0, count: l.size }];
    for (const s of slices) {
      // Stryker disable next-line ArrayDeclaration,UnaryOperator: tokenCores is set below, tokens and readyAt at every step's start
      units.push({ id: units.length, layer: l.index, core: s.core, start: s.start, end: s.start + s.count, sources: new Set(), tokenCores: [], tokens: 0, readyAt: -1 });
    }
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

/** The units of each core, in the soma's order (layer, then first neuron). */
export function unitsByCore(units: Unit[]): Map<number, Unit[]> {
  const out = new Map<number, Unit[]>();
  for (const u of units) { const a = out.get(u.core); if (a) a.push(u); else out.set(u.core, [u]); }
  for (const a of out.values()) a.sort((x, y) => x.layer - y.layer || x.start - y.start);
  return out;
}
