/**
 * Placement of slices on cores. Greedy: slice k on core k, filling the mesh in order as
 * PACMAN does. Optimising: seeds a compact block in traffic order, then swaps slices (and
 * moves them to free cores) while the traffic-weighted hop count falls; on multicast meshes
 * the greedy placement is kept when its multicast trees are no larger. Layer-per-core
 * targets match layers to cores whose memory fits (augmenting paths).
 */
import { IssueList } from "../../ir/errors.js";
import { Rng } from "../../ir/random.js";
import type { Target } from "../../target/types.js";
import type { CompileState } from "../state.js";
import { sliceTraffic } from "./traffic.js";

/** Router coordinates of a core. */
export function coreXY(t: Target, core: number): [number, number] {
  const r = Math.floor(core / t.mesh.coresPerRouter);
  return [r % t.mesh.width, Math.floor(r / t.mesh.width)];
}

/** Mesh hops between two cores' routers. */
export function hops(t: Target, a: number, b: number): number {
  const [ax, ay] = coreXY(t, a), [bx, by] = coreXY(t, b);
  return Math.abs(ax - bx) + Math.abs(ay - by);
}

/** Assigns each slice a core. */
export function place(s: CompileState): CompileState {
  const t = s.target, S = s.slices!.length;
  if (t.mapping === "layer-per-core") return { ...s, placement: matchLayers(s) };
  if (t.mapping === "single-core") return { ...s, placement: new Int32Array(S) };
  if (s.options.placer === "greedy" || S <= 1) return { ...s, placement: Int32Array.from({ length: S }, (_, k) => k) };
  const { traffic, spikes } = sliceTraffic(s);
  const greedy = Int32Array.from({ length: S }, (_, k) => k), best = optimise(t, traffic, S, s.options.seed);
  // The optimiser minimises pairwise (unicast) hops; under multicast keep greedy when its trees are no larger.
  if (t.mesh.multicast && treeHops(t, traffic, spikes, S, greedy) <= treeHops(t, traffic, spikes, S, best)) return { ...s, placement: greedy };
  return { ...s, placement: best };
}

/** Spike-hops of a placement under multicast: per source slice, its spikes times the links of its X-then-Y tree. */
export function treeHops(t: Target, traffic: Float64Array, spikes: Float64Array, S: number, at: Int32Array): number {
  let total = 0;
  const links = new Set<number>();
  for (let a = 0; a < S; a++) {
    links.clear();
    const [sx, sy] = coreXY(t, at[a]);
    for (let b = 0; b < S; b++) {
      if (!(traffic[a * S + b] > 0)) continue;
      const [dx, dy] = coreXY(t, at[b]);
      let x = sx, y = sy;
      while (x !== dx || y !== dy) {
        const dir = x < dx ? 0 : x > dx ? 1 : y < dy ? 2 : 3;
        links.add((y * t.mesh.width + x) * 4 + dir);
        if (x !== dx) x += x < dx ? 1 : -1; else y += y < dy ? 1 : -1;
      }
    }
    total += spikes[a] * links.size;
  }
  return total;
}

/** Traffic-weighted hops of a placement (the optimiser's objective). */
export function placementCost(t: Target, traffic: Float64Array, S: number, at: Int32Array): number {
  let c = 0;
  for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) { const w = traffic[a * S + b] + traffic[b * S + a]; if (w && a < b) c += w * hops(t, at[a], at[b]); }
  return c;
}

function optimise(t: Target, traffic: Float64Array, S: number, seed: number): Int32Array {
  const C = t.cores;
  const w = new Float64Array(S * S);
  for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) w[a * S + b] = traffic[a * S + b] + traffic[b * S + a];
  const at = seedBlock(t, w, S);
  const occupant = new Int32Array(C).fill(-1);
  at.forEach((c, k) => (occupant[c] = k));
  const nbrs = Array.from({ length: S }, (_, a) => Int32Array.from({ length: S }, (_, b) => b).filter((b) => b !== a && w[a * S + b] > 0));
  const costOf = (a: number, core: number, skip: number) => { let c = 0; for (const b of nbrs[a]) if (b !== skip) c += w[a * S + b] * hops(t, core, at[b]); return c; };
  const rng = new Rng(seed);
  const iters = Math.min(200000, 400 * S + 20000);
  for (let it = 0; it < iters; it++) {
    const a = Math.floor(rng.random() * S), core = Math.floor(rng.random() * C);
    if (core === at[a]) continue;
    const b = occupant[core];
    const before = costOf(a, at[a], b) + (b >= 0 ? costOf(b, core, a) : 0);
    const after = costOf(a, core, b) + (b >= 0 ? costOf(b, at[a], a) : 0);
    if (after < before) {
      const old = at[a];
      at[a] = core; occupant[core] = a; occupant[old] = b;
      if (b >= 0) at[b] = old;
    }
  }
  return at;
}

/** Initial placement: breadth-first in traffic order onto the most central free cores of a square block. */
function seedBlock(t: Target, w: Float64Array, S: number): Int32Array {
  const side = Math.ceil(Math.sqrt(Math.ceil(S / t.mesh.coresPerRouter)));
  const cores = Array.from({ length: t.cores }, (_, c) => c).filter((c) => { const [x, y] = coreXY(t, c); return x < side && y < side; });
  const pool = cores.length >= S ? cores : Array.from({ length: t.cores }, (_, c) => c);
  const at = new Int32Array(S).fill(-1), used = new Uint8Array(t.cores);
  const order: number[] = [];
  const seen = new Uint8Array(S);
  for (let r = 0; r < S; r++) {
    if (seen[r]) continue;
    const q = [r]; seen[r] = 1;
    while (q.length) { const a = q.shift()!; order.push(a); for (let b = 0; b < S; b++) if (!seen[b] && w[a * S + b] > 0) { seen[b] = 1; q.push(b); } }
  }
  for (const a of order) {
    let best = -1, bestCost = Infinity;
    for (const c of pool) {
      if (used[c]) continue;
      let cost = 0;
      for (let b = 0; b < S; b++) if (at[b] >= 0 && w[a * S + b] > 0) cost += w[a * S + b] * hops(t, c, at[b]);
      if (cost < bestCost) { bestCost = cost; best = c; }
    }
    at[a] = best; used[best] = 1;
  }
  return at;
}

/** Layer-per-core matching (Sinabs' mapping does the same with max-flow): each layer to a core whose kernel and neuron memory fit. */
function matchLayers(s: CompileState): Int32Array {
  const t = s.target, sl = s.slices!, issues = new IssueList();
  const fits = sl.map((x) => Array.from({ length: t.cores }, (_, c) => c).filter((c) => {
    const o = { ...t.core, ...(t.coreOverrides?.[c] ?? {}) };
    return x.kernelMemory! <= o.kernelMemory! && x.neuronMemory! <= o.neuronMemory!;
  }));
  sl.forEach((x, k) => {
    if (fits[k].length) return;
    const kMax = Math.max(...Array.from({ length: t.cores }, (_, c) => t.coreOverrides?.[c]?.kernelMemory ?? t.core.kernelMemory ?? 0));
    const nMax = Math.max(...Array.from({ length: t.cores }, (_, c) => t.coreOverrides?.[c]?.neuronMemory ?? t.core.neuronMemory ?? 0));
    issues.add("core-memory", [x.layer], `${x.layer} needs kernel memory ${x.kernelMemory} and neuron memory ${x.neuronMemory}; the largest ${t.name} core has ${kMax} kernel and ${nMax} neuron entries (and not both)`);
  });
  issues.throwIfAny();
  const owner = new Int32Array(t.cores).fill(-1);
  const tryAssign = (k: number, seen: Uint8Array): boolean => {
    for (const c of fits[k]) { if (seen[c]) continue; seen[c] = 1; if (owner[c] < 0 || tryAssign(owner[c], seen)) { owner[c] = k; return true; } }
    return false;
  };
  sl.forEach((x, k) => { if (!tryAssign(k, new Uint8Array(t.cores))) issues.add("core-memory", [x.layer], `no ${t.name} core left whose memory fits ${x.layer} (kernel ${x.kernelMemory}, neurons ${x.neuronMemory})`); });
  issues.throwIfAny();
  const at = new Int32Array(sl.length);
  owner.forEach((k, c) => { if (k >= 0) at[k] = c; });
  return at;
}
