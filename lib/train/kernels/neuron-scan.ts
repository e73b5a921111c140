/**
 * Kernel configs for the fused neuron scan: PhasorNeuronScan (input x), PhasorRecurrentScan
 * (x and a recurrent matrix wr), their shared backward kernel PhasorNeuronScanGrad, and the
 * gradient configs that connect them to TF.js autodiff.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { GradConfig, KernelConfig, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { surrogates } from "../surrogates.js";
import { withArrays } from "./memory.js";
import { scanBackward, scanForward, type ScanParams, type ScanSpec } from "./scan.js";

export const NEURON_SCAN = "PhasorNeuronScan";
export const RECURRENT_SCAN = "PhasorRecurrentScan";
export const NEURON_SCAN_GRAD = "PhasorNeuronScanGrad";

/** Attributes of a scan: the coefficients and the behaviour (all plain data). */
export type ScanAttrs = {
  a: number[]; c: number[]; b: number[]; as: number[]; cs: number[]; thr: number[]; v0: number[]; vr: number[];
  spiking: boolean; synaptic: boolean; reset: "zero" | "subtract"; truncate: number;
  surrogate: string; slope: number;
};

const COEFFS = ["a", "c", "b", "as", "cs", "thr", "v0", "vr"] as const;

/** Reads scan attributes back from a kernel's attribute map, checking each field. */
function parseAttrs(m: NamedAttrMap = {}): ScanAttrs {
  const arr = (k: string): number[] => {
    const v = m[k];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number")) throw new Error(`scan attribute ${k} must be a number array`);
    return v as number[];
  };
  const [a, c, b, as, cs, thr, v0, vr] = COEFFS.map(arr);
  // Stryker disable next-line StringLiteral: the scan tests reset === "zero" only, so any other value subtracts
  const reset = m.reset === "subtract" ? "subtract" : "zero";
  return {
    a, c, b, as, cs, thr, v0, vr, reset, spiking: m.spiking === true, synaptic: m.synaptic === true,
    truncate: Number(m.truncate ?? 0), surrogate: String(m.surrogate ?? "fast-sigmoid"), slope: Number(m.slope ?? 25),
  };
}

function params(a: ScanAttrs): ScanParams {
  const f = (v: number[]) => Float32Array.from(v);
  return { a: f(a.a), c: f(a.c), b: f(a.b), as: f(a.as), cs: f(a.cs), thr: f(a.thr), v0: f(a.v0), vr: f(a.vr) };
}

function spec(a: ScanAttrs, shape: number[]): ScanSpec {
  const s = surrogates.get(a.surrogate);
  const slope = a.slope;
  return {
    T: shape[0], B: shape[1], N: shape[2], spiking: a.spiking, synaptic: a.synaptic, reset: a.reset,
    truncate: a.truncate, surrogate: (x) => s.derivative(x, slope),
  };
}

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: object; attrs?: NamedAttrMap };

function forwardFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const a = parseAttrs(attrs);
  const x = inputs.x;
  const ins = inputs.wr ? [x, inputs.wr] : [x];
  return withArrays(backend, ins, [x.shape, x.shape], ([xv, wr], [out, vpre]) => scanForward(params(a), spec(a, x.shape), xv, wr, out, vpre));
}

function backwardFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const a = parseAttrs(attrs);
  const { dy, out, vpre, wr } = inputs;
  const n = dy.shape[2];
  const ins = wr ? [dy, out, vpre, wr] : [dy, out, vpre];
  const shapes = wr ? [dy.shape, [n, n]] : [dy.shape];
  return withArrays(backend, ins, shapes, ([d, o, v, w], [dx, dwr]) => scanBackward(params(a), spec(a, dy.shape), d, o, v, w, dx, dwr));
}

/** Kernel configs of the scan for one backend. */
export function neuronScanKernels(backendName: string): KernelConfig[] {
  const k = (kernelName: string, f: (args: KernelArgs) => TensorInfo[]): KernelConfig => ({ kernelName, backendName, kernelFunc: f as KernelConfig["kernelFunc"] });
  return [k(NEURON_SCAN, forwardFunc), k(RECURRENT_SCAN, forwardFunc), k(NEURON_SCAN_GRAD, backwardFunc)];
}

/** Gradient of the feed-forward scan: the backward kernel on the saved spikes and membrane. */
export const neuronScanGrad: GradConfig = {
  kernelName: NEURON_SCAN,
  outputsToSave: [true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [out, vpre] = saved;
    const [dx] = tf.engine().runKernel(NEURON_SCAN_GRAD, { dy, out, vpre }, attrs) as tf.Tensor[];
    return { x: () => dx };
  },
};

/** Gradient of the recurrent scan: also returns the recurrent weights' gradient. */
export const recurrentScanGrad: GradConfig = {
  kernelName: RECURRENT_SCAN,
  inputsToSave: ["wr"],
  outputsToSave: [true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [wr, out, vpre] = saved;
    const [dx, dwr] = tf.engine().runKernel(NEURON_SCAN_GRAD, { dy, out, vpre, wr }, attrs) as tf.Tensor[];
    return { x: () => dx, wr: () => dwr };
  },
};

/** Runs the fused scan: returns [output, membrane before reset], each [T, B, N]. */
export function neuronScan(x: tf.Tensor3D, attrs: ScanAttrs, wr?: tf.Tensor2D): [tf.Tensor3D, tf.Tensor3D] {
  const r = (wr
    ? tf.engine().runKernel(RECURRENT_SCAN, { x, wr }, attrs)
    : tf.engine().runKernel(NEURON_SCAN, { x }, attrs)) as tf.Tensor[];
  return [r[0] as tf.Tensor3D, r[1] as tf.Tensor3D];
}
