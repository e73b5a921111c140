/**
 * The fused neuron scan over time, forward and backward, on flat Float32Arrays laid out
 * [T, B, N]. One implementation serves LIF, CubaLIF, LI and CubaLI, with or without a
 * recurrent weight matrix (recurrent input is event-driven: only spiking neurons' rows are
 * read). Discrete dynamics (forward Euler, as the reference simulator):
 *   synaptic:     v'_t = a v_{t-1} + c i_{t-1} + b;  i_t = as i_{t-1} + cs x_t
 *   non-synaptic: v'_t = a v_{t-1} + c x_t + b
 *   spiking:      s_t = H(v'_t - thr);  v_t = s_t ? (zero: vr | subtract: v'_t - thr) : v'_t
 * where x_t is the input plus, when recurrent, s_{t-1} @ Wr. The reset is detached from
 * the gradient (as snnTorch does by default); dS/dv uses the surrogate.
 */

/** Per-neuron discrete coefficients (length N each). */
export interface ScanParams {
  a: Float32Array; c: Float32Array; b: Float32Array;
  as: Float32Array; cs: Float32Array;
  thr: Float32Array; v0: Float32Array; vr: Float32Array;
}

/** Shape and behaviour of one scan. */
export interface ScanSpec {
  T: number; B: number; N: number;
  spiking: boolean;
  synaptic: boolean;
  reset: "zero" | "subtract";
  /** Truncated BPTT window in steps (0: full BPTT). */
  truncate: number;
  /** Surrogate derivative of x = v - thr. */
  surrogate: (x: number) => number;
}

/** Forward scan: writes out (spikes, or membrane for non-spiking) and vpre (membrane before reset). */
export function scanForward(p: ScanParams, s: ScanSpec, x: Float32Array, wr: Float32Array | undefined, out: Float32Array, vpre: Float32Array): void {
  const { T, B, N, spiking, synaptic } = s;
  const BN = B * N;
  const v = new Float32Array(BN);
  const cur = new Float32Array(BN);
  const xe = new Float32Array(N);
  for (let b = 0; b < B; b++) v.set(p.v0, b * N);
  const zero = s.reset === "zero";
  for (let t = 0; t < T; t++) {
    const base = t * BN;
    for (let bb = 0; bb < B; bb++) {
      const row = bb * N;
      for (let n = 0; n < N; n++) xe[n] = x[base + row + n];
      if (wr && t > 0) {
        const prev = base - BN + row;
        for (let k = 0; k < N; k++) {
          if (out[prev + k] === 0) continue;
          const wrow = k * N;
          for (let n = 0; n < N; n++) xe[n] += wr[wrow + n];
        }
      }
      for (let n = 0; n < N; n++) {
        const j = row + n;
        let vp: number;
        if (synaptic) {
          vp = p.a[n] * v[j] + p.c[n] * cur[j] + p.b[n];
          cur[j] = p.as[n] * cur[j] + p.cs[n] * xe[n];
        } else {
          vp = p.a[n] * v[j] + p.c[n] * xe[n] + p.b[n];
        }
        vpre[base + j] = vp;
        if (spiking) {
          const fired = vp > p.thr[n];
          out[base + j] = fired ? 1 : 0;
          v[j] = fired ? (zero ? p.vr[n] : vp - p.thr[n]) : vp;
        } else {
          out[base + j] = vp;
          v[j] = vp;
        }
      }
    }
  }
}

/** Backward scan: from dOut computes dx (and dWr when recurrent). */
export function scanBackward(
  p: ScanParams, s: ScanSpec, dOut: Float32Array, out: Float32Array, vpre: Float32Array,
  wr: Float32Array | undefined, dx: Float32Array, dwr: Float32Array | undefined,
): void {
  const { T, B, N, spiking, synaptic, truncate } = s;
  const BN = B * N;
  const gv = new Float32Array(BN);
  const gi = new Float32Array(BN);
  const gsExtra = new Float32Array(BN);
  const zero = s.reset === "zero";
  dwr?.fill(0); // wasm outputs arrive uninitialised
  for (let t = T - 1; t >= 0; t--) {
    const base = t * BN;
    const cut = truncate > 0 && t % truncate === 0;
    for (let j = 0; j < BN; j++) {
      const n = j % N;
      const k = base + j;
      let gvp: number;
      if (spiking) {
        const gs = dOut[k] + gsExtra[j];
        gvp = gs * s.surrogate(vpre[k] - p.thr[n]) + (zero ? gv[j] * (1 - out[k]) : gv[j]);
      } else {
        gvp = dOut[k] + gv[j];
      }
      if (synaptic) {
        dx[k] = p.cs[n] * gi[j];
        gi[j] = cut ? 0 : p.c[n] * gvp + p.as[n] * gi[j];
      } else {
        dx[k] = p.c[n] * gvp;
      }
      gv[j] = cut ? 0 : p.a[n] * gvp;
    }
    gsExtra.fill(0);
    // A truncation cut detaches s_{t-1} (no gradient into the past) but Wr still gets s_{t-1}^T dx_t.
    if (!wr || !dwr || t === 0) continue;
    const prev = base - BN;
    for (let bb = 0; bb < B; bb++) {
      const row = bb * N;
      for (let kk = 0; kk < N; kk++) {
        const wrow = kk * N;
        if (!cut) {
          let acc = 0;
          for (let n = 0; n < N; n++) acc += dx[base + row + n] * wr[wrow + n];
          gsExtra[row + kk] = acc;
        }
        if (out[prev + row + kk] === 0) continue;
        for (let n = 0; n < N; n++) dwr[wrow + n] += dx[base + row + n];
      }
    }
  }
}

/** Event-sparse product: y[M,N] = x[M,K] w[K,N], skipping zero entries of x (spikes). */
export function sparseMatMul(x: Float32Array, w: Float32Array, y: Float32Array, M: number, K: number, N: number): void {
  y.fill(0);
  for (let m = 0; m < M; m++) {
    const xr = m * K;
    const yr = m * N;
    for (let k = 0; k < K; k++) {
      const xv = x[xr + k];
      if (xv === 0) continue;
      const wr = k * N;
      if (xv === 1) for (let n = 0; n < N; n++) y[yr + n] += w[wr + n];
      else for (let n = 0; n < N; n++) y[yr + n] += xv * w[wr + n];
    }
  }
}

/** Weight gradient of the sparse product: dw[K,N] = x^T dy, touching only nonzero x. */
export function sparseWeightGrad(x: Float32Array, dy: Float32Array, dw: Float32Array, M: number, K: number, N: number): void {
  dw.fill(0);
  for (let m = 0; m < M; m++) {
    const xr = m * K;
    const yr = m * N;
    for (let k = 0; k < K; k++) {
      const xv = x[xr + k];
      if (xv === 0) continue;
      const wr = k * N;
      if (xv === 1) for (let n = 0; n < N; n++) dw[wr + n] += dy[yr + n];
      else for (let n = 0; n < N; n++) dw[wr + n] += xv * dy[yr + n];
    }
  }
}
