/**
 * Quantisation for the Loihi profile (lib/target/arith/loihi.ts): per chip layer one unit U
 * (model units per LSB of v), the finest that lets the threshold, every weight (an 8-bit
 * mantissa with a per-projection exponent) and the bias fit their fields; decays as Loihi's
 * multipliers (4095 - du for u, 4096 - dv for v); v_leak and a membrane bias as the
 * compartment's bias (mantissa << exponent). What the chip cannot hold is refused with the
 * field, node, value and limit; nothing is wrapped or clipped.
 */
import { IssueList } from "../../ir/errors.js";
import { effectiveWeights, LOIHI_FIELDS, signModeOf } from "../../target/arith/loihi.js";
import type { Projection } from "../netlist.js";
import type { CompileState, DiscreteLayer, QuantLayer } from "../state.js";
import { storedWeights } from "./quantise.js";

const VTH_MAX = LOIHI_FIELDS.vth.max, W_MAX = 254, EXP_MAX = LOIHI_FIELDS.weightExp.max, EXP_MIN = LOIHI_FIELDS.weightExp.min;
const BIAS_MAX = LOIHI_FIELDS.biasMant.max * 2 ** LOIHI_FIELDS.biasExp.max;

/** Quantises every chip neuron layer for a Loihi-profile target. */
export function quantiseLoihi(s: CompileState): CompileState {
  const issues = new IssueList(), dt = s.options.dt, quant: Record<string, QuantLayer> = {};
  const projections = s.netlist!.projections.map((p) => ({ ...p }));
  for (const l of s.netlist!.layers) {
    if (l.kind !== "neuron" || l.host) continue;
    const d = s.discrete![l.name], mine = projections.filter((p) => p.dst === l.name);
    const n = l.size, before = issues.issues.length;
    const uf = currentFactors(l.name, d, dt, issues), vf = voltageFactors(l.name, d, dt, issues);
    const bias = membraneBias(l.name, d, mine, uf, issues);
    checkResets(l.name, d, s.options.reset, issues);
    for (const p of mine) checkDelays(p, issues);
    if (issues.issues.length > before) continue;
    const maxW = Math.max(0, ...mine.map((p) => maxAbs(storedWeights(p))));
    const T = Math.max(0, ...Array.from(d.threshold).filter(Number.isFinite));
    // Headroom: one step in which every presynaptic neuron spikes stays within 2^21 of u's 2^23.
    const U = Math.max(T / (64 * VTH_MAX), maxW / (64 * W_MAX * 2 ** EXP_MAX), maxAbs(bias) / BIAS_MAX, maxRowSum(mine, n) / 2 ** 21) || 1;
    let err = 0, norm = 0;
    for (const p of mine) {
      const w = storedWeights(p), m = maxAbs(w);
      const e = m > 0 ? Math.min(EXP_MAX, Math.max(EXP_MIN, Math.ceil(Math.log2(m / (U * 64 * W_MAX))))) : 0;
      const unit = U * 2 ** (6 + e);
      const mixed = signModeOf(w) === "MIXED", step = mixed ? 2 : 1;
      p.qweight = Int32Array.from(w, (x) => step * Math.round(x / (unit * step)));
      // By construction Lava's own preparation leaves these codes as they are.
      const lava = effectiveWeights(p.qweight, 8, mixed ? "MIXED" : undefined);
      if (lava.some((x, k) => x !== p.qweight![k])) throw new Error(`internal: ${p.name}'s Loihi weights change under Lava's preparation`);
      p.scale = unit;
      p.weightExp = e;
      p.bias = undefined; p.qbias = undefined; // folded into the layer's bias
      for (let k = 0; k < w.length; k++) { const x = w[k] - p.qweight[k] * unit; err += x * x; norm += w[k] * w[k]; }
    }
    const threshold = Int32Array.from(d.threshold, (x) => 64 * (Number.isFinite(x) ? Math.round(x / (64 * U)) : VTH_MAX));
    quant[l.name] = {
      scale: U, decayV: vf, decayI: [uf], threshold, vReset: new Int32Array(n), vRest: new Int32Array(n),
      bias: Int32Array.from(bias, (b) => biasCode(b / U)),
      weightError: norm > 0 ? Math.sqrt(err / norm) : 0,
      decayError: Math.max(decayError(vf, d.decayV), d.decayI.length ? decayError(uf, d.decayI[0]) : 0),
    };
  }
  issues.throwIfAny();
  return { ...s, quant, netlist: { ...s.netlist!, projections } };
}

/** A layer's Loihi fields in one line (a range where neurons differ), for the resource report. */
export function loihiCodes(q: QuantLayer, into: Projection[]): string {
  const span = (a: ArrayLike<number>, f: (x: number) => number = (x) => x) => {
    const v = Array.from(a, f), lo = Math.min(...v), hi = Math.max(...v);
    return lo === hi ? `${lo}` : `${lo}..${hi}`;
  };
  const exps = into.map((p) => `${p.name}=${p.weightExp ?? 0}`).join(", ");
  return `du ${span(q.decayI[0], (f) => 4095 - f)}, dv ${span(q.decayV, (f) => 4096 - f)}, vth ${span(q.threshold, (x) => x / 64)}, ` +
    `bias ${span(q.bias)}, weight_exp ${exps || "-"}; one LSB of v = ${q.scale.toPrecision(4)} model units`;
}

/** The largest sum of |weight| into one neuron over every incoming projection. */
function maxRowSum(mine: Projection[], n: number): number {
  const sum = new Float64Array(n);
  for (const p of mine) {
    if (!p.csr) return 0; // Loihi expands every convolution; nothing else reaches here
    for (let m = 0; m < p.csr.indices.length; m++) sum[p.csr.indices[m]] += Math.abs(p.csr.weight[m]);
  }
  return maxAbs(sum);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  return m;
}

/** The nearest bias Loihi holds, mantissa << exponent with the smallest exponent that fits. */
export function biasCode(b: number): number {
  for (let e = 0; e <= LOIHI_FIELDS.biasExp.max; e++) {
    const m = Math.round(b / 2 ** e);
    if (m >= LOIHI_FIELDS.biasMant.min && m <= LOIHI_FIELDS.biasMant.max) return m * 2 ** e;
  }
  throw new Error(`internal: bias ${b} beyond the range its unit was chosen for`);
}

function decayError(codes: Int32Array, d: Float64Array): number {
  let e = 0;
  for (let k = 0; k < codes.length; k++) e = Math.max(e, Math.abs(codes[k] / 4096 - d[k]));
  return e;
}

/** u's multipliers 4095 - du: a model without a synaptic current gets du = 4095 (u is the step's input). */
function currentFactors(name: string, d: DiscreteLayer, dt: number, issues: IssueList): Int32Array {
  if (d.decayI.length > 1) issues.add("loihi-ports", [name], `${name} has ${d.decayI.length} synaptic currents; a Loihi compartment has one (u)`);
  if (!d.decayI.length) return new Int32Array(d.decayV.length);
  return Int32Array.from(d.decayI[0], (x) => {
    const f = Math.round(4096 * x);
    if (f > 4095) issues.add("field-range", [name, "tau_syn"], `${name}: tau_syn ${(dt / (1 - x)).toPrecision(4)} s at dt ${dt} s needs current decay du ${4095 - f}; Loihi's du is 0..4095 (u always decays by at least 1/4096 per step), so tau_syn can be at most ${(4096 * dt).toPrecision(4)} s at this dt`);
    else if (f < 0) issues.add("field-range", [name, "tau_syn"], `${name}: tau_syn ${(dt / (1 - x)).toPrecision(4)} s is too short for dt ${dt} s (du ${4095 - f}; Loihi's du is 0..4095): use tau_syn >= dt`);
    return f;
  });
}

/** v's multipliers 4096 - dv. */
function voltageFactors(name: string, d: DiscreteLayer, dt: number, issues: IssueList): Int32Array {
  return Int32Array.from(d.decayV, (x) => {
    const f = Math.round(4096 * x);
    if (f < 1) issues.add("field-range", [name, "tau"], `${name}: tau ${(dt / (1 - x)).toPrecision(4)} s at dt ${dt} s needs voltage decay dv ${4096 - f}; Loihi's dv is 0..4095, so tau must exceed about ${(dt * 4096 / 4095).toPrecision(4)} s (or use a smaller dt)`);
    return Math.min(f, 4096);
  });
}

/**
 * The compartment's bias in model units per step: the pull towards v_leak ((1 - decay) v_leak)
 * plus, where u carries no memory (du = 4095), constant inputs (a layer's or a projection's
 * bias). A constant input into a decaying current has no Loihi field (the chip's bias adds
 * to v), so it is refused.
 */
function membraneBias(name: string, d: DiscreteLayer, mine: Projection[], uf: Int32Array, issues: IssueList): Float64Array {
  const n = d.decayV.length, b = new Float64Array(n);
  for (let k = 0; k < n; k++) b[k] = (1 - d.decayV[k]) * d.vRest[k];
  const inputs = [d.bias, ...mine.filter((p) => p.bias).map((p) => p.bias!)];
  for (const p of mine) if (p.bias && p.recurrent) issues.add("loihi-bias", [name, p.name], `${p.name} carries a bias around a recurrent edge into ${name}, which the reference applies from step 1; Loihi's bias acts from step 0: move the bias to the neuron (v_leak) or drop it`);
  for (const x of inputs) for (let k = 0; k < n; k++) {
    if (x[k] === 0) continue;
    if (uf[k] !== 0) {
      issues.add("loihi-bias", [name, "bias"], `${name} receives a constant input (bias ${x[k].toPrecision(4)} per step) into its synaptic current; Loihi adds its bias to v, not to u: give the bias as v_leak on ${name}, or use a LIF without a synaptic current`);
      return b;
    }
    b[k] += x[k];
  }
  return b;
}

function checkResets(name: string, d: DiscreteLayer, reset: "zero" | "subtract", issues: IssueList): void {
  if (reset !== "zero") return;
  const k = d.vReset.findIndex((x) => x !== 0);
  if (k >= 0) issues.add("field-range", [name, "v_reset"], `${name}: v_reset is ${d.vReset[k]}; a Loihi compartment resets v to 0: shift v_leak, v_threshold and v_reset by ${-d.vReset[k]} so that v_reset is 0`);
}

function checkDelays(p: Projection, issues: IssueList): void {
  const delay = p.csr?.delay;
  if (!delay) return;
  const max = Math.max(0, ...delay), lim = LOIHI_FIELDS.delay.max;
  if (max > lim) issues.add("field-range", [p.name, "delay"], `${p.name}: a synaptic delay of ${max} steps; Loihi holds ${LOIHI_FIELDS.delay.what} up to ${lim} steps: use a larger dt or shorter delays`);
}
