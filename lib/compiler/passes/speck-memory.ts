/**
 * Speck's view of a projection: (sum pooling at the source) -> one convolution, with Sinabs'
 * kernel and neuron memory formulas (DynapcnnLayer.memory_summary). A dense layer is a
 * convolution whose kernel covers its input map, as Sinabs' convert_linear_to_conv makes it.
 */
import { speckKernelMemory, speckNeuronMemory } from "../../target/presets/speck.js";
import type { Layer, LinearOp, Projection } from "../netlist.js";

/** The sum pooling a source applies on its way to this core (Sinabs: per destination). */
export interface SpeckPool {
  node: string;
  kernel: number[];
  stride: number[];
  padding: number[];
}

/** Memory and geometry of one Speck layer. */
export interface SpeckLayer {
  /** The weight node (Conv2d or Linear) the core holds. */
  node: string;
  kernel: [number, number];
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  inShape: number[];
  outShape: number[];
  pool?: SpeckPool;
  kernelMemory: number;
  neuronMemory: number;
}

/** The Speck layer a projection becomes, or why it cannot be one. */
export function speckLayerMemory(p: Projection, src: Layer): SpeckLayer | string {
  const ops = p.ops;
  const poolOp = ops[0]?.kind === "pool" ? ops[0] : undefined;
  const main = ops[poolOp ? 1 : 0];
  if (!main || ops.length !== (poolOp ? 2 : 1)) {
    const got = ops.map((o) => o.kind).join(", ") || "identity";
    return `the path from ${src.name} must be [sum pooling] then one convolution or dense layer, got [${got}]`;
  }
  const pool = poolOp ? poolOf(poolOp) : undefined;
  if (main.kind === "conv") return convLayer(main, pool);
  if (main.kind === "dense") return denseLayer(main, src, poolOp?.kind === "pool" ? poolOp.outShape : undefined, pool);
  return `a ${main.kind} step cannot run on a convolutional core`;
}

function poolOf(op: LinearOp): SpeckPool | undefined {
  return op.kind === "pool" ? { node: op.node, kernel: op.kernel, stride: op.stride, padding: op.padding } : undefined;
}

/** Sinabs counts c = weight.shape[1] input channels (per group) in the kernel memory. */
function convLayer(op: Extract<LinearOp, { kind: "conv" }>, pool?: SpeckPool): SpeckLayer {
  const [f, cpg, kh, kw] = op.wShape;
  const [, fy, fx] = op.outShape;
  return {
    node: op.node, kernel: [kh, kw], stride: op.stride, padding: op.padding, dilation: op.dilation, groups: op.groups,
    inShape: op.inShape, outShape: op.outShape, pool,
    kernelMemory: speckKernelMemory(cpg, f, kw, kh), neuronMemory: speckNeuronMemory(f, fy, fx),
  };
}

/** A Linear after a [c, h, w] map becomes an h x w convolution; after a vector, a 1 x 1 one. */
function denseLayer(op: Extract<LinearOp, { kind: "dense" }>, src: Layer, pooled?: number[], pool?: SpeckPool): SpeckLayer {
  const inShape = pooled ?? (src.shape.length === 3 ? src.shape : [op.in, 1, 1]);
  const [c, h, w] = inShape;
  return {
    node: op.node, kernel: [h, w], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1,
    inShape, outShape: [op.out, 1, 1], pool,
    kernelMemory: speckKernelMemory(c, op.out, w, h), neuronMemory: speckNeuronMemory(op.out, 1, 1),
  };
}
