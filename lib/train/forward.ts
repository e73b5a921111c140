/**
 * One layer's forward pass over a whole sequence, two implementations of the same equations
 * (config.ts, kernels/scan.ts): the fused custom kernels (projection batched over all steps,
 * event-sparse for spike inputs, one scan kernel) and a plain composition of TF.js ops
 * (a loop over time with tf.customGrad spikes) that works on every backend and serves as
 * the comparison in tests and the bench.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ScanAttrs } from "./kernels/neuron-scan.js";
import { neuronScan } from "./kernels/neuron-scan.js";
import { spikeMatMul } from "./kernels/spike-matmul.js";
import { spikeFn, stopGradient } from "./surrogates.js";

/** A layer's trainable tensors (weight [in, units], optional bias and recurrent [units, units]). */
export interface LayerWeights {
  weight: tf.Tensor2D;
  bias?: tf.Tensor1D;
  recurrent?: tf.Tensor2D;
}

/** What one layer produces: output [T, B, N] (spikes, or membrane for LI) and the membrane before reset. */
export interface LayerOutput {
  out: tf.Tensor3D;
  vpre: tf.Tensor3D;
}

/** Input projection over all steps at once: [T, B, in] -> [T, B, units]. */
export function project(x: tf.Tensor3D, w: LayerWeights, sparse: boolean): tf.Tensor3D {
  const [T, B, K] = x.shape;
  const flat = tf.reshape(x, [T * B, K]) as tf.Tensor2D;
  let y = sparse ? spikeMatMul(flat, w.weight) : tf.matMul(flat, w.weight);
  if (w.bias) y = tf.add(y, w.bias);
  return tf.reshape(y, [T, B, w.weight.shape[1]]) as tf.Tensor3D;
}

/** Fused path: projection then the scan kernel. */
export function layerKernel(x: tf.Tensor3D, w: LayerWeights, a: ScanAttrs, sparseInput: boolean): LayerOutput {
  const cur = project(x, w, sparseInput);
  const [out, vpre] = neuronScan(cur, a, w.recurrent);
  return { out, vpre };
}

/** Plain-op path: the same dynamics as a TF.js loop over time. */
export function layerOps(x: tf.Tensor3D, w: LayerWeights, a: ScanAttrs): LayerOutput {
  const cur = project(x, w, false);
  const [T, B, N] = cur.shape;
  const p = (v: number[]) => tf.tensor1d(v);
  const [ca, cc, cb, cas, ccs, thr, vr] = [a.a, a.c, a.b, a.as, a.cs, a.thr, a.vr].map(p);
  const spike = spikeFn(a.surrogate, a.slope);
  let v: tf.Tensor = tf.tile(tf.reshape(p(a.v0), [1, N]), [B, 1]);
  let i: tf.Tensor = tf.zeros([B, N]);
  let sPrev: tf.Tensor = tf.zeros([B, N]);
  const outs: tf.Tensor[] = [];
  const vpres: tf.Tensor[] = [];
  const steps = tf.unstack(cur);
  for (let t = 0; t < T; t++) {
    if (a.truncate > 0 && t > 0 && t % a.truncate === 0) [v, i, sPrev] = [v, i, sPrev].map(stopGradient);
    let xt = steps[t];
    if (w.recurrent && t > 0) xt = tf.add(xt, tf.matMul(sPrev, w.recurrent));
    let vp: tf.Tensor;
    if (a.synaptic) {
      vp = tf.add(tf.add(tf.mul(ca, v), tf.mul(cc, i)), cb);
      i = tf.add(tf.mul(cas, i), tf.mul(ccs, xt));
    } else {
      vp = tf.add(tf.add(tf.mul(ca, v), tf.mul(cc, xt)), cb);
    }
    vpres.push(vp);
    if (a.spiking) {
      const s = spike(tf.sub(vp, thr));
      const sd = stopGradient(s);
      v = a.reset === "zero" ? tf.add(tf.mul(vp, tf.sub(1, sd)), tf.mul(sd, vr)) : tf.sub(vp, tf.mul(sd, thr));
      outs.push(s);
      sPrev = s;
    } else {
      v = vp;
      outs.push(vp);
    }
  }
  return { out: tf.stack(outs) as tf.Tensor3D, vpre: tf.stack(vpres) as tf.Tensor3D };
}
