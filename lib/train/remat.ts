/**
 * Rematerialisation over time (gradient checkpointing) for one layer. The forward pass runs
 * the layer segment by segment (K steps each) without recording anything for autodiff and
 * keeps only the neuron state (v, i, s) at every segment start plus the layer's output. The
 * backward pass walks the segments in reverse: it recomputes a segment's projection and
 * membrane from its checkpoint, then back-propagates through it with the equations of
 * kernels/scan.ts (reset detached, surrogate dS/dv, truncation cuts), in TF.js ops, so it
 * runs on every backend. Memory: O(T/K) states + O(K) steps of intermediates instead of O(T).
 * Only the output is returned, so a spiking layer's membrane is not available under remat.
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGradN } from "./custom-grad.js";
import type { LayerWeights } from "./forward.js";
import type { ScanAttrs } from "./kernels/neuron-scan.js";
import { surrogateDerivative } from "./surrogates.js";

type State = { v: tf.Tensor2D; i: tf.Tensor2D; s: tf.Tensor2D };
type Coeffs = Record<"a" | "c" | "b" | "as" | "cs" | "thr" | "vr", tf.Tensor1D>;

const coeffs = (a: ScanAttrs): Coeffs => ({ a: tf.tensor1d(a.a), c: tf.tensor1d(a.c), b: tf.tensor1d(a.b), as: tf.tensor1d(a.as), cs: tf.tensor1d(a.cs), thr: tf.tensor1d(a.thr), vr: tf.tensor1d(a.vr) });

/** Input projection of steps [t0, t0 + len) of h: [len, B, units]. */
function projectSlice(h: tf.Tensor3D, w: LayerWeights, t0: number, len: number): tf.Tensor3D {
  const [, B, K] = h.shape;
  const flat = tf.reshape(tf.slice(h, [t0, 0, 0], [len, B, K]), [len * B, K]) as tf.Tensor2D;
  const y = w.bias ? tf.add(tf.matMul(flat, w.weight), w.bias) : tf.matMul(flat, w.weight);
  return tf.reshape(y, [len, B, w.weight.shape[1]]) as tf.Tensor3D;
}

/** Steps one segment forward from `st`; returns per-step membranes before reset, outputs and the end state. */
function runSegment(cur: tf.Tensor3D, st: State, w: LayerWeights, a: ScanAttrs, k: Coeffs, t0: number): { vp: tf.Tensor2D[]; out: tf.Tensor2D[]; end: State } {
  let { v, i, s } = st;
  const vps: tf.Tensor2D[] = [], outs: tf.Tensor2D[] = [];
  tf.unstack(cur).forEach((c, dt) => {
    const x = w.recurrent && t0 + dt > 0 ? tf.add(c, tf.matMul(s, w.recurrent)) : c;
    let vp: tf.Tensor2D;
    if (a.synaptic) {
      vp = tf.add(tf.add(tf.mul(k.a, v), tf.mul(k.c, i)), k.b);
      i = tf.add(tf.mul(k.as, i), tf.mul(k.cs, x));
    } else {
      vp = tf.add(tf.add(tf.mul(k.a, v), tf.mul(k.c, x)), k.b);
    }
    vps.push(vp);
    if (a.spiking) {
      s = tf.cast(tf.greater(vp, k.thr), "float32") as tf.Tensor2D;
      v = a.reset === "zero" ? tf.add(tf.mul(vp, tf.sub(1, s)), tf.mul(s, k.vr)) : tf.sub(vp, tf.mul(s, k.thr));
      outs.push(s);
    } else {
      v = vp;
      outs.push(vp);
    }
  });
  return { vp: vps, out: outs, end: { v, i, s } };
}

// End states may alias start tensors (an LI layer never updates s): clone before disposing the start.
const cloneState = (s: State): State => ({ v: tf.clone(s.v), i: tf.clone(s.i), s: tf.clone(s.s) });

/** Gradient carries between steps: dL/dv, dL/di and the recurrent contribution to dL/ds. */
type Carry = { gv: tf.Tensor2D; gi: tf.Tensor2D; gs: tf.Tensor2D };

/** Back-propagates through one recomputed segment; returns dL/d(projected input) per step and the carry into the previous segment, plus dWr. */
function backSegment(dOut: tf.Tensor3D, seg: ReturnType<typeof runSegment>, start: State, c: Carry, w: LayerWeights, a: ScanAttrs, k: Coeffs, t0: number): { dcur: tf.Tensor3D; carry: Carry; dwr?: tf.Tensor2D } {
  let { gv, gi, gs } = c;
  let dwr: tf.Tensor2D | undefined;
  const dys = tf.unstack(dOut) as tf.Tensor2D[];
  const dcur: tf.Tensor2D[] = new Array(dys.length);
  for (let dt = dys.length - 1; dt >= 0; dt--) {
    const t = t0 + dt;
    const cut = a.truncate > 0 && t % a.truncate === 0;
    const vp = seg.vp[dt];
    let gvp: tf.Tensor2D;
    if (a.spiking) {
      const g = tf.mul(tf.add(dys[dt], gs), surrogateDerivative(a.surrogate, tf.sub(vp, k.thr), a.slope));
      gvp = tf.add(g, a.reset === "zero" ? tf.mul(gv, tf.sub(1, seg.out[dt])) : gv);
    } else {
      gvp = tf.add(dys[dt], gv);
    }
    let dx: tf.Tensor2D;
    if (a.synaptic) {
      dx = tf.mul(k.cs, gi);
      gi = cut ? tf.zerosLike(gi) : (tf.add(tf.mul(k.c, gvp), tf.mul(k.as, gi)) as tf.Tensor2D);
    } else {
      dx = tf.mul(k.c, gvp);
    }
    gv = cut ? tf.zerosLike(gv) : tf.mul(k.a, gvp);
    dcur[dt] = dx;
    gs = tf.zerosLike(gs);
    if (w.recurrent && t > 0) {
      // A truncation cut detaches s_{t-1} but Wr still gets s_{t-1}^T dx_t (as the op path).
      const sPrev = dt > 0 ? seg.out[dt - 1] : start.s;
      if (!cut) gs = tf.matMul(dx, w.recurrent, false, true);
      const d: tf.Tensor2D = tf.matMul(sPrev, dx, true, false);
      dwr = dwr === undefined ? d : tf.add<tf.Tensor2D>(dwr, d);
    }
  }
  return { dcur: tf.stack(dcur) as tf.Tensor3D, carry: { gv, gi, gs }, dwr };
}

/**
 * One layer with rematerialisation every `K` steps: returns its output [T, B, units] (spikes,
 * or membrane for LI), differentiable with respect to the weights and, when `inputGrad`, to h.
 */
export function rematLayer(h: tf.Tensor3D, w: LayerWeights, a: ScanAttrs, K: number, inputGrad: boolean): tf.Tensor3D {
  const [T, B] = h.shape;
  const N = w.weight.shape[1];
  const segments = Math.ceil(T / K);
  const inputs = [w.weight, ...(w.bias ? [w.bias] : []), ...(w.recurrent ? [w.recurrent] : []), ...(inputGrad ? [h] : [])];
  const f = customGradN((_ins, save) => {
    const k = coeffs(a);
    let st: State = { v: tf.tile(tf.reshape(tf.tensor1d(a.v0), [1, N]), [B, 1]) as tf.Tensor2D, i: tf.zeros([B, N]), s: tf.zeros([B, N]) };
    const starts: tf.Tensor[] = [], outs: tf.Tensor3D[] = [];
    for (let g = 0; g < segments; g++) {
      const t0 = g * K, len = Math.min(K, T - t0);
      starts.push(tf.stack([st.v, st.i, st.s]));
      const r = tf.tidy(() => {
        const seg = runSegment(projectSlice(h, w, t0, len), st, w, a, k, t0);
        return { out: tf.stack(seg.out) as tf.Tensor3D, end: cloneState(seg.end) };
      });
      tf.dispose([st.v, st.i, st.s]);
      outs.push(r.out);
      st = r.end;
    }
    // Intermediates of the forward pass are freed when it ends: keep what the backward reads.
    save([tf.stack(starts), h, w.weight, ...(w.bias ? [w.bias] : []), ...(w.recurrent ? [w.recurrent] : [])]);
    const value = tf.concat(outs, 0);
    tf.dispose([...starts, ...outs, st.v, st.i, st.s, ...Object.values(k)]);
    return { value, gradFunc: (dy, [ckpt, hs, weight, ...rest]) => backward(dy as tf.Tensor3D, ckpt, hs as tf.Tensor3D, savedWeights(weight, rest)) };
  });

  const savedWeights = (weight: tf.Tensor, rest: tf.Tensor[]): LayerWeights => ({
    weight: weight as tf.Tensor2D, bias: w.bias ? (rest[0] as tf.Tensor1D) : undefined, recurrent: w.recurrent ? (rest[w.bias ? 1 : 0] as tf.Tensor2D) : undefined,
  });
  const backward = (dy: tf.Tensor3D, ckpt: tf.Tensor, h: tf.Tensor3D, w: LayerWeights): tf.Tensor[] => {
    const k = coeffs(a);
    const zero = () => tf.zeros([B, N]) as tf.Tensor2D;
    let carry: Carry = { gv: zero(), gi: zero(), gs: zero() };
    let dW: tf.Tensor = tf.zerosLike(w.weight), db: tf.Tensor | undefined = w.bias && tf.zerosLike(w.bias), dWr: tf.Tensor | undefined = w.recurrent && tf.zerosLike(w.recurrent);
    const dh: tf.Tensor[] = [];
    for (let g = segments - 1; g >= 0; g--) {
      const t0 = g * K, len = Math.min(K, T - t0);
      const r = tf.tidy(() => {
        const [v, i, s] = tf.unstack(tf.squeeze(tf.slice(ckpt, [g, 0, 0, 0], [1, 3, B, N]), [0])) as tf.Tensor2D[];
        const seg = runSegment(projectSlice(h, w, t0, len), { v, i, s }, w, a, k, t0);
        const back = backSegment(tf.slice(dy, [t0, 0, 0], [len, B, N]), seg, { v, i, s }, carry, w, a, k, t0);
        const hs = tf.reshape(tf.slice(h, [t0, 0, 0], [len, B, h.shape[2]]), [len * B, h.shape[2]]) as tf.Tensor2D;
        const dc = tf.reshape(back.dcur, [len * B, N]) as tf.Tensor2D;
        return {
          carry: { gv: tf.clone(back.carry.gv), gi: tf.clone(back.carry.gi), gs: tf.clone(back.carry.gs) }, dW: tf.add(dW, tf.matMul(hs, dc, true, false)),
          db: db && tf.add(db, tf.sum(dc, 0)), dWr: dWr && back.dwr ? tf.add(dWr, back.dwr) : dWr && tf.clone(dWr),
          dh: inputGrad ? tf.reshape(tf.matMul(dc, w.weight, false, true), [len, B, h.shape[2]]) : undefined,
        };
      });
      tf.dispose([carry.gv, carry.gi, carry.gs, dW, ...(db ? [db] : []), ...(dWr ? [dWr] : [])]);
      ({ carry, dW, db, dWr } = r);
      if (r.dh) dh.unshift(r.dh);
    }
    const out = [dW, ...(db ? [db] : []), ...(dWr ? [dWr] : []), ...(inputGrad ? [tf.concat(dh, 0)] : [])];
    tf.dispose([carry.gv, carry.gi, carry.gs, ...dh, ...Object.values(k)]);
    return out;
  };
  return f(inputs) as tf.Tensor3D;
}
