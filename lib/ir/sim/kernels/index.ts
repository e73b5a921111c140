/** The kernel registry: one factory per node type, listed explicitly. */
import type { Node, NodeOf, NodeType } from "../../graph.js";
import { PhasorError } from "../../errors.js";
import { conv1dKernel, conv2dKernel, poolKernel } from "./conv.js";
import { cubaKernel } from "./cuba.js";
import { copyKernel, delayKernel, inputKernel, matmulKernel, scaleKernel, thresholdKernel } from "./dense.js";
import type { Kernel, KernelContext, KernelFactory } from "./kernel.js";
import { membraneKernel } from "./neuron.js";
import { sparseKernel } from "./sparse.js";
import { proceduralKernel } from "./procedural.js";

type Factories = { [T in Exclude<NodeType, "NIRGraph">]: KernelFactory<NodeOf<T>> };

const factories: Factories = {
  Input: inputKernel,
  Output: copyKernel,
  Flatten: copyKernel,
  Scale: scaleKernel,
  Threshold: thresholdKernel,
  Affine: matmulKernel,
  Linear: matmulKernel,
  Delay: delayKernel,
  Conv1d: conv1dKernel,
  Conv2d: conv2dKernel,
  SumPool2d: poolKernel,
  AvgPool2d: poolKernel,
  I: membraneKernel,
  IF: membraneKernel,
  LI: membraneKernel,
  LIF: membraneKernel,
  CubaLI: cubaKernel,
  CubaLIF: cubaKernel,
  MultiCubaLIF: cubaKernel,
  SparseProjection: sparseKernel,
  ProceduralProjection: proceduralKernel,
};

/** Builds the kernel for ctx.node, or throws naming the node types the simulator knows. */
export function buildKernel(ctx: KernelContext<Node>): Kernel {
  if (ctx.node.type === "NIRGraph" || !(ctx.node.type in factories))
    throw new PhasorError([{ code: "unsupported-node", path: [ctx.name], message: `the simulator cannot run ${ctx.node.type} nodes; it runs ${Object.keys(factories).join(", ")}` }]);
  // The map pairs each type with its own factory, so the widening here is sound.
  const factory = factories[ctx.node.type] as KernelFactory<Node>;
  return factory(ctx);
}
