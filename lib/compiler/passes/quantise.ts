/**
 * Quantisation to the target's bit widths. Per destination layer, one scale (model units per
 * LSB) serves its weights and its state (threshold, reset, rest, bias), so the chip adds
 * integer weights to integer state. Decays become multipliers over 2^decayBits or shifts.
 */
import { IssueList } from "../../ir/errors.js";
import type { Target } from "../../target/types.js";
import type { Projection } from "../netlist.js";
import type { CompileState, DiscreteLayer, QuantLayer } from "../state.js";
import { quantiseLoihi } from "./quantise-loihi.js";
import { quantiseXylo } from "./quantise-xylo.js";

/** Weights of a projection in the order they are stored (CSR, or the kept convolution kernel). */
export function storedWeights(p: Projection): Float64Array {
  if (p.csr) return p.csr.weight;
  const conv = p.ops[p.ops.length - 1];
  return conv.kind === "conv" ? Float64Array.from(conv.weight) : new Float64Array(0);
}

/** The value a decay code stands for. */
export function decayValue(t: Target, code: number): number {
  if (t.arithmetic.decay === "multiply") return code / 2 ** t.arithmetic.decayBits!;
  if (t.arithmetic.decay === "shift") return 1 - 2 ** -code;
  return 1;
}

/** Quantises every chip layer; host layers keep float parameters. */
export function quantise(s: CompileState): CompileState {
  if (s.target.arithmetic.profile === "loihi") return quantiseLoihi(s);
  if (s.target.arithmetic.profile === "xylo") return quantiseXylo(s);
  const t = s.target, issues = new IssueList();
  const qmax = 2 ** (t.arithmetic.weightBits - 1) - 1, smax = 2 ** (t.arithmetic.stateBits - 1) - 1;
  const quant: Record<string, QuantLayer> = {};
  const projections = s.netlist!.projections.map((p) => ({ ...p }));
  for (const l of s.netlist!.layers) {
    if (l.kind !== "neuron" || l.host) continue;
    const d = s.discrete![l.name];
    const mine = projections.filter((p) => p.dst === l.name);
    let maxAbs = 0;
    for (const p of mine) for (const w of storedWeights(p)) maxAbs = Math.max(maxAbs, Math.abs(w));
    for (const p of mine) if (p.ruleStats) maxAbs = Math.max(maxAbs, p.ruleStats.maxAbsWeight); // weights of a rule (not stored)
    const scale = maxAbs > 0 ? maxAbs / qmax : 1;
    let err = 0, norm = 0, refused = false;
    for (const p of mine) {
      const w = storedWeights(p);
      // Written in place (Int32Array.from with a map function holds a temporary list of every synapse).
      const q = (p.qweight = new Int32Array(w.length));
      p.scale = scale;
      for (let k = 0; k < w.length; k++) {
        q[k] = Math.round(w[k] / scale);
        const e = w[k] - q[k] * scale;
        err += e * e; norm += w[k] * w[k];
      }
    }
    // A value the state cannot hold is refused, never clipped (an infinite threshold is "never spikes").
    const state = (x: Float64Array, field: string) => Int32Array.from(x, (v) => {
      const q = Number.isFinite(v) ? Math.round(v / scale) : Math.sign(v) * smax;
      if (Math.abs(q) > smax && !refused && (refused = true)) issues.add("field-range", [l.name, field],
        `${l.name}: ${field} ${v.toPrecision(4)} needs code ${q} at ${scale.toPrecision(4)} per LSB (set by the largest weight); ` +
        `${t.name}'s ${t.arithmetic.stateBits}-bit state holds +-${smax}, so ${field} must stay within +-${(smax * scale).toPrecision(4)} ` +
        `at these weights (or scale the weights into ${l.name} up by ${Math.ceil(Math.abs(q) / smax)}x)`);
      return q;
    });
    // A bias carried by a projection is state added to the port: same scale and width as the layer's bias.
    for (const p of mine) if (p.bias) p.qbias = state(p.bias, "bias");
    const dv = decays(t, d.decayV, l.name, "tau", s.options.dt, issues);
    const di = d.decayI.map((x) => decays(t, x, l.name, "tau_syn", s.options.dt, issues));
    quant[l.name] = {
      scale, decayV: dv.codes, decayI: di.map((x) => x.codes),
      threshold: state(d.threshold, "v_threshold"), vReset: state(d.vReset, "v_reset"), vRest: state(d.vRest, "v_leak"), bias: state(d.bias, "bias"),
      weightError: norm > 0 ? Math.sqrt(err / norm) : 0, decayError: Math.max(dv.error, ...di.map((x) => x.error)),
    };
  }
  issues.throwIfAny();
  return { ...s, quant, netlist: { ...s.netlist!, projections } };
}

function decays(t: Target, d: Float64Array, layer: string, field: string, dt: number, issues: IssueList): { codes: Int32Array; error: number } {
  const a = t.arithmetic;
  let error = 0;
  const codes = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    let code = 0;
    if (a.decay === "multiply") code = Math.min(2 ** a.decayBits!, Math.max(0, Math.round(d[i] * 2 ** a.decayBits!)));
    // Stryker disable next-line ConditionalExpression: on a no-leak target every decay is 1, whose shift code is 0 as well
    else if (a.decay === "shift") {
      // Stryker disable next-line EqualityOperator: a decay of exactly 0 is shift code 0 either way (round(-log2 1) = 0)
      code = d[i] <= 0 ? 0 : Math.round(-Math.log2(1 - d[i]));
      if (code > a.maxShift!) {
        issues.add("decay-range", [layer, field], `${layer} needs dash ${code} (${field} ${(dt / (1 - d[i])).toPrecision(3)} s at dt ${dt} s); ${t.name} allows at most ${a.maxShift}`);
        // Stryker disable next-line ObjectLiteral: compile stops on the issue, so the value returned is never used
        return { codes, error: Infinity };
      }
    } // decay "none": the target schema admits only IF and I neurons there, whose decay is 1 (code 0 unused)
    codes[i] = code;
    error = Math.max(error, Math.abs(decayValue(t, code) - d[i]));
  }
  return { codes, error };
}

/** Dequantised state and decays of a layer (model units), for re-simulation. */
export function dequantLayer(t: Target, q: QuantLayer): DiscreteLayer {
  const f = (x: Int32Array) => Float64Array.from(x, (v) => v * q.scale);
  return {
    decayV: Float64Array.from(q.decayV, (c) => decayValue(t, c)),
    decayI: q.decayI.map((x) => Float64Array.from(x, (c) => decayValue(t, c))),
    threshold: f(q.threshold), vReset: f(q.vReset), vRest: f(q.vRest), bias: f(q.bias), refractory: new Int32Array(0),
  };
}
