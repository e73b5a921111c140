/**
 * Quantisation for the Xylo profile (lib/target/arith/xylo.ts): per chip layer one unit U
 * (model units per LSB of the 16-bit state), the finest at which the threshold, the bias and
 * every 8-bit weight fit (weight shifts 0, Rockpool's mapper default); dashes as Rockpool
 * computes them, round-half-even(log2(tau / dt)). Xylo decays a current in the step its input
 * arrives (i = (i + x) decayed), where the Graph's update adds x after the decay, so each weight
 * is divided by its destination current's decay 1 - 2^-dash: the current then holds what the
 * Graph's would. Nothing saturates at compile time.
 */
import { IssueList } from "../../ir/errors.js";
import type { Projection } from "../netlist.js";
import type { CompileState, DiscreteLayer, QuantLayer } from "../state.js";
import { storedWeights } from "./quantise.js";
import { roundHalfEven } from "./rules.js";

const STATE_MAX = 2 ** 15 - 1, W_MAX = 127;

/** The dash of a per-step decay factor d = 1 - dt/tau: round-half-even(log2(tau/dt)). */
function dashOf(d: number): number {
  return roundHalfEven(Math.log2(1 / (1 - d)));
}

/** Quantises every chip neuron layer for a Xylo-profile target. */
export function quantiseXylo(s: CompileState): CompileState {
  const issues = new IssueList(), quant: Record<string, QuantLayer> = {};
  const projections = s.netlist!.projections.map((p) => ({ ...p }));
  for (const l of s.netlist!.layers) {
    if (l.kind !== "neuron" || l.host) continue;
    const d = s.discrete![l.name], mine = projections.filter((p) => p.dst === l.name);
    if (!d.decayI.length) {
      issues.add("xylo-model", [l.name], `${l.name} has no synaptic current; every Xylo neuron integrates through one or two (use a CubaLIF)`);
      continue;
    }
    const bias = membraneBias(l.name, d, mine, issues);
    const dv = Int32Array.from(d.decayV, dashOf), di = d.decayI.map((x) => Int32Array.from(x, dashOf));
    const weights = new Map(mine.map((p) => [p, compensated(p, di[p.port])]));
    const maxW = Math.max(0, ...mine.map((p) => maxAbs(weights.get(p)!)));
    const T = Math.max(0, ...Array.from(d.threshold).filter(Number.isFinite));
    const U = Math.max(T / STATE_MAX, maxW / W_MAX, maxAbs(bias) / STATE_MAX) || 1;
    let err = 0, norm = 0;
    for (const p of mine) {
      const w = weights.get(p)!;
      p.qweight = Int32Array.from(w, (x) => Math.round(x / U));
      p.scale = U;
      p.weightExp = 0;
      p.bias = undefined; p.qbias = undefined; // folded into the layer's bias
      for (let k = 0; k < w.length; k++) { const e = w[k] - p.qweight[k] * U; err += e * e; norm += w[k] * w[k]; }
    }
    const decayError = Math.max(...[d.decayV, ...d.decayI].flatMap((x, q) => Array.from(x, (f, k) => Math.abs(1 - 2 ** -(q === 0 ? dv[k] : di[q - 1][k]) - f))));
    quant[l.name] = {
      scale: U, decayV: dv, decayI: di,
      threshold: Int32Array.from(d.threshold, (x) => (Number.isFinite(x) ? Math.round(x / U) : STATE_MAX)),
      vReset: new Int32Array(l.size), vRest: new Int32Array(l.size), bias: Int32Array.from(bias, (b) => Math.round(b / U)),
      weightError: norm > 0 ? Math.sqrt(err / norm) : 0, decayError,
    };
  }
  issues.throwIfAny();
  return { ...s, quant, netlist: { ...s.netlist!, projections } };
}

/** A projection's weights divided by the decay its post neuron's current applies in the step they arrive. */
function compensated(p: Projection, dash: Int32Array): Float64Array {
  const w = storedWeights(p), post = p.csr?.indices;
  if (!post) throw new Error(`internal: ${p.name} reaches the Xylo quantiser unexpanded`);
  return Float64Array.from(w, (x, k) => x / (1 - 2 ** -dash[post[k]]));
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  return m;
}

/** The pull towards v_leak as Xylo's bias on v; a constant input into a current has no Xylo field. */
function membraneBias(name: string, d: DiscreteLayer, mine: Projection[], issues: IssueList): Float64Array {
  const b = Float64Array.from(d.decayV, (f, k) => (1 - f) * d.vRest[k]);
  if ([d.bias, ...mine.map((p) => p.bias)].some((x) => x?.some((y) => y !== 0)))
    issues.add("xylo-bias", [name, "bias"], `${name} receives a constant input into its synaptic current; Xylo's bias adds to v, not to a current: give it as v_leak on ${name}, or drop it`);
  return b;
}
