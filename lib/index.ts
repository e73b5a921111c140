/** Phasor's public API: what `phasor` is in a notebook cell and what `require("phasor")` returns. */
export * from "./ir/graph.js";
export { PhasorError, isPhasorError, formatIssues, type Issue } from "./ir/errors.js";
export { Registry, closeMatches } from "./ir/registry.js";
export { specOf, nodeTypes, type NodeSpec } from "./ir/nodes.js";
export { analyseGraph, validateGraph, safeValidateGraph, type AnalysedGraph } from "./ir/validate.js";
export { flattenGraph, type FlatGraph } from "./ir/flatten.js";
export { graph, GraphBuilder, tensor, sparseFromCoo, type TensorLike } from "./ir/builders.js";
export { describeGraph, formatGraphInfo, type GraphInfo, type NodeInfo } from "./ir/describe.js";
export { Rng } from "./ir/random.js";
export { cubaNetwork, CUBA, type CubaModel, type CubaOptions } from "./ir/models/cuba.js";
export { readArrayFile, parseCsv, formatCsv, parseNpy, formatNpy, type NdArray } from "./ir/io/index.js";
export { toDenseInput } from "./ir/io/input.js";
export * from "./ir/nir/index.js";
export * from "./ir/sim/index.js";
export * as plot from "./plot/index.js";
export * from "./target/index.js";
export * from "./compiler/index.js";
