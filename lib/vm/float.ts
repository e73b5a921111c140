/**
 * Float targets. The compiler quantises every chip layer, whatever `arithmetic.fixedPoint`
 * says; `floatProgram` compiles for a float target and puts the discretised float64
 * parameters and weights back (same placement and routing), which the VM then runs in float64.
 */
import { PhasorError } from "../ir/errors.js";
import type { Graph } from "../ir/graph.js";
import type { Target } from "../target/types.js";
import { genericMesh, type GenericMeshParams } from "../target/presets/generic.js";
import { compileState } from "../compiler/pipeline.js";
import type { CompileOptions } from "../compiler/state.js";
import type { Program } from "../compiler/program.js";
import { storedWeights } from "../compiler/passes/quantise.js";

/** generic-mesh with float64 arithmetic ("generic-mesh-float"). */
export function genericMeshFloat(p: GenericMeshParams = {}): Target {
  const t = genericMesh({ name: "generic-mesh-float", ...p });
  return { ...t, description: t.description + "; float64 arithmetic", arithmetic: { ...t.arithmetic, weightBits: 32, stateBits: 64, fixedPoint: false } };
}

/** Compiles `graph` for a float target and restores float64 parameters and weights in the Program. */
export function floatProgram(graph: Graph, target: Target = genericMeshFloat(), options: CompileOptions = {}): Program {
  if (target.arithmetic.fixedPoint) throw new PhasorError(`floatProgram needs a float target; ${target.name} is fixed-point`, "target");
  const narrow = { ...target, arithmetic: { ...target.arithmetic, weightBits: Math.min(target.arithmetic.weightBits, 16), stateBits: Math.min(target.arithmetic.stateBits, 32) } };
  // One compilation: its final state holds the Program and the discretised float64 values it replaces.
  const s = compileState(graph, narrow, options), p = s.program!;
  const blobs = { ...p.blobs };
  const layers = p.layers.map((l) => {
    const d = s.discrete?.[l.name];
    if (!l.params || !d || l.partition !== "chip") return l;
    const pr = l.params;
    blobs[pr.decayV] = d.decayV; pr.decayI.forEach((b, i) => (blobs[b] = d.decayI[i]));
    blobs[pr.threshold] = d.threshold; blobs[pr.vReset] = d.vReset; blobs[pr.vRest] = d.vRest; blobs[pr.bias] = d.bias;
    return { ...l, params: { ...pr, scale: 1 } };
  });
  const projections = p.projections.map((pr) => {
    const src = s.netlist!.projections.find((x) => x.name === pr.name);
    if (!src || pr.partition === "host") return pr;
    // The netlist's own discretised array (no copy: the state it belongs to is dropped on return).
    if (!pr.procedural) blobs[pr.csr ? pr.csr.weight : pr.conv!.weight] = storedWeights(src);
    if (pr.bias && src.bias) blobs[pr.bias] = Float64Array.from(src.bias);
    return { ...pr, scale: 1, ...(pr.procedural ? { procedural: { ...pr.procedural, codes: false } } : {}) };
  });
  return { ...p, target, layers, projections, blobs };
}
