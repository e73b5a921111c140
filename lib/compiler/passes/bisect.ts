/**
 * Min-cut bisection of a weighted graph's vertex subset into two sides of given capacities:
 * greedy graph growing, then Fiduccia-Mattheyses passes (move the best-gain unlocked vertex the
 * balance allows, keep the best prefix). Terminal propagation: vertices outside the subset pull
 * each vertex towards the side whose centre is nearer to theirs (`pull`), so a bisection deep in
 * the recursion still sees the traffic that leaves its region.
 */

/** A symmetric weighted graph in CSR form. */
export interface Graph { n: number; ptr: Int32Array; idx: Int32Array; w: Float64Array }

/** Bisection parameters: side capacities (A filled first), the distance between the side centres, the pull of an outside vertex. */
export interface BisectOptions {
  capA: number;
  capB: number;
  /** Distance between the two sides' centres (cost of a cut edge per unit weight). */
  dAB: number;
  /** For an outside vertex u: distance to A's centre minus distance to B's (positive: u is nearer B). */
  pull: (u: number) => number;
}

/** A max-heap of (key, vertex) with lazy deletion (entries whose stamp is stale are skipped). */
class Heap {
  private keys: number[] = [];
  private vals: number[] = [];
  private stamps: number[] = [];
  get size(): number { return this.keys.length; }
  push(key: number, v: number, stamp: number): void {
    const k = this.keys, a = this.vals, s = this.stamps;
    let i = k.length;
    k.push(key); a.push(v); s.push(stamp);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p] >= k[i]) break;
      [k[p], k[i]] = [k[i], k[p]]; [a[p], a[i]] = [a[i], a[p]]; [s[p], s[i]] = [s[i], s[p]];
      i = p;
    }
  }
  top(): { key: number; v: number; stamp: number } | undefined {
    return this.keys.length ? { key: this.keys[0], v: this.vals[0], stamp: this.stamps[0] } : undefined;
  }
  pop(): void {
    const k = this.keys, a = this.vals, s = this.stamps, n = k.length - 1;
    k[0] = k[n]; a[0] = a[n]; s[0] = s[n]; k.pop(); a.pop(); s.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && k[l] > k[m]) m = l;
      if (r < n && k[r] > k[m]) m = r;
      if (m === i) break;
      [k[m], k[i]] = [k[i], k[m]]; [a[m], a[i]] = [a[i], a[m]]; [s[m], s[i]] = [s[i], s[m]];
      i = m;
    }
  }
}

/** Splits vertices `vs` of g into side 0 (A) and side 1 (B); returns the side of each, aligned with vs. */
export function bisect(g: Graph, vs: Int32Array, o: BisectOptions): Uint8Array {
  const n = vs.length, side = new Uint8Array(n);
  const loc = new Map<number, number>();
  vs.forEach((v, k) => loc.set(v, k));
  // Side A is filled first: spare capacity ends up in the last region, so the slices stay compact (and on as few chips as they need).
  const nA = Math.min(o.capA, n);
  const tol = Math.floor(0.02 * n);
  const lo = Math.max(n - o.capB, nA - tol, 0), hi = Math.min(o.capA, nA + tol, n);
  // ext[k] = cost(k in A) - cost(k in B) from the outside vertices.
  const ext = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const v = vs[k];
    for (let e = g.ptr[v]; e < g.ptr[v + 1]; e++) if (!loc.has(g.idx[e])) ext[k] += g.w[e] * o.pull(g.idx[e]);
  }
  grow(g, vs, loc, ext, nA, o.dAB, side);
  for (let pass = 0; pass < 6; pass++) if (fmPass(g, vs, loc, ext, o.dAB, side, lo, hi) <= 1e-9) break;
  return side;
}

/** Greedy graph growing: A starts empty (everything in B) and takes the vertex that most wants to be in A, nA times. */
function grow(g: Graph, vs: Int32Array, loc: Map<number, number>, ext: Float64Array, nA: number, dAB: number, side: Uint8Array): void {
  const n = vs.length, connA = new Float64Array(n), stamp = new Int32Array(n), heap = new Heap();
  side.fill(1);
  const anyPull = ext.some((x) => x !== 0);
  const start = anyPull ? -1 : peripheral(g, vs, loc);
  for (let k = 0; k < n; k++) heap.push(k === start ? Infinity : -ext[k], k, 0);
  let size = 0;
  while (size < nA && heap.size) {
    const t = heap.top()!;
    heap.pop();
    if (side[t.v] === 0 || t.stamp !== stamp[t.v]) continue;
    side[t.v] = 0; size++;
    const v = vs[t.v];
    for (let e = g.ptr[v]; e < g.ptr[v + 1]; e++) {
      const u = loc.get(g.idx[e]);
      if (u === undefined || side[u] === 0) continue;
      connA[u] += g.w[e];
      heap.push(2 * dAB * connA[u] - ext[u], u, ++stamp[u]);
    }
  }
}

/** A vertex far from vs[0] by breadth-first search (a good seed for growing). */
function peripheral(g: Graph, vs: Int32Array, loc: Map<number, number>): number {
  const n = vs.length, seen = new Uint8Array(n);
  let last = 0;
  const queue = [0];
  seen[0] = 1;
  for (let q = 0; q < queue.length; q++) {
    last = queue[q];
    const v = vs[last];
    for (let e = g.ptr[v]; e < g.ptr[v + 1]; e++) {
      const u = loc.get(g.idx[e]);
      if (u !== undefined && !seen[u]) { seen[u] = 1; queue.push(u); }
    }
  }
  return n ? last : -1;
}

/** One FM pass; returns the cost reduction kept. */
function fmPass(g: Graph, vs: Int32Array, loc: Map<number, number>, ext: Float64Array, dAB: number, side: Uint8Array, lo: number, hi: number): number {
  const n = vs.length, wA = new Float64Array(n), wB = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const v = vs[k];
    for (let e = g.ptr[v]; e < g.ptr[v + 1]; e++) {
      const u = loc.get(g.idx[e]);
      if (u === undefined) continue;
      if (side[u] === 0) wA[k] += g.w[e]; else wB[k] += g.w[e];
    }
  }
  const gain = (k: number) => (side[k] === 0 ? dAB * (wB[k] - wA[k]) + ext[k] : dAB * (wA[k] - wB[k]) - ext[k]);
  const heaps = [new Heap(), new Heap()], stamp = new Int32Array(n), locked = new Uint8Array(n);
  for (let k = 0; k < n; k++) heaps[side[k]].push(gain(k), k, 0);
  let sizeA = 0;
  for (let k = 0; k < n; k++) if (side[k] === 0) sizeA++;
  const moves: number[] = [];
  let acc = 0, best = 0, bestAt = 0;
  const topOf = (h: Heap) => {
    for (let t = h.top(); t; t = h.top()) { if (!locked[t.v] && t.stamp === stamp[t.v]) return t; h.pop(); }
    return undefined;
  };
  for (let step = 0; step < n; step++) {
    const a = sizeA - 1 >= lo ? topOf(heaps[0]) : undefined, b = sizeA + 1 <= hi ? topOf(heaps[1]) : undefined;
    const pick = a && (!b || a.key >= b.key) ? a : b;
    if (!pick) break;
    heaps[side[pick.v]].pop();
    const k = pick.v, from = side[k];
    acc += pick.key;
    side[k] = 1 - from; locked[k] = 1; sizeA += from === 0 ? -1 : 1;
    moves.push(k);
    if (acc > best + 1e-12) { best = acc; bestAt = moves.length; }
    const v = vs[k];
    for (let e = g.ptr[v]; e < g.ptr[v + 1]; e++) {
      const u = loc.get(g.idx[e]);
      if (u === undefined) continue;
      if (from === 0) { wA[u] -= g.w[e]; wB[u] += g.w[e]; } else { wB[u] -= g.w[e]; wA[u] += g.w[e]; }
      if (!locked[u]) heaps[side[u]].push(gain(u), u, ++stamp[u]);
    }
  }
  for (let m = moves.length - 1; m >= bestAt; m--) side[moves[m]] = 1 - side[moves[m]];
  return best;
}
