/** The compiler: Graph + Target -> Program, the Program on disk, the resource report. */
export { compile, compileUntil, passes, type Pass } from "./pipeline.js";
export type { CompileOptions, CompileState, DiscreteLayer, QuantLayer, Slice } from "./state.js";
export type { Program, ProgramLayer, ProgramProjection, ProgramCore, LayerParams } from "./program.js";
export { PROGRAM_FORMAT, PROGRAM_VERSION, SEMANTICS } from "./program.js";
export { serializeProgram, saveProgram, loadProgram } from "./serialize.js";
export { formatReport, type ResourceReport, type CoreReport, type LayerReport } from "./report.js";
export { programToGraph } from "./dequantise.js";
export type { Netlist, Layer, Projection, LinearOp, Csr } from "./netlist.js";
export type { Route, RouterTable, Routing } from "./passes/route.js";
export { lavaProgram, type LavaNetwork, type LavaLif, type LavaDense } from "./lava.js";
