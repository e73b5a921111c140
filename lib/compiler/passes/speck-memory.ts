/** Speck's view of a projection: (pool) -> convolution, with Sinabs' kernel and neuron memory formulas. A dense layer is a convolution whose kernel covers its input map. */
import { speckKernelMemory, speckNeuronMemory } from "../../target/presets/speck.js";
import type { Layer, Projection } from "../netlist.js";

/** Memory and geometry of one Speck layer. */
export interface SpeckLayer {
  kernel: [number, number];
  stride: number[];
  inShape: number[];
  outShape: number[];
  pool?: number;
  kernelMemory: number;
  neuronMemory: number;
}

/** The Speck layer a projection becomes, or why it cannot be one. */
export function speckLayerMemory(p: Projection, src: Layer): SpeckLayer | string {
  const ops = p.ops;
  const pool = ops[0]?.kind === "pool" ? ops[0] : undefined;
  const main = ops[pool ? 1 : 0];
  if (!main || ops.length !== (pool ? 2 : 1)) return `the path from ${src.name} must be [sum pooling] then one convolution or dense layer, got [${ops.map((o) => o.kind).join(", ") || "identity"}]`;
  const poolK = pool ? pool.kernel[0] : undefined;
  if (main.kind === "conv") {
    const [f, cpg, kh, kw] = main.wShape;
    const c = cpg * main.groups;
    const [, fy, fx] = main.outShape;
    return { kernel: [kh, kw], stride: main.stride, inShape: main.inShape, outShape: main.outShape, pool: poolK, kernelMemory: speckKernelMemory(c, f, kw, kh), neuronMemory: speckNeuronMemory(f, fy, fx) };
  }
  if (main.kind === "dense") {
    const inShape = pool ? pool.outShape : src.shape.length === 3 ? src.shape : [main.in, 1, 1];
    const [c, h, w] = inShape;
    return { kernel: [h, w], stride: [1, 1], inShape, outShape: [main.out, 1, 1], pool: poolK, kernelMemory: speckKernelMemory(c, main.out, w, h), neuronMemory: speckNeuronMemory(main.out, 1, 1) };
  }
  return `a ${main.kind} step cannot run on a convolutional core`;
}
