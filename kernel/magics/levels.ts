/**
 * Threshold and reset levels for trace figures, in model units: from a Graph's spiking nodes
 * (%sim) or from a Program's layer parameters (%vm, %trace), and which Program a VM result came from.
 */
import type { Graph } from "../../lib/ir/graph.js";
import type { Program, ProgramLayer } from "../../lib/compiler/index.js";
import type { RunResult } from "../../lib/vm/index.js";

/** Per node or layer: one value, or one per neuron. Reset is absent when the reset subtracts the threshold. */
export interface TraceLevels {
  threshold: Record<string, number[]>;
  reset: Record<string, number[]>;
}

/** Levels of the Graph's nodes with a v_threshold; the reset is v_reset (0 when absent) unless `reset` subtracts. */
export function graphLevels(g: Graph, nodes: readonly string[], reset: "zero" | "subtract"): TraceLevels {
  const out: TraceLevels = { threshold: {}, reset: {} };
  for (const name of nodes) {
    const node = g.nodes[name] as SpikingFields | undefined;
    if (!node?.v_threshold) continue;
    out.threshold[name] = Array.from(node.v_threshold.data);
    if (reset === "zero") out.reset[name] = node.v_reset ? Array.from(node.v_reset.data) : [0];
  }
  return out;
}

/**
 * Levels of the Program's layers: chip codes times the layer's scale, float values as they are.
 * A threshold that cannot be reached (the state's largest code, or infinite) draws no line.
 */
export function programLevels(p: Program, layers: readonly string[]): TraceLevels {
  const out: TraceLevels = { threshold: {}, reset: {} };
  const top = 2 ** (p.target.arithmetic.stateBits - 1) - 1;
  for (const l of p.layers) {
    if (!layers.includes(l.name) || !l.params) continue;
    const th = modelUnits(p, l, l.params.threshold, top);
    if (th.some(Number.isFinite)) out.threshold[l.name] = th;
    if (p.options.reset === "zero") out.reset[l.name] = modelUnits(p, l, l.params.vReset, Infinity);
  }
  return out;
}

function modelUnits(p: Program, l: ProgramLayer, blob: string, top: number): number[] {
  const values = p.blobs[blob];
  if (!values) return [];
  const coded = values instanceof Int32Array;
  return Array.from(values, (v) => (coded && Math.abs(v) >= top ? Infinity : coded ? v * l.params!.scale : v));
}

/** The fields of a spiking node that set its levels. */
interface SpikingFields {
  v_threshold?: { data: ArrayLike<number> };
  v_reset?: { data: ArrayLike<number> };
}

const programs = new WeakMap<RunResult, Program>();

/** Remembers the Program a VM result was run from, so that %trace can draw its levels. */
export function noteProgram(r: RunResult, p: Program): void {
  programs.set(r, p);
}

/** The Program a VM result was run from, when this kernel ran it. */
export function programOfRun(r: RunResult): Program | undefined {
  return programs.get(r);
}
