/**
 * Where events go on the mesh: per source neuron the destination cores (cores holding a
 * neuron it has a synapse to), dimension-order (X then Y) paths, multicast trees and hop
 * counts. The host partition and external inputs enter at router (0, 0) (core id -1).
 */
import type { Target } from "../../target/types.js";
import { coreXY } from "../../compiler/passes/place.js";
import type { VmModel, VmProjection } from "../model.js";
import { proceduralRowStats } from "../row-stats.js";

/** The host's pseudo core id; it sits at router (0, 0). */
export const HOST = -1;

/** Router (x, y) of a core (the host at (0, 0)). */
export function routerOf(t: Target, core: number): [number, number] {
  return core === HOST ? [0, 0] : coreXY(t, core);
}

/** Core id holding neuron k of layer l (HOST for host and input layers). */
export function coreOfNeuron(m: VmModel, l: number, k: number): number {
  const layer = m.layers[l];
  if (layer.partition !== "chip") return HOST;
  for (const s of layer.slices) if (k >= s.start && k < s.start + s.count) return s.core;
  return HOST;
}

/** Destination units per neuron of layer l (sorted core ids, HOST for host layers), deduplicated by identity. */
export function destinations(m: VmModel, l: number): number[][] {
  const N = m.layers[l].size, outs = m.outgoing[l].map((pi) => ({ p: m.projections[pi], core: coreMap(m, m.projections[pi].dst) }));
  const mark = new Int32Array(Math.max(0, ...m.program.cores.map((c) => c.id)) + 2).fill(-1), seen = new Map<string, number[]>();
  const out: number[][] = [], cores: number[] = [];
  let k = 0;
  // mark[core + 1] === k: core already listed for neuron k (the host is core -1, index 0).
  const add = (c: number) => { if (mark[c + 1] !== k) { mark[c + 1] = k; cores.push(c); } };
  for (; k < N; k++) {
    for (const { p, core } of outs) {
      // A procedural row's cores from its counts per destination unit (row-stats.ts: each row generated once per run).
      if (p.rows) { unitCores(m, p, k, add); continue; }
      // A stored row, sorted: its targets' cores come in runs (a core holds a range of neurons), one add per run.
      const post = p.fast.post;
      for (let q = p.indptr[k], e = p.indptr[k + 1], last = -2; q < e; q++) {
        const c = core[post[q]];
        if (c !== last) { last = c; add(c); }
      }
    }
    const a = cores.sort((x, y) => x - y).slice(), key = a.join(",");
    cores.length = 0;
    if (!seen.has(key)) seen.set(key, a);
    out.push(seen.get(key)!);
  }
  return out;
}

/** Calls f with the core of each destination unit that row k of a procedural projection reaches. */
function unitCores(m: VmModel, p: VmProjection, k: number, f: (core: number) => void): void {
  const { units, counts } = proceduralRowStats(m, p), U = units.length;
  for (let u = 0; u < U; u++) if (counts[k * U + u] > 0) f(units[u].core);
}

const coreMaps = new WeakMap<VmModel, Int32Array[]>();

/** Core of every neuron of layer l (HOST for host and input layers), cached per model. */
export function coreMap(m: VmModel, l: number): Int32Array {
  let all = coreMaps.get(m);
  if (!all) { all = []; coreMaps.set(m, all); }
  let c = all[l];
  if (!c) {
    const layer = m.layers[l];
    c = new Int32Array(layer.size).fill(HOST);
    if (layer.partition === "chip") for (const s of layer.slices) c.fill(s.core, s.start, s.start + s.count);
    all[l] = c;
  }
  return c;
}

/** Calls f with each postsynaptic index of row k (a stored row, or a procedural row generated again). */
export function forEachPost(p: VmProjection, k: number, f: (j: number) => void): void {
  if (!p.rows) { for (let q = p.indptr[k], e = p.indptr[k + 1]; q < e; q++) f(p.indices[q]); return; }
  const n = p.rows.gen.row(k), post = p.rows.gen.post;
  for (let q = 0; q < n; q++) f(post[q]);
}

/** Number of sorted indices in [r0, r1) that fall in [lo, hi). */
export function countRange(ix: Int32Array, r0: number, r1: number, lo: number, hi: number): number {
  return lowerBound(ix, r0, r1, hi) - lowerBound(ix, r0, r1, lo);
}

/** Synapses of row k whose target lies in [lo, hi): a stored row, or a procedural row generated again (rows are sorted). */
export function rowCount(p: VmProjection, k: number, lo: number, hi: number): number {
  if (!p.rows) return countRange(p.indices, p.indptr[k], p.indptr[k + 1], lo, hi);
  const n = p.rows.gen.row(k);
  return countRange(p.rows.gen.post, 0, n, lo, hi);
}

/** First position in [r0, r1) whose index is >= x. */
export function lowerBound(ix: Int32Array, r0: number, r1: number, x: number): number {
  let a = r0, b = r1;
  while (a < b) { const m = (a + b) >> 1; if (ix[m] < x) a = m + 1; else b = m; }
  return a;
}

/** A directed link: from router r out of port (E, W, N, S). */
export interface Link { router: number; port: "E" | "W" | "N" | "S" }

/** A link's output port by number, as `walk` gives it: 0 E, 1 W, 2 N, 3 S. */
export const PORTS = ["E", "W", "N", "S"] as const;

/** Calls visit(router, port) for each link of the X-then-Y path from router (sx, sy) to (dx, dy) (port as in PORTS). */
export function walk(t: Target, sx: number, sy: number, dx: number, dy: number, visit: (router: number, port: number) => void): void {
  const W = t.mesh.width;
  for (let x = sx; x !== dx; x += x < dx ? 1 : -1) visit(sy * W + x, x < dx ? 0 : 1);
  for (let y = sy; y !== dy; y += y < dy ? 1 : -1) visit(y * W + dx, y < dy ? 2 : 3);
}

/** The X-then-Y path of links from router (sx, sy) to (dx, dy). */
export function path(t: Target, sx: number, sy: number, dx: number, dy: number): Link[] {
  const out: Link[] = [];
  walk(t, sx, sy, dx, dy, (router, port) => out.push({ router, port: PORTS[port] }));
  return out;
}

/**
 * A cache of per-event figures keyed by (source core, destination list): `destinations` gives equal lists as one
 * array, so the list is keyed by identity (no string built per event).
 */
export function routeCache<T>(): (src: number, dsts: readonly number[], make: () => T) => T {
  const byList = new Map<readonly number[], Map<number, T>>();
  return (src, dsts, make) => {
    let bySrc = byList.get(dsts);
    if (!bySrc) { bySrc = new Map(); byList.set(dsts, bySrc); }
    let v = bySrc.get(src);
    if (v === undefined) { v = make(); bySrc.set(src, v); }
    return v;
  };
}

let marks = new Int32Array(0), stamp = 0;

/**
 * A fresh set of the target's links (router x 4 + port) for one event's tree: `has` and `add` by link id.
 * One array reused, told apart by a stamp per set (no allocation per event).
 */
export function linkSet(t: Target): { has: (id: number) => boolean; add: (id: number) => void } {
  const n = 4 * t.mesh.width * t.mesh.height;
  if (marks.length < n || stamp === 0x7fffffff) { marks = new Int32Array(Math.max(n, marks.length)); stamp = 0; }
  const own = ++stamp, m = marks;
  return { has: (id) => m[id] === own, add: (id) => { m[id] = own; } };
}

/** Traffic of one event from `src` to `dsts`: packets injected, links traversed, same-router deliveries (to its own core too). */
export interface Fanout { packets: number; hops: number; local: number }

/** Costs one event's delivery (multicast: one packet branching on a tree; unicast: one packet per destination). */
export function fanout(t: Target, src: number, dsts: number[]): Fanout {
  const [sx, sy] = routerOf(t, src);
  let local = 0, hops = 0, remote = 0, tree = 0;
  const links = linkSet(t);
  const visit = (router: number, port: number) => {
    hops++;
    const id = 4 * router + port;
    if (!links.has(id)) { links.add(id); tree++; }
  };
  for (const d of dsts) {
    // A message to a core on the same router, the sender's own core included, passes the router's local port.
    if (d === HOST && src === HOST) continue;
    const [dx, dy] = routerOf(t, d);
    if (dx === sx && dy === sy) { local++; continue; }
    walk(t, sx, sy, dx, dy, visit);
    remote++;
  }
  return t.mesh.multicast ? { packets: remote > 0 ? 1 : 0, hops: tree, local } : { packets: remote, hops, local };
}
