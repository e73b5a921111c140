/**
 * The timing constants the SystemC model reads from program.dat, in cycles of the target's
 * clock, from the Target's own constants (a latency in seconds times the clock, fractions kept).
 */
import type { Program } from "../program.js";
import type { ScTiming } from "./types.js";

const UNIT: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9, ps: 1e-12 };

/** A latency constant in cycles at clock `hz` (0 when the target does not give it). */
function inCycles(c: { value: number; unit: string } | undefined, hz: number): number {
  if (!c) return 0;
  if (c.unit === "cycle" || c.unit === "cycles") return c.value;
  const u = UNIT[c.unit];
  return u === undefined ? 0 : c.value * u * hz;
}

/** Barrier latency in cycles with `tiles` routers in use: the target's table (step or linear), else a token across the mesh and back. */
function barrierCycles(p: Program, tiles: number, hz: number): number {
  const t = p.target, b = t.timing.barrier;
  if (!b) return 2 * (t.mesh.width + t.mesh.height - 2) * inCycles(t.timing.hop, hz);
  const pts = [...b.points].sort((x, y) => x.tiles - y.tiles), at = (i: number) => inCycles(pts[i].time, hz);
  let i = 0;
  while (i + 1 < pts.length && pts[i + 1].tiles <= tiles) i++;
  if (b.lookup === "step" || i + 1 >= pts.length || tiles <= pts[0].tiles) return at(i);
  const f = (tiles - pts[i].tiles) / (pts[i + 1].tiles - pts[i].tiles);
  return at(i) + f * (at(i + 1) - at(i));
}

/** The model's timing constants for a Program (cycles; clockHz in Hz, 1 GHz where the target publishes no clock). */
export function systemcTiming(p: Program): ScTiming {
  const tm = p.target.timing, hz = tm.clock.value > 0 ? tm.clock.value : 1e9;
  const tiles = new Set(p.cores.map((c) => `${c.x},${c.y}`)).size;
  const hop = inCycles(tm.hop, hz);
  return {
    clockHz: hz,
    synOp: inCycles(tm.synOp, hz),
    neuronUpdate: inCycles(tm.neuronUpdate, hz),
    receive: 1 + inCycles(tm.receive, hz),
    emit: 1 + inCycles(tm.packet, hz),
    hop,
    hopNS: tm.hopNS ? inCycles(tm.hopNS, hz) : hop,
    barrier: barrierCycles(p, Math.max(1, tiles), hz),
  };
}
