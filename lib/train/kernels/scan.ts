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
  /** Surrogate derivative of x = v - thr (the registry's scalar form, lib/train/surrogates.ts). */
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
  const pa = p.a, pc = p.c, pb = p.b, pas = p.as, pcs = p.cs, thr = p.thr, vr = p.vr;
  // Stryker disable next-line EqualityOperator: one pass past the end only reads and writes outside the arrays (ignored)
  for (let t = 0; t < T; t++) {
    const base = t * BN;
    // Stryker disable next-line EqualityOperator: an extra row writes the next step's slots, which that step overwrites
    for (let bb = 0; bb < B; bb++) {
      const row = bb * N;
      const k0 = base + row;
      // The step's input: x itself, or a copy plus the recurrent rows of last step's spikes.
      let xs = x, xo = k0;
      if (wr && t > 0) {
        // Stryker disable next-line EqualityOperator: one pass past the end only reads and writes outside the arrays (ignored)
        for (let n = 0; n < N; n++) xe[n] = x[k0 + n];
        const prev = k0 - BN;
        for (let k = 0; k < N; k++) {
          if (out[prev + k] === 0) continue;
          const wrow = k * N;
          // Stryker disable next-line EqualityOperator: one pass past the end only reads and writes outside the arrays (ignored)
          for (let n = 0; n < N; n++) xe[n] += wr[wrow + n];
        }
        xs = xe; xo = 0;
      }
      for (let n = 0; n < N; n++) {
        const j = row + n;
        let vp: number;
        if (synaptic) {
          vp = pa[n] * v[j] + pc[n] * cur[j] + pb[n];
          cur[j] = pas[n] * cur[j] + pcs[n] * xs[xo + n];
        } else {
          vp = pa[n] * v[j] + pc[n] * xs[xo + n] + pb[n];
        }
        vpre[k0 + n] = vp;
        if (spiking) {
          const th = thr[n];
          if (vp > th) {
            out[k0 + n] = 1;
            v[j] = zero ? vr[n] : vp - th;
          } else {
            out[k0 + n] = 0;
            v[j] = vp;
          }
        } else {
          out[k0 + n] = vp;
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
  const pa = p.a, pc = p.c, pas = p.as, pcs = p.cs, thr = p.thr;
  const sur = s.surrogate;
  dwr?.fill(0); // wasm outputs arrive uninitialised
  for (let t = T - 1; t >= 0; t--) {
    const base = t * BN;
    const cut = t % truncate === 0; // t % 0 is NaN: no cut for full BPTT
    for (let bb = 0; bb < B; bb++) {
      const row = bb * N;
      for (let n = 0; n < N; n++) {
        const j = row + n;
        const k = base + j;
        let gvp: number;
        if (spiking) {
          const gs = dOut[k] + gsExtra[j];
          gvp = gs * sur(vpre[k] - thr[n]) + (zero ? gv[j] * (1 - out[k]) : gv[j]);
        } else {
          gvp = dOut[k] + gv[j];
        }
        if (synaptic) {
          dx[k] = pcs[n] * gi[j];
          gi[j] = cut ? 0 : pc[n] * gvp + pas[n] * gi[j];
        } else {
          dx[k] = pc[n] * gvp;
        }
        gv[j] = cut ? 0 : pa[n] * gvp;
      }
    }
    gsExtra.fill(0);
    // A truncation cut detaches s_{t-1} (no gradient into the past) but Wr still gets s_{t-1}^T dx_t.
    if (!wr || t === 0) continue;
    const prev = base - BN;
    for (let bb = 0; bb < B; bb++) {
      const row = bb * N;
      // Stryker disable next-line EqualityOperator: kk = N writes the next row's slot (rewritten next) or past the end
      for (let kk = 0; kk < N; kk++) {
        const wrow = kk * N;
        if (!cut) {
          let acc = 0;
          for (let n = 0; n < N; n++) acc += dx[base + row + n] * wr[wrow + n];
          gsExtra[row + kk] = acc;
        }
        if (!dwr || out[prev + row + kk] === 0) continue;
        for (let n = 0; n < N; n++) dwr[wrow + n] += dx[base + row + n];
      }
    }
  }
}
