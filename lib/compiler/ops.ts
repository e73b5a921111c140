/**
 * Linear ops as scatters: each op maps one input element to weighted output elements. Chains
 * compose into CSR rows (convolution expansion, pooling fusion) and evaluate constant biases.
 */
import type { Csr, LinearOp } from "./netlist.js";

/** A sparse accumulator over `n` outputs: dense values plus the list of touched indices. */
export class Accum {
  readonly value: Float64Array;
  readonly touched: Int32Array;
  private readonly mark: Uint8Array;
  count = 0;
  constructor(readonly n: number) {
    this.value = new Float64Array(n);
    this.touched = new Int32Array(n);
    this.mark = new Uint8Array(n);
  }
  add(i: number, v: number): void {
    if (!this.mark[i]) { this.mark[i] = 1; this.touched[this.count++] = i; }
    this.value[i] += v;
  }
  /** Clears touched entries (O(touched)). */
  reset(): void {
    for (let k = 0; k < this.count; k++) { const j = this.touched[k]; this.value[j] = 0; this.mark[j] = 0; }
    this.count = 0;
  }
}

/** Output size of an op given its input size. */
export function opOutSize(op: LinearOp, nIn: number): number {
  switch (op.kind) {
    case "dense": return op.out;
    case "sparse": return op.csr.post;
    case "conv": case "pool": return op.outShape[0] * op.outShape[1] * op.outShape[2];
    case "scale": return nIn;
  }
}

/** Adds op(e_i * v) to `out`. */
export function scatter(op: LinearOp, i: number, v: number, out: Accum): void {
  switch (op.kind) {
    case "dense": {
      for (let o = 0, k = i; o < op.out; o++, k += op.in) { const w = op.weight[k]; if (w !== 0) out.add(o, w * v); }
      return;
    }
    case "sparse": {
      const c = op.csr;
      for (let k = c.indptr[i]; k < c.indptr[i + 1]; k++) out.add(c.indices[k], c.weight[k] * v);
      return;
    }
    case "scale": out.add(i, (op.scale.length === 1 ? op.scale[0] : op.scale[i]) * v); return;
    case "conv": return scatterConv(op, i, v, out);
    case "pool": return scatterPool(op, i, v, out);
  }
}

function scatterConv(op: Extract<LinearOp, { kind: "conv" }>, i: number, v: number, out: Accum): void {
  const [C, H, W] = op.inShape, [F, OH, OW] = op.outShape;
  const [, cpg, KH, KW] = op.wShape;
  const c = Math.floor(i / (H * W)), y = Math.floor(i / W) % H, x = i % W;
  const g = Math.floor(c / cpg), cl = c % cpg, fpg = F / op.groups;
  const [sy, sx] = pair(op.stride), [py, px] = pair(op.padding), [dy, dx] = pair(op.dilation);
  void C;
  for (let ky = 0; ky < KH; ky++) {
    const ny = y + py - ky * dy;
    if (ny < 0 || ny % sy !== 0 || ny / sy >= OH) continue;
    const oy = ny / sy;
    for (let kx = 0; kx < KW; kx++) {
      const nx = x + px - kx * dx;
      if (nx < 0 || nx % sx !== 0 || nx / sx >= OW) continue;
      const ox = nx / sx;
      for (let f = g * fpg; f < (g + 1) * fpg; f++) {
        const w = op.weight[((f * cpg + cl) * KH + ky) * KW + kx];
        if (w !== 0) out.add((f * OH + oy) * OW + ox, w * v);
      }
    }
  }
}

function scatterPool(op: Extract<LinearOp, { kind: "pool" }>, i: number, v: number, out: Accum): void {
  const [, H, W] = op.inShape, [, OH, OW] = op.outShape;
  const c = Math.floor(i / (H * W)), y = Math.floor(i / W) % H, x = i % W;
  const [KH, KW] = pair(op.kernel), [sy, sx] = pair(op.stride), [py, px] = pair(op.padding);
  for (let ky = 0; ky < KH; ky++) {
    const ny = y + py - ky;
    if (ny < 0 || ny % sy !== 0 || ny / sy >= OH) continue;
    for (let kx = 0; kx < KW; kx++) {
      const nx = x + px - kx;
      if (nx < 0 || nx % sx !== 0 || nx / sx >= OW) continue;
      out.add((c * OH + ny / sy) * OW + nx / sx, v);
    }
  }
}

function pair(a: number[]): [number, number] {
  return a.length === 1 ? [a[0], a[0]] : [a[0], a[1]];
}

/** Composes an op chain into CSR rows over nIn presynaptic elements (an empty chain is the identity). */
export function composeCsr(ops: LinearOp[], nIn: number): Csr {
  const sizes = [nIn];
  for (const op of ops) sizes.push(opOutSize(op, sizes[sizes.length - 1]));
  const nOut = sizes[sizes.length - 1];
  const accs = sizes.map((n) => new Accum(n));
  const indptr = new Int32Array(nIn + 1);
  let indices = new Int32Array(Math.max(16, nIn * 4));
  let weight = new Float64Array(indices.length);
  let nnz = 0;
  for (let i = 0; i < nIn; i++) {
    accs[0].add(i, 1);
    for (let k = 0; k < ops.length; k++) {
      const a = accs[k], b = accs[k + 1];
      for (let t = 0; t < a.count; t++) { const j = a.touched[t]; const v = a.value[j]; if (v !== 0) scatter(ops[k], j, v, b); }
      a.reset();
    }
    const last = accs[ops.length];
    const row = last.touched.subarray(0, last.count).slice().sort();
    if (nnz + row.length > indices.length) {
      const cap = Math.max(indices.length * 2, nnz + row.length);
      const ni = new Int32Array(cap); ni.set(indices); indices = ni;
      const nw = new Float64Array(cap); nw.set(weight); weight = nw;
    }
    for (const j of row) { const w = last.value[j]; if (w !== 0) { indices[nnz] = j; weight[nnz++] = w; } }
    last.reset();
    indptr[i + 1] = nnz;
  }
  return { pre: nIn, post: nOut, indptr, indices: indices.slice(0, nnz), weight: weight.slice(0, nnz) };
}

/** Applies one op to a dense vector (for constant biases). */
export function applyDense(op: LinearOp, x: Float64Array): Float64Array {
  const out = new Accum(opOutSize(op, x.length));
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) scatter(op, i, x[i], out);
  return out.value.slice();
}
