/**
 * Neuron updates with the target's arithmetic (the Program's SEMANTICS): integer state with
 * multiplicative (truncating, as Loihi) or shift (v - (v >> dash), as Xylo) decay and
 * saturation at the state width, or float64 in model units. One call updates neurons
 * [start, end) of every batch entry and appends the spiking indices to `spk`.
 */
import type { VmLayer } from "./model.js";
import { allocKernelState, type KernelState } from "./wasm/kernel.js";
import { satV, scaleActivation, tz, wrapU } from "../target/arith/loihi.js";
import { bitshiftDecrement, MAX_HIDDEN_EVENTS, MAX_OUTPUT_EVENTS, sat16 } from "../target/arith/xylo.js";

/** Mutable state of one layer for a batch. */
export interface LayerState {
  B: number;
  N: number;
  v: Float64Array;
  cur: Float64Array[];
  /**
   * Per neuron, the first step at which it is no longer refractory: a neuron that spikes at step
   * t is refractory for steps t + 1 .. t + refractory (float64 whole numbers, compared as
   * floats by the WebAssembly kernels; nothing is stored per step while it is refractory).
   */
  until: Float64Array;
  /** Input ring per port: slot (t mod D) holds what arrives at step t; [B*N] each. */
  ring: Float64Array[][];
  /**
   * Where the layer has a WebAssembly kernel: per port and slot, one byte per ring entry that
   * whoever adds to the entry sets (nonzero); the kernel reads only flagged parts of a slot.
   */
  touched?: Uint8Array[][];
  /** Per ring, all D slots as one array (slot d at d * B * N; `ring` holds views of it), and likewise the flags. */
  flat: Float64Array[];
  flatTouched?: Uint8Array[];
  D: number;
  /** Per batch entry b: spiking (or, for graded layers, nonzero) indices at spk[b*N ..], count nspk[b]. */
  spk: Int32Array;
  nspk: Int32Array;
  /** Output value per neuron this step: 1 for a spike, v (model units) for graded layers, the sample for inputs. */
  out: Float64Array;
  /** Where the arrays live in a WebAssembly memory, for the WebAssembly kernels (see wasm/kernel.ts). */
  kernel?: KernelState;
}

/** Allocates a layer's state at rest (v = vRest) with a ring of D slots (and, with a WebAssembly kernel, `extra` bytes at kernel.extra). */
export function makeState(l: VmLayer, B: number, D: number, extra = 0): LayerState {
  const N = l.size;
  const ports = l.cuba ? l.ports : 1;
  const w = kernelKind(l) ? allocKernelState(B * N, D, ports, extra) : null;
  const rings = w ? ports : l.rings;
  const f64 = w ? w.f64 : () => new Float64Array(B * N), i32 = w ? w.i32 : () => new Int32Array(B * N);
  const v = f64(w?.k.v ?? 0);
  for (let b = 0; b < B; b++) v.set(l.vRest, b * N);
  // A kernel memory holds each port's slots one after another (wasm/kernel.ts), as the JS rings are allocated here.
  const S = B * N;
  const flat = w ? w.k.ring.map((slots) => new Float64Array(w.k.memory, slots[0], D * S)) : Array.from({ length: rings }, () => new Float64Array(D * S));
  const flatTouched = w ? w.k.flag.map((slots) => new Uint8Array(w.k.memory, slots[0], D * S)) : undefined;
  const slots = <T extends Float64Array | Uint8Array>(a: T) => Array.from({ length: D }, (_, d) => a.subarray(d * S, (d + 1) * S) as T);
  return {
    B, N, v, cur: l.cuba ? Array.from({ length: ports }, (_, p) => f64(w ? (p === 0 ? w.k.c0 : w.k.c1) : 0)) : [], until: f64(w?.k.until ?? 0),
    ring: flat.map(slots), flat, D,
    spk: i32(w?.k.spk ?? 0), nspk: new Int32Array(B), out: f64(w?.k.out ?? 0),
    ...(w && flatTouched ? { kernel: w.k, touched: flatTouched.map(slots), flatTouched } : {}),
  };
}

/** Which WebAssembly kernel can update the layer (when its parameters are uniform): two-port spiking layers, float64 or multiplicative fixed point with integral input. */
function kernelKind(l: VmLayer): "flt2" | "intm2" | undefined {
  if (l.kind !== "neuron" || !l.cuba || l.ports !== 2 || !l.spiking) return undefined;
  if (l.arith === "float") return "flt2";
  if (l.arith === "multiply" && l.integralInput) return "intm2";
  return undefined;
}

const uniformCache = new WeakMap<Float64Array | Int32Array, number | null>();

/** The value every element holds (bit for bit, -0 apart from 0), or null. */
function uniform(a: Float64Array | Int32Array): number | null {
  let u = uniformCache.get(a);
  if (u === undefined) {
    u = a.length ? a[0] : null;
    for (let k = 1; k < a.length && u !== null; k++) if (!Object.is(a[k], u)) u = null;
    uniformCache.set(a, u);
  }
  return u;
}

/** A layer's uniform parameters as the kernel takes them, for one entry of its bias schedule. */
interface KernelPlan {
  bias: Float64Array[];
  ok: boolean;
  int: boolean;
  /** Both port biases are +-0 (the kernels' *z variants leave out adding them). */
  zb: boolean;
  d0: number; d1: number; dv: number; b0: number; b1: number; vrest: number; kv: number; th: number; vr: number; refr: number; smax: number;
}
const plans = new WeakMap<VmLayer, KernelPlan>();

function kernelPlan(l: VmLayer, bias: Float64Array[]): KernelPlan {
  let p = plans.get(l);
  if (p && p.bias === bias) return p;
  const kind = kernelKind(l), u = [l.decayI[0], l.decayI[1], l.decayV, bias[0], bias[1], l.vRest, l.threshold, l.vReset, l.refractory].map(uniform);
  const [d0, d1, dv, b0, b1, vrest, th, vr, refr] = u.map((x) => x ?? 0);
  // Multiplicative decay: trunc(x d 2^-bits) is computed as trunc(x (d 2^-bits)), the same float64.
  const inv = kind === "intm2" ? 2 ** -l.decayBits : 1;
  p = {
    bias, ok: kind !== undefined && u.every((x) => x !== null), int: kind === "intm2", zb: b0 === 0 && b1 === 0,
    // (1 - dV) vRest, as the JS float kernel computes it per neuron.
    d0: d0 * inv, d1: d1 * inv, dv: dv * inv, b0, b1, vrest, kv: (1 - dv) * vrest, th, vr, refr, smax: l.smax,
  };
  plans.set(l, p);
  return p;
}

/** Runs the layer's WebAssembly kernel over neurons [start, end) when its parameters are uniform; false (nothing done) otherwise. */
function kernelUpdate(l: VmLayer, s: LayerState, k: KernelState, t: number, bias: Float64Array[], start: number, end: number, subtract: boolean): boolean {
  const p = kernelPlan(l, bias);
  if (!p.ok) return false;
  const { N, B, nspk } = s, slot = t % s.D, count = end - start, t1r = t + 1 + p.refr, r0 = k.ring[0][slot], r1 = k.ring[1][slot], f0 = k.flag[0][slot], f1 = k.flag[1][slot], fn = k.fn;
  const int = subtract ? (p.zb ? fn.intm2_sz : fn.intm2_s) : p.zb ? fn.intm2_rz : fn.intm2_r;
  const flt = subtract ? (p.zb ? fn.flt2_sz : fn.flt2_s) : p.zb ? fn.flt2_rz : fn.flt2_r;
  for (let b = 0; b < B; b++) {
    const e = b * N + start, o = 8 * e, spk = k.spk + 4 * b * N;
    nspk[b] = p.int
      ? int(k.v + o, k.c0 + o, k.c1 + o, r0 + o, r1 + o, k.until + o, k.out + o, spk, f0 + e, f1 + e, nspk[b], count, start, p.d0, p.d1, p.dv, p.b0, p.b1, p.vrest, p.th, p.vr, t, t1r, p.smax)
      : flt(k.v + o, k.c0 + o, k.c1 + o, r0 + o, r1 + o, k.until + o, k.out + o, spk, f0 + e, f1 + e, nspk[b], count, start, p.d0, p.d1, p.dv, p.b0, p.b1, p.kv, p.th, p.vr, t, t1r);
  }
  return true;
}

/** Updates neurons [start, end) at step t; spikes (or nonzero graded outputs) are appended per batch entry. */
export function updateNeurons(l: VmLayer, s: LayerState, t: number, start: number, end: number, subtract: boolean): void {
  const bias = biasAt(l, t);
  if (s.kernel && kernelUpdate(l, s, s.kernel, t, bias, start, end, subtract)) return;
  if (l.arith === "float") floatUpdate(l, s, t, bias, start, end, subtract);
  else if (l.arith === "loihi") loihiUpdate(l, s, t, bias[0], start, end, subtract);
  else if (l.arith === "xylo") xyloUpdate(l, s, t, bias[0], start, end);
  else intUpdate(l, s, t, bias, start, end, subtract);
}

/** The constant input per port in force at step t (the layer's bias and the projection biases delivered by then). */
export function biasAt(l: VmLayer, t: number): Float64Array[] {
  const sch = l.biasSchedule;
  if (!sch.length) return Array.from({ length: l.cuba ? Math.max(1, l.ports) : 1 }, (_, p) => (p === 0 ? l.bias : new Float64Array(l.size)));
  let e = sch[0];
  for (let k = 1; k < sch.length && sch[k].from <= t; k++) e = sch[k];
  return e.ports;
}

/** The input rings of slot `slot`, the current arrays and the port biases, hoisted out of the neuron loop (at most 2 ports specialised). */
function ports(l: VmLayer, s: LayerState, slot: number, bias: Float64Array[]) {
  const P = s.cur.length, none = s.v;
  return {
    P, r0: s.ring[0][slot], r1: P > 1 ? s.ring[1][slot] : none, c0: P > 0 ? s.cur[0] : none, c1: P > 1 ? s.cur[1] : none,
    d0: P > 0 ? l.decayI[0] : l.decayV, d1: P > 1 ? l.decayI[1] : l.decayV,
    b0: bias[0], b1: P > 1 ? bias[1] : bias[0],
  };
}

/** Clears the consumed ring slots of neurons [start, end) (and their flags). */
function consume(s: LayerState, slot: number, start: number, end: number): void {
  for (const ring of s.ring) for (let b = 0; b < s.B; b++) ring[slot].fill(0, b * s.N + start, b * s.N + end);
  if (s.touched) for (const f of s.touched) for (let b = 0; b < s.B; b++) f[slot].fill(0, b * s.N + start, b * s.N + end);
}

function floatUpdate(l: VmLayer, s: LayerState, t: number, bias: Float64Array[], start: number, end: number, subtract: boolean): void {
  const slot = t % s.D;
  const { N, B, v, until, spk, nspk, out } = s;
  const { decayV, threshold: th, vReset: vr, vRest, refractory, spiking } = l;
  const { P, r0, r1, c0, c1, d0, d1, b0, b1 } = ports(l, s, slot, bias);
  if (P > 2) return floatUpdateMany(l, s, t, bias, start, end, subtract);
  if (P === 1 && spiking) return floatUpdate1(l, s, t, bias, start, end, subtract);
  for (let b = 0; b < B; b++) {
    let n = nspk[b];
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      let drive: number;
      if (P === 0) drive = r0[j] + b0[k];
      else {
        drive = c0[j];
        c0[j] = d0[k] * c0[j] + (r0[j] + b0[k]);
        if (P === 2) { drive += c1[j]; c1[j] = d1[k] * c1[j] + (r1[j] + b1[k]); }
      }
      out[j] = 0;
      if (until[j] > t) { v[j] = vr[k]; continue; }
      const x = decayV[k] * v[j] + (1 - decayV[k]) * vRest[k] + drive;
      if (spiking && x > th[k]) {
        v[j] = subtract ? x - th[k] : vr[k];
        until[j] = t + 1 + refractory[k];
        out[j] = 1; spk[b * N + n++] = k;
      } else {
        v[j] = x;
        if (!spiking && x !== 0) { out[j] = x; spk[b * N + n++] = k; }
      }
    }
    nspk[b] = n;
  }
  consume(s, slot, start, end);
}

/**
 * floatUpdate for spiking layers with one current, written out (the same operations in the same
 * order). It leaves `out` alone but for spikes: Network.clear zeroes the last step's spikes first.
 */
function floatUpdate1(l: VmLayer, s: LayerState, t: number, bias: Float64Array[], start: number, end: number, subtract: boolean): void {
  const u = uniformParams(l, bias[0]);
  if (u) return floatUpdate1Uniform(l, s, t, u, start, end, subtract);
  const slot = t % s.D;
  const { N, B, v, until, spk, nspk, out } = s, c0 = s.cur[0], r0 = s.ring[0][slot], d0 = l.decayI[0], b0 = bias[0];
  const { decayV, threshold: th, vReset: vr, vRest, refractory } = l;
  for (let b = 0; b < B; b++) {
    let n = nspk[b];
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      const drive = c0[j];
      c0[j] = d0[k] * c0[j] + (r0[j] + b0[k]);
      if (until[j] > t) { v[j] = vr[k]; continue; }
      const x = decayV[k] * v[j] + (1 - decayV[k]) * vRest[k] + drive;
      if (x > th[k]) {
        v[j] = subtract ? x - th[k] : vr[k];
        until[j] = t + 1 + refractory[k];
        out[j] = 1; spk[b * N + n++] = k;
      } else v[j] = x;
    }
    nspk[b] = n;
  }
  consume(s, slot, start, end);
}

/** A one-current layer's parameters where each is the same for every neuron (bit for bit), else null. */
interface Uniform1 {
  bias: Float64Array;
  d0: number; b0: number; dv: number; rest: number; th: number; vr: number; refr: number;
}
const uniform1 = new WeakMap<VmLayer, Uniform1 | null>();

function uniformParams(l: VmLayer, bias: Float64Array): Uniform1 | null {
  const got = uniform1.get(l);
  if (got !== undefined && (got === null || got.bias === bias)) return got;
  const u = [l.decayI[0], bias, l.decayV, l.vRest, l.threshold, l.vReset, l.refractory].map(uniform);
  const [d0, b0, dv, rest, th, vr, refr] = u;
  if (!u.every((x) => x !== null)) { uniform1.set(l, null); return null; }
  const p = { bias, d0: d0!, b0: b0!, dv: dv!, rest: rest!, th: th!, vr: vr!, refr: refr! };
  uniform1.set(l, p);
  return p;
}

/** floatUpdate1 where every parameter is uniform: scalars for per-neuron arrays (same operations, fewer arrays read). */
function floatUpdate1Uniform(l: VmLayer, s: LayerState, t: number, u: Uniform1, start: number, end: number, subtract: boolean): void {
  const slot = t % s.D;
  const { N, B, v, until, spk, nspk, out } = s, c0 = s.cur[0], r0 = s.ring[0][slot];
  const { d0, b0, dv, th, vr } = u, kv = (1 - dv) * u.rest, t1r = t + 1 + u.refr;
  for (let b = 0; b < B; b++) {
    let n = nspk[b];
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      const drive = c0[j];
      c0[j] = d0 * c0[j] + (r0[j] + b0);
      if (until[j] > t) { v[j] = vr; continue; }
      const x = dv * v[j] + kv + drive;
      if (x > th) {
        v[j] = subtract ? x - th : vr;
        until[j] = t1r;
        out[j] = 1; spk[b * N + n++] = k;
      } else v[j] = x;
    }
    nspk[b] = n;
  }
  consume(s, slot, start, end);
}

function floatUpdateMany(l: VmLayer, s: LayerState, t: number, bias: Float64Array[], start: number, end: number, subtract: boolean): void {
  const slot = t % s.D;
  const { N, B, v, cur, until, spk, nspk, out } = s;
  const { decayV, decayI, threshold: th, vReset: vr, vRest, refractory, spiking } = l;
  const P = cur.length;
  for (let b = 0; b < B; b++) {
    let n = nspk[b];
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      let drive = 0;
      for (let p = 0; p < P; p++) {
        const c = cur[p], r = s.ring[p][slot];
        drive += c[j];
        c[j] = decayI[p][k] * c[j] + (r[j] + bias[p][k]);
      }
      out[j] = 0;
      if (until[j] > t) { v[j] = vr[k]; continue; }
      const x = decayV[k] * v[j] + (1 - decayV[k]) * vRest[k] + drive;
      if (spiking && x > th[k]) {
        v[j] = subtract ? x - th[k] : vr[k];
        until[j] = t + 1 + refractory[k];
        out[j] = 1; spk[b * N + n++] = k;
      } else {
        v[j] = x;
        if (!spiking && x !== 0) { out[j] = x; spk[b * N + n++] = k; }
      }
    }
    nspk[b] = n;
  }
  consume(s, slot, start, end);
}

function intUpdate(l: VmLayer, s: LayerState, t: number, bias: Float64Array[], start: number, end: number, subtract: boolean): void {
  const slot = t % s.D;
  if (l.arith === "multiply" && s.cur.length === 2 && l.integralInput) return intMultiply2(l, s, t, bias, start, end, subtract);
  const { N, B, v, cur, until, spk, nspk, out } = s;
  const { decayV, decayI, threshold: th, vReset: vr, vRest, refractory, spiking, smax, scale } = l;
  const P = cur.length;
  const mode = l.arith === "multiply" ? 0 : l.arith === "shift" ? 1 : 2;
  const inv = 2 ** -l.decayBits;
  const shifts = Float64Array.from({ length: 64 }, (_, d) => 2 ** -d);
  // x decayed by code d: trunc(x d / 2^bits) (multiply), x - floor(x / 2^d) (shift), or x.
  const dec = (x: number, d: number) => (mode === 0 ? Math.trunc(x * d * inv) : mode === 1 ? x - Math.floor(x * shifts[d]) : x);
  const sat = (x: number) => (x > smax ? smax : x < -smax ? -smax : x);
  // Graded inputs (dense samples, non-spiking sources) are rounded to the integer grid on arrival.
  const exact = l.integralInput, rnd = (x: number) => (exact ? x : Math.round(x));
  const { r0, r1, c0, c1, d0, d1, b0, b1 } = ports(l, s, slot, bias);
  for (let b = 0; b < B; b++) {
    let n = nspk[b];
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      let drive: number;
      if (P === 0) drive = rnd(r0[j]) + b0[k];
      else if (P <= 2) {
        drive = c0[j];
        c0[j] = sat(dec(c0[j], d0[k]) + rnd(r0[j]) + b0[k]);
        if (P === 2) { drive += c1[j]; c1[j] = sat(dec(c1[j], d1[k]) + rnd(r1[j]) + b1[k]); }
      } else {
        drive = 0;
        for (let p = 0; p < P; p++) {
          const c = cur[p], r = s.ring[p][slot];
          drive += c[j];
          c[j] = sat(dec(c[j], decayI[p][k]) + rnd(r[j]) + bias[p][k]);
        }
      }
      out[j] = 0;
      if (until[j] > t) { v[j] = vr[k]; continue; }
      const x = sat(vRest[k] + dec(v[j] - vRest[k], decayV[k]) + drive);
      if (spiking && x > th[k]) {
        v[j] = subtract ? x - th[k] : vr[k];
        until[j] = t + 1 + refractory[k];
        out[j] = 1; spk[b * N + n++] = k;
      } else {
        v[j] = x;
        if (!spiking && x !== 0) { out[j] = x * scale; spk[b * N + n++] = k; }
      }
    }
    nspk[b] = n;
  }
  consume(s, slot, start, end);
}

/**
 * Loihi compartments (lib/target/arith/loihi.ts is the definition; its functions are called
 * here): each incoming projection's sum shifted by its weight exponent, u wrapped, v saturated,
 * threshold and reset in v's LSBs. Refractory neurons hold v at vReset as on other targets.
 */
function loihiUpdate(l: VmLayer, s: LayerState, t: number, bias: Float64Array, start: number, end: number, subtract: boolean): void {
  const slot = t % s.D;
  const { N, B, v, until, spk, nspk, out } = s, u = s.cur[0];
  const { decayV, threshold: th, vReset: vr, refractory, spiking, scale, ringExp } = l, uf = l.decayI[0];
  const rings = s.ring.map((r) => r[slot]), R = rings.length, exact = l.integralInput;
  for (let b = 0; b < B; b++) {
    let n = nspk[b];
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      let a = 0;
      for (let c = 0; c < R; c++) a += scaleActivation(exact ? rings[c][j] : Math.round(rings[c][j]), ringExp[c]);
      const u1 = wrapU(tz(u[j], uf[k]) + a * 64);
      u[j] = u1;
      out[j] = 0;
      if (until[j] > t) { v[j] = vr[k]; continue; }
      const x = satV(tz(v[j], decayV[k]) + u1 + bias[k]);
      if (spiking && x > th[k]) {
        v[j] = subtract ? x - th[k] : vr[k];
        until[j] = t + 1 + refractory[k];
        out[j] = 1; spk[b * N + n++] = k;
      } else {
        v[j] = x;
        if (!spiking && x !== 0) { out[j] = x * scale; spk[b * N + n++] = k; }
      }
    }
    nspk[b] = n;
  }
  consume(s, slot, start, end);
}

/**
 * Xylo neurons (lib/target/arith/xylo.ts is the definition; its functions are called here):
 * the step's input added to each current, bit-shift decays of at least one LSB, the new
 * currents into v, then as many events as v holds thresholds (31 at most, 1 on an output
 * layer), each subtracting the threshold. `out` is the number of events.
 */
function xyloUpdate(l: VmLayer, s: LayerState, t: number, bias: Float64Array, start: number, end: number): void {
  const slot = t % s.D;
  const { N, B, v, cur, spk, nspk, out } = s;
  const { decayV, decayI, threshold: th } = l, P = cur.length, max = l.output ? MAX_OUTPUT_EVENTS : MAX_HIDDEN_EVENTS;
  const rings = s.ring.map((r) => r[slot]), exact = l.integralInput;
  for (let b = 0; b < B; b++) {
    let n = nspk[b];
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      let total = 0;
      for (let p = 0; p < P; p++) {
        const c = cur[p], x = rings[p][j], i = sat16(c[j] + (exact ? x : Math.round(x)));
        c[j] = i - bitshiftDecrement(i, decayI[p][k]);
        total += c[j];
      }
      let x = sat16(v[j] + sat16(sat16(-bitshiftDecrement(v[j], decayV[k]) + total) + bias[k])), events = 0;
      while (x >= th[k] && events < max) { events++; x -= th[k]; }
      v[j] = x;
      out[j] = events;
      if (events) spk[b * N + n++] = k;
    }
    nspk[b] = n;
  }
  consume(s, slot, start, end);
}

/** The common fixed-point case written out (two currents, multiplicative decay, spike inputs): same arithmetic as intUpdate. */
function intMultiply2(l: VmLayer, s: LayerState, t: number, bias: Float64Array[], start: number, end: number, subtract: boolean): void {
  const slot = t % s.D;
  const { N, B, v, until, spk, nspk, out } = s;
  const { decayV, threshold: th, vReset: vr, vRest, refractory, spiking, smax, scale } = l;
  const { r0, r1, c0, c1, d0, d1, b0, b1 } = ports(l, s, slot, bias);
  const inv = 2 ** -l.decayBits, lo = -smax;
  for (let b = 0; b < B; b++) {
    let n = nspk[b];
    for (let k = start, j = b * N + start; k < end; k++, j++) {
      const a0 = c0[j], a1 = c1[j];
      let y = Math.trunc(a0 * d0[k] * inv) + r0[j] + b0[k];
      c0[j] = y > smax ? smax : y < lo ? lo : y;
      y = Math.trunc(a1 * d1[k] * inv) + r1[j] + b1[k];
      c1[j] = y > smax ? smax : y < lo ? lo : y;
      out[j] = 0;
      if (until[j] > t) { v[j] = vr[k]; continue; }
      let x = vRest[k] + Math.trunc((v[j] - vRest[k]) * decayV[k] * inv) + (a0 + a1);
      x = x > smax ? smax : x < lo ? lo : x;
      if (spiking && x > th[k]) {
        v[j] = subtract ? x - th[k] : vr[k];
        until[j] = t + 1 + refractory[k];
        out[j] = 1; spk[b * N + n++] = k;
      } else {
        v[j] = x;
        if (!spiking && x !== 0) { out[j] = x * scale; spk[b * N + n++] = k; }
      }
    }
    nspk[b] = n;
  }
  consume(s, slot, start, end);
}

