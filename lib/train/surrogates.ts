/**
 * Surrogate gradients: the spike is a Heaviside step of x = v - threshold in the forward
 * pass; the backward pass uses a smooth derivative instead. Each surrogate gives its
 * derivative once as a scalar function (used by the fused kernels) and as a tensor function
 * (used by the plain-op path through tf.customGrad). Register your own with registerSurrogate.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Registry } from "../ir/registry.js";
import { customGrad1 } from "./custom-grad.js";

/** A surrogate derivative dS/dx of the spike S = H(x), x = v - threshold. */
export interface Surrogate {
  /** Scalar derivative at x, for the fused kernels. */
  derivative(x: number, slope: number): number;
  /** The same on tensors; when absent the plain-op path maps `derivative` element by element. */
  derivativeTensor?(x: tf.Tensor, slope: number): tf.Tensor;
  /** Default slope (sharpness) when a layer does not give one. */
  defaultSlope: number;
  /** One line for help text. */
  doc: string;
}

/** Built-in and user surrogates by name. */
export const surrogates = new Registry<Surrogate>("surrogate gradient");

surrogates
  .register("fast-sigmoid", {
    doc: "SuperSpike / snnTorch fast_sigmoid: 1 / (slope |x| + 1)^2",
    defaultSlope: 25,
    derivative: (x, k) => 1 / ((k * Math.abs(x) + 1) * (k * Math.abs(x) + 1)),
    derivativeTensor: (x, k) => tf.tidy(() => tf.reciprocal(tf.square(tf.add(tf.mul(tf.abs(x), k), 1)))),
  })
  .register("arctan", {
    doc: "snnTorch atan: (slope/2) / (1 + (pi/2 slope x)^2)",
    defaultSlope: 2,
    derivative: (x, k) => k / 2 / (1 + (Math.PI / 2 * k * x) ** 2),
    derivativeTensor: (x, k) => tf.tidy(() => tf.div(k / 2, tf.add(1, tf.square(tf.mul(x, (Math.PI / 2) * k))))),
  })
  .register("triangle", {
    doc: "triangle: slope * max(0, 1 - slope |x|) (unit area)",
    defaultSlope: 1,
    derivative: (x, k) => k * Math.max(0, 1 - k * Math.abs(x)),
    derivativeTensor: (x, k) => tf.tidy(() => tf.mul(k, tf.relu(tf.sub(1, tf.mul(tf.abs(x), k))))),
  })
  .register("straight-through", {
    doc: "straight-through estimator: derivative 1 everywhere",
    defaultSlope: 1,
    derivative: () => 1,
    derivativeTensor: (x) => tf.onesLike(x),
  });

/** Registers a user-defined surrogate (a duplicate name is an error listing the known ones). */
export function registerSurrogate(name: string, s: Surrogate): void {
  surrogates.register(name, s);
}

/** Evaluates a surrogate's derivative on a tensor (falls back to the scalar form). */
export function surrogateDerivative(name: string, x: tf.Tensor, slope: number): tf.Tensor {
  const s = surrogates.get(name);
  // Stryker disable next-line ConditionalExpression: the scalar fallback gives the same values (tested), only slower
  if (s.derivativeTensor) return s.derivativeTensor(x, slope);
  const v = x.dataSync();
  const out = new Float32Array(v.length);
  // Stryker disable next-line EqualityOperator: one pass past the end writes outside the array (ignored)
  for (let i = 0; i < v.length; i++) out[i] = s.derivative(v[i], slope);
  return tf.tensor(out, x.shape, "float32");
}

const cache = new Map<string, (x: tf.Tensor) => tf.Tensor>();

/** The spike function H(x) whose gradient is the named surrogate (tf.customGrad). */
export function spikeFn(name: string, slope?: number): (x: tf.Tensor) => tf.Tensor {
  const k = slope ?? surrogates.get(name).defaultSlope;
  const key = `${name}:${k}`;
  let f = cache.get(key);
  if (!f) {
    f = customGrad1((x, save) => {
      save([x]);
      return {
        value: tf.cast(tf.greater(x, 0), "float32"),
        gradFunc: (dy, saved) => tf.mul(dy, surrogateDerivative(name, saved[0], k)),
      };
    });
    cache.set(key, f);
  }
  return f;
}

/** Identity forward, zero gradient (TF.js has no stopGradient op). */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = customGrad1((x) => ({
  value: tf.clone(x),
  gradFunc: (dy) => tf.zerosLike(dy),
}));
