/** The kernel interface: one node compiled to a step function over preallocated buffers. */
import type { IssueList } from "../../errors.js";
import type { Node } from "../../graph.js";
import type { Buf } from "../types.js";

/** Everything a kernel factory needs; buffers are [B, N] flat, in the simulation's dtype. */
export interface KernelContext<N extends Node = Node> {
  name: string;
  node: N;
  batch: number;
  dt: number;
  dtype: "float64" | "float32";
  integrator: "euler" | "exact";
  reset: "zero" | "subtract";
  spikes: "single" | "multiple";
  current: "previous" | "updated";
  /** Per-sample input and output shapes. */
  inShape: number[];
  outShape: number[];
  /** One summed input buffer per port (B * numel(inShape)); read-only for the kernel. */
  inputs: Buf[];
  /** The node's output buffer (B * numel(outShape)); the kernel writes it every step. */
  out: Buf;
  /** Input nodes only: writes sample t of the external input into `out`. */
  source?: (t: number, out: Buf) => void;
  /** Parameter problems go here; the plan throws them all at once. */
  issues: IssueList;
}

/** A compiled node: `step(t)` reads `inputs`, updates state and writes `out`. */
export interface Kernel {
  step(t: number): void;
  /** Recordable state variables (v, i, i0, ...), each [B, N]. */
  state: Record<string, Buf>;
}

/** Builds the kernel of one node type. */
export type KernelFactory<N extends Node = Node> = (ctx: KernelContext<N>) => Kernel;
