/** The reference simulator: simulate a Graph in discrete time (see simulate.ts for the semantics). */
export { simulate, simulateAsync, SimAbortError } from "./simulate.js";
export { columns, type SimColumn } from "./columns.js";
export type { Buf, DenseInput, EventInput, NodeInput, SimInit, SimInput, SimOptions, SimResult, SpikeList, StreamInput } from "./types.js";
