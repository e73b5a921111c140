/** Typed wrappers over tf.customGrad (its own signature takes untyped rest arguments). */
import * as tf from "@tensorflow/tfjs-core";

/** A forward function of n tensors returning a value and the gradient for each input. */
export type CustomFn = (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/** tf.customGrad over a list of tensors. */
export function customGradN(f: CustomFn): (inputs: tf.Tensor[]) => tf.Tensor {
  const g = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1];
    if (typeof save !== "function") throw new Error("customGrad: missing save function");
    const inputs = args.slice(0, -1).filter((a): a is tf.Tensor => a instanceof tf.Tensor);
    const r = f(inputs, save);
    return { value: r.value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => r.gradFunc(dy, saved) };
  });
  return (inputs) => g(...inputs);
}

/** tf.customGrad of one tensor. */
export function customGrad1(f: (x: tf.Tensor, save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor }): (x: tf.Tensor) => tf.Tensor {
  const g = customGradN(([x], save) => {
    const r = f(x, save);
    return { value: r.value, gradFunc: (dy, saved) => [r.gradFunc(dy, saved)] };
  });
  return (x) => g([x]);
}
