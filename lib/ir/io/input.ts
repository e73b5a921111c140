/** Turning an array read from a file into simulator input [T, batch, ...input shape]. */
import { numel } from "../graph.js";
import { PhasorError } from "../errors.js";
import type { NdArray } from "./npy.js";

/** Dense simulator input. */
export interface DenseInput {
  data: Float64Array;
  shape: number[];
}

/**
 * Interprets `arr` as [T, ...shape] (one batch entry, repeated `batch` times when asked) or
 * [T, batch, ...shape]; anything else is refused with the widths that were expected.
 */
export function toDenseInput(arr: NdArray, inputShape: number[], inputName: string, batch?: number, where = "input"): DenseInput {
  const n = numel(inputShape);
  const T = arr.shape[0] ?? 0;
  const per = arr.shape.length > 1 ? numel(arr.shape.slice(1)) : 1;
  const fail = (msg: string): never => { throw new PhasorError([{ code: "input-width", path: [where], message: msg }]); };
  if (T === 0) fail("input has no time steps");
  if (per === n) {
    const B = batch ?? 1;
    if (B === 1) return { data: arr.data, shape: [T, 1, ...inputShape] };
    const data = new Float64Array(T * B * n);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) data.set(arr.data.subarray(t * n, (t + 1) * n), (t * B + b) * n);
    return { data, shape: [T, B, ...inputShape] };
  }
  if (per % n === 0 && arr.shape.length >= 3 && numel(arr.shape.slice(2)) === n) {
    const B = arr.shape[1];
    if (batch !== undefined && batch !== B) fail(`input holds batch ${B} but --batch ${batch} was given`);
    return { data: arr.data, shape: [T, B, ...inputShape] };
  }
  return fail(`input has ${per} values per step (array shape [${arr.shape}]) but Input node "${inputName}" has shape [${inputShape}] (${n} values); give one column per input element (or a .npy [T, ${inputShape}] / [T, batch, ${inputShape}])`);
}
