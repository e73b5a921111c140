/**
 * The compiler: Graph + Target -> Program, as a list of named pure passes read top to
 * bottom. Between passes the invariants of whatever the state holds are checked (the Graph
 * validator while it is a Graph, the netlist checks after fusion).
 */
import type { Graph } from "../ir/graph.js";
import { validateGraph } from "../ir/validate.js";
import type { Target } from "../target/types.js";
import { resolveTarget } from "../target/registry.js";
import { checkNetlist } from "./netlist.js";
import type { Program } from "./program.js";
import type { CompileOptions, CompileState, ResolvedCompileOptions } from "./state.js";
import { normalise, validate } from "./passes/normalise.js";
import { fuse } from "./passes/fuse.js";
import { assignPartitions } from "./passes/support.js";
import { lower } from "./passes/lower.js";
import { checkRules } from "./passes/rules.js";
import { discretise } from "./passes/discretise.js";
import { quantise } from "./passes/quantise.js";
import { partition } from "./passes/partition.js";
import { place } from "./passes/place.js";
import { route } from "./passes/route.js";
import { emit } from "./passes/emit.js";

/** A named pure step of the pipeline. */
export interface Pass {
  name: string;
  run: (s: CompileState) => CompileState;
}

/** The pipeline, in order. */
export const passes: Pass[] = [
  { name: "validate", run: validate },             // fields, edges, shapes, loops; flatten nested graphs
  { name: "normalise", run: normalise },           // Linear -> Affine, AvgPool -> SumPool + Scale
  { name: "fuse", run: fuse },                     // neurons -> layers, linear paths -> projections, biases folded
  { name: "partition-host", run: assignPartitions }, // unsupported models / readouts -> host (or fail)
  { name: "lower", run: lower },                   // convolutions: expand to CSR or keep weight-shared
  { name: "rules", run: checkRules },              // chip limits and the target's design rules
  { name: "discretise", run: discretise },         // dt -> decays; input gains folded into weights
  { name: "quantise", run: quantise },             // target bit widths; per-layer error
  { name: "partition", run: partition },           // layers -> core-sized slices within limits
  { name: "place", run: place },                   // slices -> cores (greedy or optimising)
  { name: "route", run: route },                   // multicast trees, tables, hops
  { name: "emit", run: emit },                     // the Program and its report
];

/** Compiles a graph for a target (a registered name, a .json path or a Target object). */
export function compile(graph: Graph, target: string | Target, options: CompileOptions = {}): Program {
  return compileState(graph, target, options).program!;
}

/** Runs every pass (checked as `compile` checks them) and returns the final state: the Program and what led to it. */
export function compileState(graph: Graph, target: string | Target, options: CompileOptions = {}): CompileState {
  let s = initialState(graph, typeof target === "string" ? resolveTarget(target) : resolveTarget(target), options);
  for (const p of passes) {
    s = p.run(s);
    if (s.options.check) checkState(s);
  }
  return s;
}

/** Runs the passes up to and including `last` (for tests and the magics). */
export function compileUntil(graph: Graph, target: Target, options: CompileOptions, last: string): CompileState {
  let s = initialState(graph, target, options);
  for (const p of passes) { s = p.run(s); if (p.name === last) break; }
  return s;
}

function initialState(graph: Graph, target: Target, o: CompileOptions): CompileState {
  const options: ResolvedCompileOptions = {
    dt: o.dt ?? 1e-4, seed: o.seed ?? 0, placer: o.placer ?? "optimise", allowHost: o.allowHost ?? false,
    reset: o.reset ?? target.resets[0], lowering: o.lowering ?? "auto", connectivity: o.connectivity ?? "auto", check: o.check ?? true, spikeCounts: o.spikeCounts,
  };
  return { graph, target, options };
}

/** The validator between passes. */
function checkState(s: CompileState): void {
  if (!s.netlist) validateGraph(s.graph);
  else checkNetlist(s.netlist);
}
