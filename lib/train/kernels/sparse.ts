/**
 * Event-sparse products on flat Float32Arrays. A spike index (the active inputs of every row
 * (time step x batch) of x [M, K], as CSR, and the same by input, as CSC) is built once per
 * input tensor and shared by the forward product and the weight gradient, so the dense 0/1
 * input is scanned once per batch, and each product only touches the rows of W (forward) or
 * of dW (weight gradient) of active inputs. Inner loops add four rows at a time (one load and
 * store of the destination row per four source rows).
 */
import { simdRowSums } from "./simd.js";

/** Active entries of x [M, K]: by row (CSR) and, built on first use, by column (CSC). */
export interface SpikeIndex {
  M: number;
  K: number;
  /** Row m's active columns are cols[rowPtr[m] .. rowPtr[m + 1]). */
  rowPtr: Int32Array;
  cols: Int32Array;
  /** Values of the active entries in CSR order; absent when every one is 1 (spikes). */
  vals?: Float32Array;
  /** Column k's active rows are rows[colPtr[k] .. colPtr[k + 1]) (ascending), values in colVals. */
  colPtr?: Int32Array;
  rows?: Int32Array;
  colVals?: Float32Array;
}

/** Indexes the nonzero entries of x [M, K]. */
export function spikeIndex(x: Float32Array, M: number, K: number): SpikeIndex {
  let nnz = 0, binary = true;
  for (let i = 0; i < M * K; i++) {
    const v = x[i];
    if (v !== 0) { nnz++; if (v !== 1) binary = false; }
  }
  const rowPtr = new Int32Array(M + 1);
  const cols = new Int32Array(nnz);
  const vals = binary ? undefined : new Float32Array(nnz);
  let j = 0;
  for (let m = 0; m < M; m++) {
    const xr = m * K;
    for (let k = 0; k < K; k++) {
      const v = x[xr + k];
      if (v === 0) continue;
      if (vals) vals[j] = v;
      cols[j++] = k;
    }
    rowPtr[m + 1] = j;
  }
  return { M, K, rowPtr, cols, vals };
}

/** Adds the column view (CSC) to an index, once. */
export function byColumn(ix: SpikeIndex): Required<Pick<SpikeIndex, "colPtr" | "rows">> & SpikeIndex {
  if (ix.colPtr && ix.rows) return ix as ReturnType<typeof byColumn>;
  const { M, K, rowPtr, cols, vals } = ix;
  const nnz = cols.length;
  const colPtr = new Int32Array(K + 1);
  for (let j = 0; j < nnz; j++) colPtr[cols[j] + 1]++;
  for (let k = 0; k < K; k++) colPtr[k + 1] += colPtr[k];
  const next = colPtr.slice(0, K);
  const rows = new Int32Array(nnz);
  const colVals = vals ? new Float32Array(nnz) : undefined;
  for (let m = 0; m < M; m++) {
    for (let j = rowPtr[m], e = rowPtr[m + 1]; j < e; j++) {
      const at = next[cols[j]]++;
      rows[at] = m;
      if (colVals) colVals[at] = vals![j];
    }
  }
  ix.colPtr = colPtr; ix.rows = rows; ix.colVals = colVals;
  return ix as ReturnType<typeof byColumn>;
}

/**
 * dst[d .. d + N) = sum of the rows src[list[s .. e)] (each row N long, row r at r * N), times
 * vals when given. Overwrites dst (so uninitialised outputs need no clearing).
 */
function sumRows(dst: Float32Array, d: number, src: Float32Array, list: Int32Array, vals: Float32Array | undefined, s: number, e: number, N: number): void {
  if (s === e) { dst.fill(0, d, d + N); return; }
  if (vals) {
    const a = list[s] * N, va = vals[s];
    for (let n = 0; n < N; n++) dst[d + n] = va * src[a + n];
    for (let j = s + 1; j < e; j++) {
      const b = list[j] * N, vb = vals[j];
      for (let n = 0; n < N; n++) dst[d + n] += vb * src[b + n];
    }
    return;
  }
  let j = s;
  // First pass writes, later passes add; four source rows per pass.
  switch (Math.min(4, e - s)) {
    case 1: { const a = list[j] * N; for (let n = 0; n < N; n++) dst[d + n] = src[a + n]; j += 1; break; }
    case 2: { const a = list[j] * N, b = list[j + 1] * N; for (let n = 0; n < N; n++) dst[d + n] = src[a + n] + src[b + n]; j += 2; break; }
    case 3: { const a = list[j] * N, b = list[j + 1] * N, c = list[j + 2] * N; for (let n = 0; n < N; n++) dst[d + n] = src[a + n] + src[b + n] + src[c + n]; j += 3; break; }
    default: { const a = list[j] * N, b = list[j + 1] * N, c = list[j + 2] * N, f = list[j + 3] * N; for (let n = 0; n < N; n++) dst[d + n] = src[a + n] + src[b + n] + src[c + n] + src[f + n]; j += 4; }
  }
  for (; j + 4 <= e; j += 4) {
    const a = list[j] * N, b = list[j + 1] * N, c = list[j + 2] * N, f = list[j + 3] * N;
    for (let n = 0; n < N; n++) dst[d + n] += src[a + n] + src[b + n] + src[c + n] + src[f + n];
  }
  switch (e - j) {
    case 1: { const a = list[j] * N; for (let n = 0; n < N; n++) dst[d + n] += src[a + n]; break; }
    case 2: { const a = list[j] * N, b = list[j + 1] * N; for (let n = 0; n < N; n++) dst[d + n] += src[a + n] + src[b + n]; break; }
    case 3: { const a = list[j] * N, b = list[j + 1] * N, c = list[j + 2] * N; for (let n = 0; n < N; n++) dst[d + n] += src[a + n] + src[b + n] + src[c + n]; break; }
  }
}

/** y[M, N] = x W for the indexed x [M, K] and W [K, N]: row m of y sums the rows of W of m's active inputs. */
export function indexedMatMul(ix: SpikeIndex, w: Float32Array, y: Float32Array, N: number): void {
  const { M, rowPtr, cols, vals } = ix;
  if (!vals && simdRowSums(y, w, rowPtr, cols, M, N)) return;
  for (let m = 0; m < M; m++) sumRows(y, m * N, w, cols, vals, rowPtr[m], rowPtr[m + 1], N);
}

/** dW[K, N] = x^T dy for the indexed x [M, K] and dy [M, N]: row k of dW sums the rows of dy where input k was active. */
export function indexedWeightGrad(ix: SpikeIndex, dy: Float32Array, dw: Float32Array, N: number): void {
  const c = byColumn(ix);
  const { K, colPtr, rows, colVals } = c;
  if (!colVals && simdRowSums(dw, dy, colPtr, rows, K, N)) return;
  for (let k = 0; k < K; k++) sumRows(dw, k * N, dy, rows, colVals, colPtr[k], colPtr[k + 1], N);
}

/**
 * dx[M, K] = dy[M, N] W[K, N]^T, dense, for a narrow W (a readout's): W is transposed once so
 * that each row of dx is a sum of N rows of W^T scaled by dy, taken four at a time.
 */
export function matMulTransposed(dy: Float32Array, w: Float32Array, dx: Float32Array, M: number, K: number, N: number): void {
  const wt = new Float32Array(N * K);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) wt[n * K + k] = w[k * N + n];
  for (let m = 0; m < M; m++) {
    const yr = m * N, xr = m * K;
    let n = 0;
    if (N >= 4) {
      const a = dy[yr], b = dy[yr + 1], c = dy[yr + 2], d = dy[yr + 3];
      for (let k = 0; k < K; k++) dx[xr + k] = a * wt[k] + b * wt[K + k] + c * wt[2 * K + k] + d * wt[3 * K + k];
      n = 4;
    } else {
      dx.fill(0, xr, xr + K);
    }
    for (; n + 4 <= N; n += 4) {
      const a = dy[yr + n], b = dy[yr + n + 1], c = dy[yr + n + 2], d = dy[yr + n + 3];
      const o0 = n * K, o1 = o0 + K, o2 = o1 + K, o3 = o2 + K;
      for (let k = 0; k < K; k++) dx[xr + k] += a * wt[o0 + k] + b * wt[o1 + k] + c * wt[o2 + k] + d * wt[o3 + k];
    }
    for (; n < N; n++) {
      const a = dy[yr + n], o = n * K;
      for (let k = 0; k < K; k++) dx[xr + k] += a * wt[o + k];
    }
  }
}
