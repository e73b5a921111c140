/**
 * The end-of-step barrier as messages (docs/cycle-models.md, "Step and barrier"): each core,
 * when done, sends a message to router (0, 0), `hop` per hop; once all have arrived the root
 * spends `sync(tiles)` and sends a release back to every used router, `hop` per hop. Barrier
 * messages have a channel of their own (no contention), so their times follow directly.
 */
import type { Target } from "../../target/types.js";
import { cycles } from "../cores/types.js";

/** The barrier's constants: cycles per hop of a barrier message, and the root's sync cost by tiles in use. */
export interface BarrierModel { hopCycles: number; syncFor(tiles: number): number; syncCycles: number[] }

/** The barrier of a target, from its `timing.barrier` table (see the docs for the three cases). */
export function barrierModel(t: Target): BarrierModel {
  const b = t.timing.barrier, hop = cycles(t, t.timing.hop);
  // No table: a token to router (0, 0) and back at the mesh's hop latency.
  if (!b || !b.points.length) return { hopCycles: hop, syncFor: () => 0, syncCycles: [0] };
  const pts = [...b.points].sort((x, y) => x.tiles - y.tiles).map((p) => ({ tiles: p.tiles, c: cycles(t, p.time) }));
  // Linear: sync = the first point at the root, the rest spread over the hops to the farthest router and back.
  if (b.lookup === "linear" && pts.length >= 2) {
    const H = t.mesh.width - 1 + (t.mesh.height - 1), first = pts[0], last = pts[pts.length - 1];
    const hb = H > 0 ? (last.c - first.c) / (2 * H) : 0;
    return { hopCycles: hb, syncFor: () => first.c, syncCycles: [first.c] };
  }
  // Step: the table's value at the tiles in use (largest key not above it), no hop cost.
  const syncFor = (tiles: number) => { let v = pts[0].c; for (const p of pts) if (p.tiles <= tiles) v = p.c; return v; };
  return { hopCycles: 0, syncFor, syncCycles: pts.map((p) => p.c) };
}

/** The time (ticks) the release reaches the last used router, from each used core's done time. */
export function barrierTicks(done: Map<number, number>, at: (core: number) => [number, number], b: { hop: number; sync: number },
  T0: number): number {
  let arrive = T0, far = 0;
  for (const [core, d] of done) {
    const [x, y] = at(core), h = x + y;
    arrive = Math.max(arrive, d + h * b.hop);
    far = Math.max(far, h);
  }
  return arrive + b.sync + far * b.hop;
}
