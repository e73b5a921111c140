/**
 * Placement of slices on cores. Greedy: slice k on core k, filling the mesh (and on a system,
 * chip after chip) in order as PACMAN does. Optimising: recursive min-cut bisection of the
 * slices' traffic graph onto a compact block of cores (halving at chip boundaries first, so the
 * traffic that must cross chips is cut first; Fiduccia-Mattheyses refinement with terminal
 * propagation), then local refinement that moves or swaps each slice towards the weighted median
 * of its neighbours, and random moves and swaps, while the traffic-weighted distance falls
 * (SpiNeMap's partition-then-place, with its objective the spike-hops). The distance counts mesh hops, and a chip-to-chip link as
 * `chipLinkCost` hops. On multicast meshes the greedy placement is kept when its multicast
 * trees are no larger. Layer-per-core targets match layers to cores whose memory fits.
 */
import { IssueList } from "../../ir/errors.js";
import { Rng } from "../../ir/random.js";
import type { Target } from "../../target/types.js";
import { chipGrid, chipOfCore, systemCoreXY, systemOf } from "../../target/system.js";
import type { CompileState } from "../state.js";
import { sliceTraffic, type SliceTraffic } from "./traffic.js";
import { Graph, bisect } from "./bisect.js";

/** Router coordinates of a core (in the whole system's grid on a system). */
export function coreXY(t: Target, core: number): [number, number] {
  return systemCoreXY(t, core);
}

/** Mesh hops between two cores' routers (chip-to-chip links included). */
export function hops(t: Target, a: number, b: number): number {
  const [ax, ay] = coreXY(t, a), [bx, by] = coreXY(t, b);
  return Math.abs(ax - bx) + Math.abs(ay - by);
}

/** Assigns each slice a core. */
export function place(s: CompileState): CompileState {
  const t = s.target, S = s.slices!.length;
  if (t.mapping === "layer-per-core") return { ...s, placement: matchLayers(s) };
  if (t.mapping === "single-core") return { ...s, placement: new Int32Array(S) };
  const greedy = Int32Array.from({ length: S }, (_, k) => k);
  if (s.options.placer === "greedy" || S <= 1) return { ...s, placement: greedy };
  const traffic = sliceTraffic(s), geo = geometry(t);
  const best = optimise(geo, traffic, s.options.seed);
  if (t.mesh.multicast) refineTrees(geo, traffic, best, s.options.seed, chipsUsed(t, best));
  const g = graphOf(traffic);
  if (cost(geo, g, greedy) <= cost(geo, g, best)) return { ...s, placement: greedy };
  // The optimiser minimises pairwise (unicast) distance; under multicast keep greedy when its trees are no larger.
  if (t.mesh.multicast && treeHops(t, traffic, greedy) <= treeHops(t, traffic, best)) return { ...s, placement: greedy };
  return { ...s, placement: best };
}

/** Cost of one chip-to-chip crossing in mesh hops, in the optimiser's objective. */
export const chipLinkCost = 4;

/** Where every core lies: router x, y and chip x, y; `exists` false for slots without a core. */
interface Geometry { t: Target; x: Int32Array; y: Int32Array; cx: Int32Array; cy: Int32Array; C: number }

function geometry(t: Target): Geometry {
  const C = t.cores, x = new Int32Array(C), y = new Int32Array(C), cx = new Int32Array(C), cy = new Int32Array(C);
  const s = systemOf(t);
  for (let c = 0; c < C; c++) {
    [x[c], y[c]] = coreXY(t, c);
    if (s) { cx[c] = Math.floor(x[c] / s.chipMesh.width); cy[c] = Math.floor(y[c] / s.chipMesh.height); }
  }
  return { t, x, y, cx, cy, C };
}

/** Objective distance between two cores: hops, a chip crossing counting chipLinkCost. */
function dist(g: Geometry, a: number, b: number): number {
  const h = Math.abs(g.x[a] - g.x[b]) + Math.abs(g.y[a] - g.y[b]);
  const k = Math.abs(g.cx[a] - g.cx[b]) + Math.abs(g.cy[a] - g.cy[b]);
  return h + (chipLinkCost - 1) * k;
}

/** The symmetric traffic graph (w = packets a->b + b->a) in CSR form. */
function graphOf(tr: SliceTraffic): Graph {
  const S = tr.S, nb = Array.from({ length: S }, () => new Map<number, number>());
  tr.rows.forEach((row, a) => row.forEach((w, b) => {
    if (a === b || !(w > 0)) return;
    nb[a].set(b, (nb[a].get(b) ?? 0) + w); nb[b].set(a, (nb[b].get(a) ?? 0) + w);
  }));
  const ptr = new Int32Array(S + 1);
  nb.forEach((m, a) => (ptr[a + 1] = ptr[a] + m.size));
  const idx = new Int32Array(ptr[S]), w = new Float64Array(ptr[S]);
  nb.forEach((m, a) => { let k = ptr[a]; for (const [b, x] of m) { idx[k] = b; w[k++] = x; } });
  return { n: S, ptr, idx, w };
}

/** Traffic-weighted objective distance of a placement. */
function cost(geo: Geometry, g: Graph, at: Int32Array): number {
  let c = 0;
  for (let a = 0; a < g.n; a++) for (let k = g.ptr[a]; k < g.ptr[a + 1]; k++) if (g.idx[k] > a) c += g.w[k] * dist(geo, at[a], at[g.idx[k]]);
  return c;
}

/** Traffic-weighted hops of a placement (unicast). */
export function placementCost(t: Target, traffic: SliceTraffic, at: Int32Array): number {
  let c = 0;
  traffic.rows.forEach((row, a) => row.forEach((w, b) => (c += w * hops(t, at[a], at[b]))));
  return c;
}

/** Spike-hops of a placement under multicast: per source slice, its spikes times the links of its X-then-Y tree. */
export function treeHops(t: Target, traffic: SliceTraffic, at: Int32Array): number {
  let total = 0;
  const links = new Set<number>();
  for (let a = 0; a < traffic.S; a++) {
    links.clear();
    const [sx, sy] = coreXY(t, at[a]);
    for (const [b, w] of traffic.rows[a]) {
      if (!(w > 0)) continue;
      const [dx, dy] = coreXY(t, at[b]);
      let x = sx, y = sy;
      while (x !== dx || y !== dy) {
        const dir = x < dx ? 0 : x > dx ? 1 : y < dy ? 2 : 3;
        links.add((y * t.mesh.width + x) * 4 + dir);
        if (x !== dx) x += x < dx ? 1 : -1; else y += y < dy ? 1 : -1;
      }
    }
    total += traffic.spikes[a] * links.size;
  }
  return total;
}

/** A rectangle of routers. */
interface Rect { x0: number; y0: number; w: number; h: number }

function optimise(geo: Geometry, tr: SliceTraffic, seed: number): Int32Array {
  const g = graphOf(tr), at = new Int32Array(g.n).fill(-1);
  const region = compactRegion(geo, g.n);
  const byRouter = coresByRouter(geo, region);
  const pos = new Float64Array(2 * g.n);
  const centre = (r: Rect) => [r.x0 + (r.w - 1) / 2, r.y0 + (r.h - 1) / 2];
  const [mx, my] = centre(region);
  for (let v = 0; v < g.n; v++) { pos[2 * v] = mx; pos[2 * v + 1] = my; }
  const cap = (r: Rect) => { let n = 0; for (let y = r.y0; y < r.y0 + r.h; y++) for (let x = r.x0; x < r.x0 + r.w; x++) n += byRouter.get(y * geo.t.mesh.width + x)?.length ?? 0; return n; };
  const stack: Array<{ r: Rect; vs: Int32Array }> = [{ r: region, vs: Int32Array.from({ length: g.n }, (_, k) => k) }];
  while (stack.length) {
    const { r, vs } = stack.pop()!;
    if (!vs.length) continue;
    if (r.w === 1 && r.h === 1) {
      const cores = byRouter.get(r.y0 * geo.t.mesh.width + r.x0) ?? [];
      vs.forEach((v, k) => (at[v] = cores[k]));
      continue;
    }
    const [a, b] = split(geo, r);
    const capA = cap(a), capB = cap(b);
    const [ca, cb] = [centre(a), centre(b)];
    const d = (p: number[], q: number[]) => Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]);
    const side = bisect(g, vs, { capA, capB, dAB: d(ca, cb), pull: (u) => d(ca, [pos[2 * u], pos[2 * u + 1]]) - d(cb, [pos[2 * u], pos[2 * u + 1]]) });
    const va = vs.filter((_, k) => side[k] === 0), vb = vs.filter((_, k) => side[k] === 1);
    for (const v of va) { pos[2 * v] = ca[0]; pos[2 * v + 1] = ca[1]; }
    for (const v of vb) { pos[2 * v] = cb[0]; pos[2 * v + 1] = cb[1]; }
    stack.push({ r: b, vs: vb }, { r: a, vs: va });
  }
  // Refinement stays on the chips the bisection used (it never opens another chip).
  const chips = new Set(Array.from(at, (c) => chipOfCore(geo.t, c)));
  const allowed = Int32Array.from({ length: geo.C }, (_, c) => c).filter((c) => chips.has(chipOfCore(geo.t, c)));
  refine(geo, g, at, seed, allowed);
  return at;
}

/** The two halves of a rectangle: along its longer side, at a chip boundary when it spans chips. */
function split(geo: Geometry, r: Rect): [Rect, Rect] {
  const s = systemOf(geo.t);
  const alongX = r.w >= r.h;
  const len = alongX ? r.w : r.h, step = s ? (alongX ? s.chipMesh.width : s.chipMesh.height) : 1;
  let cut = Math.floor(len / 2);
  if (s && len > step) cut = Math.max(step, Math.round(len / step / 2) * step);
  if (alongX) return [{ ...r, w: cut }, { ...r, x0: r.x0 + cut, w: r.w - cut }];
  return [{ ...r, h: cut }, { ...r, y0: r.y0 + cut, h: r.h - cut }];
}

/** Cores of each router inside a region, in id order. */
function coresByRouter(geo: Geometry, r: Rect): Map<number, number[]> {
  const m = new Map<number, number[]>(), W = geo.t.mesh.width;
  for (let c = 0; c < geo.C; c++) {
    if (geo.x[c] < r.x0 || geo.x[c] >= r.x0 + r.w || geo.y[c] < r.y0 || geo.y[c] >= r.y0 + r.h) continue;
    const k = geo.y[c] * W + geo.x[c];
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(c);
  }
  return m;
}

/**
 * The block that holds n slices: on a system, whole chips in the block of fewest rows plus columns
 * that has enough (the bisection fills it first to last, so no more chips than needed are used);
 * on a chip, the smallest near-square block of routers.
 */
function compactRegion(geo: Geometry, n: number): Rect {
  const s = systemOf(geo.t);
  const count = (w: number, h: number) => { let k = 0; for (let c = 0; c < geo.C; c++) if (geo.x[c] < w && geo.y[c] < h) k++; return k; };
  if (s && n > s.coresPerChip) {
    const grid = chipGrid(s), need = Math.ceil(n / s.coresPerChip);
    let best: [number, number] = [grid.width, grid.height];
    for (let w = 1; w <= grid.width; w++) {
      const h = Math.ceil(need / w);
      if (h > grid.height) continue;
      const [bw, bh] = best;
      if (w + h < bw + bh || (w + h === bw + bh && w * h < bw * bh)) best = [w, h];
    }
    return { x0: 0, y0: 0, w: best[0] * s.chipMesh.width, h: best[1] * s.chipMesh.height };
  }
  const W = s ? s.chipMesh.width : geo.t.mesh.width, H = s ? s.chipMesh.height : geo.t.mesh.height;
  let best: Rect = { x0: 0, y0: 0, w: W, h: H };
  for (let w = 1; w <= W; w++) for (let h = 1; h <= H; h++) {
    if (count(w, h) < n) continue;
    if (w + h < best.w + best.h || (w + h === best.w + best.h && w * h < best.w * best.h)) best = { x0: 0, y0: 0, w, h };
    break;
  }
  return best;
}

/**
 * Local refinement: each slice moves (or swaps) to the best core near its neighbours' weighted
 * median while the objective falls; then random proposals (a slice to any core, swapping with its
 * occupant) accepted when they lower the objective, which also escapes the median's blind spots.
 */
function refine(geo: Geometry, g: Graph, at: Int32Array, seed: number, allowed: Int32Array): void {
  const ok = new Uint8Array(geo.C);
  for (const c of allowed) ok[c] = 1;
  const occupant = new Int32Array(geo.C).fill(-1);
  at.forEach((c, v) => (occupant[c] = v));
  const W = geo.t.mesh.width, H = geo.t.mesh.height;
  const atRouter = new Map<number, number[]>();
  for (let c = 0; c < geo.C; c++) { const k = geo.y[c] * W + geo.x[c]; if (!atRouter.has(k)) atRouter.set(k, []); atRouter.get(k)!.push(c); }
  const costAt = (v: number, core: number, skip: number) => {
    let c = 0;
    for (let k = g.ptr[v]; k < g.ptr[v + 1]; k++) if (g.idx[k] !== skip) c += g.w[k] * dist(geo, core, at[g.idx[k]]);
    return c;
  };
  const rng = new Rng(seed), order = Int32Array.from({ length: g.n }, (_, k) => k);
  for (let sweep = 0; sweep < 6; sweep++) {
    for (let k = g.n - 1; k > 0; k--) { const j = Math.floor(rng.random() * (k + 1)); [order[k], order[j]] = [order[j], order[k]]; }
    let moved = 0;
    for (const v of order) {
      if (g.ptr[v] === g.ptr[v + 1]) continue;
      const [mx, my] = weightedMedian(geo, g, at, v);
      let bestCore = -1, bestDelta = -1e-9;
      for (let y = Math.max(0, my - 1); y <= Math.min(H - 1, my + 1); y++) for (let x = Math.max(0, mx - 1); x <= Math.min(W - 1, mx + 1); x++) {
        for (const core of atRouter.get(y * W + x) ?? []) {
          if (!ok[core]) continue;
          if (core === at[v]) continue;
          const u = occupant[core];
          const before = costAt(v, at[v], u) + (u >= 0 ? costAt(u, core, v) : 0);
          const after = costAt(v, core, u) + (u >= 0 ? costAt(u, at[v], v) : 0);
          if (after - before < bestDelta) { bestDelta = after - before; bestCore = core; }
        }
      }
      if (bestCore < 0) continue;
      const u = occupant[bestCore], old = at[v];
      at[v] = bestCore; occupant[bestCore] = v; occupant[old] = u;
      if (u >= 0) at[u] = old;
      moved++;
    }
    if (!moved) break;
  }
  const iters = Math.min(200000, 400 * g.n + 20000);
  for (let it = 0; it < iters; it++) {
    const v = Math.floor(rng.random() * g.n), core = allowed[Math.floor(rng.random() * allowed.length)];
    if (core === at[v]) continue;
    const u = occupant[core];
    const before = costAt(v, at[v], u) + (u >= 0 ? costAt(u, core, v) : 0);
    const after = costAt(v, core, u) + (u >= 0 ? costAt(u, at[v], v) : 0);
    if (after >= before) continue;
    const old = at[v];
    at[v] = core; occupant[core] = v; occupant[old] = u;
    if (u >= 0) at[u] = old;
  }
}

/** Router minimising the weighted Manhattan distance to a slice's neighbours (medians of x and y). */
function weightedMedian(geo: Geometry, g: Graph, at: Int32Array, v: number): [number, number] {
  const med = (coord: Int32Array) => {
    const items: Array<[number, number]> = [];
    let total = 0;
    for (let k = g.ptr[v]; k < g.ptr[v + 1]; k++) { items.push([coord[at[g.idx[k]]], g.w[k]]); total += g.w[k]; }
    items.sort((p, q) => p[0] - q[0]);
    let acc = 0;
    for (const [c, w] of items) { acc += w; if (acc >= total / 2) return c; }
    return items[items.length - 1][0];
  };
  return [med(geo.x), med(geo.y)];
}

/**
 * On a multicast mesh: random moves and swaps accepted when the multicast trees (spikes x tree
 * links of every source whose tree changes, a chip link counting chipLinkCost) shrink, within a
 * work budget (small networks only).
 */
function refineTrees(geo: Geometry, tr: SliceTraffic, at: Int32Array, seed: number, chips: Set<number>): void {
  const S = tr.S, t = geo.t, W = t.mesh.width;
  const dsts = tr.rows.map((row) => Int32Array.from([...row.entries()].filter(([, w]) => w > 0).map(([b]) => b)));
  const senders: number[][] = Array.from({ length: S }, () => []);
  dsts.forEach((d, a) => d.forEach((b) => senders[b].push(a)));
  // Work per proposal: (2 + 2 x mean in-degree) trees of (mean out-degree) paths of about (W + H) / 2 links.
  const deg = dsts.reduce((a, d) => a + d.length, 0) / S, perProposal = (2 + 2 * deg) * deg * ((t.mesh.width + t.mesh.height) / 2);
  const iters = Math.min(20000, Math.floor(4e7 / Math.max(1, perProposal)));
  if (iters < 100) return;
  const stamp = new Int32Array(W * t.mesh.height * 4), sys = systemOf(t);
  const crosses = (x0: number, y0: number, x1: number, y1: number) =>
    !!sys && (Math.floor(x0 / sys.chipMesh.width) !== Math.floor(x1 / sys.chipMesh.width) || Math.floor(y0 / sys.chipMesh.height) !== Math.floor(y1 / sys.chipMesh.height));
  let tick = 0;
  const tree = (a: number) => {
    tick++;
    let n = 0;
    const sx = geo.x[at[a]], sy = geo.y[at[a]];
    for (const b of dsts[a]) {
      const dx = geo.x[at[b]], dy = geo.y[at[b]];
      let x = sx, y = sy;
      while (x !== dx || y !== dy) {
        const id = (y * W + x) * 4 + (x < dx ? 0 : x > dx ? 1 : y < dy ? 2 : 3), px = x, py = y;
        if (x !== dx) x += x < dx ? 1 : -1; else y += y < dy ? 1 : -1;
        if (stamp[id] !== tick) { stamp[id] = tick; n += crosses(px, py, x, y) ? chipLinkCost : 1; }
      }
    }
    return tr.spikes[a] * n;
  };
  const occupant = new Int32Array(geo.C).fill(-1);
  at.forEach((c, v) => (occupant[c] = v));
  const rng = new Rng(seed + 1);
  for (let it = 0; it < iters; it++) {
    const v = Math.floor(rng.random() * S), core = Math.floor(rng.random() * geo.C);
    if (core === at[v] || !chips.has(chipOfCore(t, core))) continue;
    const u = occupant[core];
    const hit = new Set<number>([v, ...senders[v], ...(u >= 0 ? [u, ...senders[u]] : [])]);
    let before = 0, after = 0;
    for (const a of hit) before += tree(a);
    const old = at[v];
    at[v] = core; occupant[core] = v; occupant[old] = u;
    if (u >= 0) at[u] = old;
    for (const a of hit) after += tree(a);
    if (after < before) continue;
    at[v] = old; occupant[old] = v; occupant[core] = u;
    if (u >= 0) at[u] = core;
  }
}

/** Chips holding at least one slice. */
export function chipsUsed(t: Target, at: Int32Array): Set<number> {
  return new Set(Array.from(at, (c) => chipOfCore(t, c)));
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
