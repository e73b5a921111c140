/** Reading and writing kernel tensors on the cpu and wasm backends as Float32Arrays. */
import type { TensorInfo } from "@tensorflow/tfjs-core";

/** The parts of a backend the Phasor kernels use (cpu: data store; wasm: heap views). */
interface CpuLike { data: { get(id: object): { values?: unknown } }; makeTensorInfo(shape: number[], dtype: "float32", values?: Float32Array): TensorInfo }
interface WasmLike { makeOutput(shape: number[], dtype: "float32"): TensorInfo; typedArrayFromHeap(t: TensorInfo): ArrayBufferView }

function isWasm(b: object): b is WasmLike {
  return "typedArrayFromHeap" in b && "makeOutput" in b;
}
function isCpu(b: object): b is CpuLike {
  return "makeTensorInfo" in b && "data" in b;
}

/**
 * Runs `fn` on float32 views of `inputs` and of freshly allocated outputs of `shapes`,
 * returning the outputs. On wasm the outputs are allocated first, then every view is taken,
 * so heap growth cannot detach a view.
 */
export function withArrays(backend: object, inputs: TensorInfo[], shapes: number[][], fn: (ins: Float32Array[], outs: Float32Array[]) => void): TensorInfo[] {
  for (const t of inputs) if (t.dtype !== "float32") throw new Error(`Phasor kernel needs float32 inputs, got ${t.dtype}`);
  if (isWasm(backend)) {
    const outs = shapes.map((s) => backend.makeOutput(s, "float32"));
    const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    fn(inputs.map(view), outs.map(view));
    return outs;
  }
  if (isCpu(backend)) {
    const ins = inputs.map((t) => {
      const v = backend.data.get(t.dataId).values;
      if (!(v instanceof Float32Array)) throw new Error("Phasor kernel: cpu tensor has no float32 values");
      return v;
    });
    const outs = shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
    fn(ins, outs);
    return outs.map((o, i) => backend.makeTensorInfo(shapes[i], "float32", o));
  }
  throw new Error("Phasor kernels run on the cpu and wasm backends only");
}
