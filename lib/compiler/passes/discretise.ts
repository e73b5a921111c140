/**
 * Discretisation at dt (forward Euler, as the reference simulator): decays 1 - dt/tau, and
 * the input gains (dt r / tau, dt w_in / tau_syn) folded into the synaptic weights so the
 * state update is v = decay v + (1 - decay) v_rest + input.
 */
import type { Node, Tensor } from "../../ir/graph.js";
import type { Layer, Projection } from "../netlist.js";
import { composeCsr } from "../ops.js";
import type { CompileState, DiscreteLayer } from "../state.js";

/** A per-neuron parameter (scalars broadcast); `dflt` when the field is absent. */
export function param(node: Node, field: string, size: number, dflt = 0): Float64Array {
  const t = (node as unknown as Record<string, Tensor | undefined>)[field];
  const out = new Float64Array(size);
  if (!t) return out.fill(dflt);
  for (let i = 0; i < size; i++) out[i] = t.data.length === 1 ? t.data[0] : t.data[i % t.data.length];
  return out;
}

/** Decays, thresholds, resets, rests, per-step biases and gains of one layer; `gains[p]` multiplies port p's weights. */
export function discreteLayer(l: Layer, dt: number): { d: DiscreteLayer; gains: Float64Array[] } {
  const n = l.size, node = l.node!;
  const ones = new Float64Array(n).fill(1);
  const r = param(node, "r", n, 1);
  const leaky = "tau" in node || "tau_mem" in node;
  const tau = leaky ? param(node, "tau" in node ? "tau" : "tau_mem", n, 1) : ones;
  const decayV = leaky ? tau.map((x) => 1 - dt / x) : ones.slice();
  const gV = r.map((ri, i) => (leaky ? (dt * ri) / tau[i] : dt * ri));
  const d: DiscreteLayer = {
    decayV, decayI: [],
    threshold: "v_threshold" in node ? param(node, "v_threshold", n) : new Float64Array(n).fill(Infinity),
    vReset: param(node, "v_reset", n), vRest: leaky ? param(node, "v_leak", n) : new Float64Array(n),
    bias: new Float64Array(n), refractory: Int32Array.from(param(node, "t_ref", n), (x) => Math.round(x / dt)),
  };
  if (node.type === "CubaLIF" || node.type === "CubaLI" || node.type === "MultiCubaLIF") {
    const ports = node.type === "MultiCubaLIF" ? node.tau_syn.shape[0] : 1;
    const gains: Float64Array[] = [];
    for (let p = 0; p < ports; p++) {
      const ts = node.type === "MultiCubaLIF" ? portSlice(node.tau_syn, p, n) : param(node, "tau_syn", n, 1);
      const win = node.type === "MultiCubaLIF" ? new Float64Array(n).fill(1) : param(node, "w_in", n, 1);
      d.decayI.push(ts.map((x) => 1 - dt / x));
      gains.push(ts.map((x, i) => ((dt * win[i]) / x) * gV[i]));
    }
    for (let i = 0; i < n; i++) d.bias[i] = l.bias[i] * gains[0][i];
    return { d, gains };
  }
  for (let i = 0; i < n; i++) d.bias[i] = l.bias[i] * gV[i];
  return { d, gains: [gV] };
}

function portSlice(t: Tensor, p: number, n: number): Float64Array {
  const per = t.data.length / t.shape[0];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = t.data[p * per + (per === 1 ? 0 : i % per)];
  return out;
}

/** Discretises every chip or host neuron layer and scales incoming weights by the destination's gain. */
export function discretise(s: CompileState): CompileState {
  const dt = s.options.dt;
  const discrete: Record<string, DiscreteLayer> = {};
  const gains = new Map<string, Float64Array[]>();
  for (const l of s.netlist!.layers) {
    if (l.kind !== "neuron") continue;
    const r = discreteLayer(l, dt);
    discrete[l.name] = r.d;
    gains.set(l.name, r.gains);
  }
  const sizes = new Map(s.netlist!.layers.map((l) => [l.name, l.size]));
  const projections = s.netlist!.projections.map((p) => scaleProjection(p, gains.get(p.dst)?.[p.port], sizes.get(p.src)!, dt));
  return { ...s, discrete, netlist: { ...s.netlist!, projections } };
}

/** Per-synapse delays in seconds as whole steps, written straight into the result (no temporary). */
export function delaySteps(seconds: ArrayLike<number>, dt: number): Int32Array {
  const out = new Int32Array(seconds.length);
  for (let k = 0; k < out.length; k++) out[k] = Math.round(seconds[k] / dt);
  return out;
}

function scaleProjection(p: Projection, gain: Float64Array | undefined, nIn: number, dt: number): Projection {
  const out: Projection = { ...p };
  // A carried bias enters the destination's port like the weights do: times the port's gain.
  if (p.bias) out.bias = gain ? p.bias.map((b, i) => b * gain[i]) : p.bias.slice();
  if (p.csr) {
    const c = p.csr;
    const weight = gain ? c.weight.map((w, k) => w * gain[c.indices[k]]) : c.weight.slice();
    // A rule materialised by lowering arrives with its delays in steps already (lower.ts).
    out.csr = { ...c, weight, delay: p.delaySeconds ? delaySteps(p.delaySeconds, dt) : c.delay };
    return out;
  }
  // A procedural projection kept as its rule: its largest weight times the port's largest gain bounds every discretised weight.
  if (p.ruleStats && gain) { out.ruleStats = { ...p.ruleStats, maxAbsWeight: p.ruleStats.maxAbsWeight * gain.reduce((a, g) => Math.max(a, Math.abs(g)), 0) }; return out; }
  const conv = p.ops[p.ops.length - 1];
  if (!gain || conv.kind !== "conv") return out;
  const F = conv.outShape[0], per = gain.length / F;
  const uniform = Array.from({ length: F }, (_, f) => gain.subarray(f * per, (f + 1) * per).every((g) => Math.abs(g - gain[f * per]) <= 1e-12 * Math.abs(g)));
  if (!uniform.every(Boolean)) return scaleProjection({ ...p, csr: composeCsr(p.ops, nIn) }, gain, nIn, dt); // scales p.bias itself
  const k = conv.weight.length / F;
  const weight = Float64Array.from(conv.weight, (w, i) => w * gain[Math.floor(i / k) * per]);
  out.ops = [...p.ops.slice(0, -1), { ...conv, weight }];
  return out;
}
