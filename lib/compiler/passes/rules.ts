/**
 * Design rules: chip-level limits (inputs, outputs, hidden, fan-out) and each target family's
 * rule set, all issues reported at once. Xylo's rules are those of Rockpool's mapper and
 * documentation (rockpool/devices/xylo/syns61201); Speck's those of Sinabs' dynapcnn backend
 * (sinabs/backend/dynapcnn). docs/targets.md lists each rule with its source.
 */
import { IssueList } from "../../ir/errors.js";
import type { Tensor } from "../../ir/graph.js";
import type { Target } from "../../target/types.js";
import type { Layer, Netlist, Projection } from "../netlist.js";
import type { CompileState } from "../state.js";
import { speckLayerMemory, type SpeckLayer } from "./speck-memory.js";

/** What a rule sees: the netlist, the target, the time step. */
interface RuleContext { n: Netlist; t: Target; dt: number; issues: IssueList }
type Rule = (c: RuleContext) => void;

/** Rule sets by name, as a Target lists them. */
export const ruleSets: Record<Target["rules"][number], Rule[]> = {
  xylo: [xyloWeightsFirst, xyloInputsFeedHidden, xyloOutputsNotRecurrent, xyloOutputsFeedNothing, xyloTwoLayers,
    xyloOutputSynapses, xyloRecurrentFanOut, xyloDash],
  speck: [speckLayers, speckLayerFanOut],
  truenorth: [],
};

/** Applies the chip limits and the target's rule sets to the chip partition. */
export function checkRules(s: CompileState): CompileState {
  const t = s.target, n = s.netlist!, issues = new IssueList();
  chipLimits(n, t, issues);
  // The target schema admits only the sets named in ruleSets.
  for (const set of t.rules) for (const rule of ruleSets[set]) rule({ n, t, dt: s.options.dt, issues });
  issues.throwIfAny();
  return s;
}

const chip = (n: Netlist) => n.layers.filter((l) => !l.host);
const into = (n: Netlist, l: Layer) => n.projections.filter((p) => p.dst === l.name);
const layerOf = (n: Netlist, name: string) => n.layers.find((l) => l.name === name)!;
const isChipNeuron = (l: Layer) => l.kind === "neuron" && !l.host;
/** Xylo's hidden neurons: chip neurons that feed no graph Output (Rockpool makes those the output neurons). */
const isHidden = (l: Layer) => isChipNeuron(l) && !l.output;
const portsOf = (l: Layer) => (l.node?.type === "MultiCubaLIF" ? l.node.tau_syn.shape[0] : 1);
const names = (ls: Layer[]) => ls.map((l) => l.name).join(", ");

/** Chip-level limits: inputs, outputs, hidden neurons, currents per neuron, neuron fan-out (where synapses are expanded). */
export function chipLimits(n: Netlist, t: Target, issues: IssueList): void {
  const L = t.limits;
  const inputs = chip(n).filter((l) => l.kind === "input" && n.projections.some((p) => p.src === l.name && !layerOf(n, p.dst).host));
  const nIn = inputs.reduce((a, l) => a + l.size, 0);
  if (nIn > (L.inputs ?? Infinity)) issues.add("too-many-inputs", [inputs.map((l) => l.name).join(",")],
    `${names(inputs)} needs ${nIn} input channels; ${t.name} allows ${L.inputs} inputs`);
  const neurons = chip(n).filter((l) => l.kind === "neuron");
  const outs = neurons.filter((l) => l.output), hidden = neurons.filter((l) => !l.output);
  const sum = (ls: Layer[]) => ls.reduce((a, l) => a + l.size, 0);
  if (sum(outs) > (L.outputs ?? Infinity)) issues.add("too-many-outputs", [outs.map((l) => l.name).join(",")],
    `output layer(s) ${names(outs)} need ${sum(outs)} output neurons; ${t.name} allows ${L.outputs}`);
  if (sum(hidden) > (L.hidden ?? Infinity)) issues.add("too-many-neurons", [hidden.map((l) => l.name).join(",")],
    `hidden layers ${names(hidden)} need ${sum(hidden)} neurons; ${t.name} allows ${L.hidden} hidden neurons`);
  for (const l of neurons) {
    if (portsOf(l) > (L.synapsesPerNeuron ?? Infinity)) issues.add("too-many-currents", [l.name],
      `${l.name} needs ${portsOf(l)} synaptic currents; ${t.name} allows ${L.synapsesPerNeuron}`);
  }
  // Stryker disable next-line ConditionalExpression: with no limit every count compares false (x > undefined); the guard saves the count
  if (L.neuronFanOut !== undefined) for (const l of neurons) neuronFanOut(n, t, l, L.neuronFanOut, issues);
}

/** Every target of every neuron counts (TrueNorth's axon fan-out). */
function neuronFanOut(n: Netlist, t: Target, l: Layer, limit: number, issues: IssueList): void {
  const out = new Int32Array(l.size);
  for (const p of n.projections) {
    if (p.src !== l.name || !p.csr || layerOf(n, p.dst).host) continue;
    // Stryker disable next-line EqualityOperator: a row past the last reads nothing (writes outside the array are ignored)
    for (let i = 0; i < l.size; i++) out[i] += p.csr.indptr[i + 1] - p.csr.indptr[i];
  }
  let worst = 0;
  // Stryker disable next-line EqualityOperator: one past the last neuron reads undefined, which is never more
  for (let i = 1; i < l.size; i++)
    if (out[i] > out[worst]) worst = i;
  if (l.size && out[worst] > limit) issues.add("fan-out", [l.name],
    `${l.name}[${worst}] needs fan-out ${out[worst]}; ${t.name} allows ${limit} targets per neuron`);
}

// ---- Xylo (Rockpool's mapper and documentation) ----

function xyloWeightsFirst({ n, t, issues }: RuleContext): void {
  for (const p of n.projections) if (layerOf(n, p.src).kind === "input" && p.ops.length === 0) issues.add("xylo-rule", [p.name],
    `input ${p.src} feeds ${p.dst} without weights; ` +
      `${t.name} needs a weight layer first (Rockpool DRC first_module_is_a_weight)`);
}

/** The input weights are Nin x Nhidden: inputs cannot reach output neurons directly. */
function xyloInputsFeedHidden({ n, t, issues }: RuleContext): void {
  for (const p of n.projections) {
    const src = layerOf(n, p.src), dst = layerOf(n, p.dst);
    if (src.kind === "input" && isChipNeuron(dst) && dst.output) issues.add("xylo-rule", [p.name],
      `input ${src.name} feeds output neurons ${dst.name} directly; ` +
        `${t.name}'s input weights reach hidden neurons only (Rockpool mapper: w_in is inputs x hidden)`);
  }
}

function xyloOutputsNotRecurrent({ n, t, issues }: RuleContext): void {
  for (const l of chip(n)) if (l.output && into(n, l).some((p) => p.src === l.name || p.recurrent)) issues.add("xylo-rule", [l.name],
    `output neurons ${l.name} are recurrent; ${t.name} forbids it (Rockpool DRC output_neurons_cannot_be_recurrent)`);
}

/** Recurrent and readout weights both leave hidden neurons: an output neuron has no outgoing weights. */
function xyloOutputsFeedNothing({ n, t, issues }: RuleContext): void {
  for (const p of n.projections) {
    const src = layerOf(n, p.src), dst = layerOf(n, p.dst);
    if (p.src !== p.dst && isChipNeuron(src) && src.output && isChipNeuron(dst)) issues.add("xylo-rule", [p.name],
      `output neurons ${src.name} feed ${dst.name}; ` +
        `${t.name}'s output neurons have no outgoing weights (Rockpool mapper: w_rec and w_out take hidden neurons as sources)`);
  }
}

function xyloTwoLayers({ n, t, issues }: RuleContext): void {
  if (chip(n).filter((l) => l.kind === "neuron").length < 2) issues.add("xylo-rule", [],
    `${t.name} needs at least two neuron layers, hidden and output (Rockpool DRC at_least_two_neuron_layers_needed)`);
}

function xyloOutputSynapses({ n, t, issues }: RuleContext): void {
  const limit = t.limits.outputSynapses;
  // Stryker disable next-line ConditionalExpression: with no limit every count compares false (x > undefined)
  if (limit === undefined) return;
  for (const l of chip(n)) if (isChipNeuron(l) && l.output && portsOf(l) > limit) issues.add("too-many-currents", [l.name],
    `output neurons ${l.name} need ${portsOf(l)} synaptic currents; ${t.name} gives output neurons ${limit}`);
}

/**
 * Recurrent fan-out: distinct hidden targets per hidden neuron (one fan-out entry holds the
 * weights of both synapses), readout weights not counted; and the recurrent memory in all.
 */
function xyloRecurrentFanOut({ n, t, issues }: RuleContext): void {
  const { recurrentFanOut: perNeuron, recurrentSynapses: total } = t.limits;
  const hidden = n.layers.filter(isHidden), base = new Map<string, number>();
  let size = 0;
  for (const l of hidden) { base.set(l.name, size); size += l.size; }
  const stamp = new Int32Array(size).fill(-1);
  let pairs = 0;
  for (const l of hidden) {
    const out = n.projections.filter((p) => p.src === l.name && p.csr && base.has(p.dst));
    let worst = 0, worstCount = 0;
    // Stryker disable next-line EqualityOperator: a row past the last reads nothing (writes outside the array are ignored)
    for (let i = 0; i < l.size; i++) {
      const tag = base.get(l.name)! + i;
      let count = 0;
      for (const p of out) {
        const b = base.get(p.dst)!, c = p.csr!;
        for (let k = c.indptr[i]; k < c.indptr[i + 1]; k++) {
          const j = b + c.indices[k];
          if (stamp[j] !== tag) { stamp[j] = tag; count++; }
        }
      }
      pairs += count;
      if (count > worstCount) { worst = i; worstCount = count; }
    }
    if (worstCount > (perNeuron ?? Infinity)) issues.add("fan-out", [l.name],
      `${l.name}[${worst}] needs recurrent fan-out ${worstCount} (hidden targets; ` +
        `readout weights are not counted); ${t.name} allows ${perNeuron}`);
  }
  if (pairs > (total ?? Infinity)) issues.add("recurrent-memory", [hidden.map((l) => l.name).join(",")],
    `hidden layers ${names(hidden)} need ${pairs} recurrent connections; ` +
      `${t.name}'s recurrent weight memory holds ${total}`);
}

/** Rounds half to even, as numpy's round does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Xylo's bit-shift decay of a time constant: dash = round(log2(tau / dt)) (Rockpool's mapper, then np.round). */
export function xyloDashOf(tau: number, dt: number): number {
  return roundHalfEven(Math.log2(tau / dt));
}

const TIME_CONSTANTS = ["tau", "tau_mem", "tau_syn"];

/** Every time constant must exceed dt (Rockpool refuses tau <= dt) and give a dash the 4-bit field holds. */
function xyloDash({ n, t, dt, issues }: RuleContext): void {
  const max = t.arithmetic.maxShift ?? Infinity;
  for (const l of chip(n)) {
    // Input layers' nodes have no time constants.
    const fields: Record<string, unknown> = { ...l.node };
    for (const field of TIME_CONSTANTS) {
      const tau = fields[field] as Tensor | undefined;
      if (!tau) continue;
      const lo = Math.min(...tau.data), hi = Math.max(...tau.data);
      if (lo <= dt) issues.add("decay-range", [l.name, field],
        `${l.name} needs ${field} > dt: ${field} ${lo.toPrecision(4)} s at dt ${dt} s has no dash ` +
          `(dash = round(log2(${field}/dt))); ` +
          `${t.name} refuses ${field} <= dt, as Rockpool's mapper does`);
      const dash = xyloDashOf(hi, dt);
      if (dash > max) issues.add("decay-range", [l.name, field],
        `${l.name} needs dash ${dash} (${field} ${hi.toPrecision(4)} s at dt ${dt} s); ` +
          `${t.name} allows at most ${max} (a 4-bit dash: ${field} below 2^${max}.5 dt = ` +
          `${(2 ** (max + 0.5) * dt).toPrecision(4)} s)`);
    }
  }
}

// ---- Speck (Sinabs' dynapcnn backend) ----

/** One Speck core per layer: conv -> IAF; sources merge into it through one shared convolution. */
function speckLayers({ n, t, issues }: RuleContext): void {
  for (const l of chip(n)) {
    if (!isChipNeuron(l)) continue;
    const ps = into(n, l);
    if (!ps.length) { issues.add("speck-rule", [l.name],
      `${l.name} has no input; a ${t.name} core takes one convolution`); continue; }
    const views: SpeckLayer[] = [];
    for (const p of ps) {
      const m = speckLayerMemory(p, layerOf(n, p.src));
      if (typeof m === "string") issues.add("speck-rule", [l.name], `${l.name}: ${m}`);
      else views.push(m);
    }
    const kernels = [...new Set(views.map((m) => m.node))];
    if (kernels.length > 1) issues.add("speck-merge", [l.name],
      `${l.name} is fed through ${kernels.length} weight layers (${kernels.join(", ")}); ` +
        `a ${t.name} core holds one kernel, so layers merge into one destination through one shared convolution ` +
        "(Sinabs: Merge before the weight layer)");
    if (!views.length) continue;
    speckGeometry(l, views[0], t, issues);
    ps.forEach((p, k) => views[k]?.pool && speckPool(l, p.src, views[k].pool!, t, issues));
    speckBias(n, l, views[0], t, issues);
  }
}

/** Kernel, stride, padding, map sizes and channels of the core's convolution (Sinabs' DynapcnnLayer and docs). */
function speckGeometry(l: Layer, m: SpeckLayer, t: Target, issues: IssueList): void {
  const c = t.conv, at = [l.name], k = m.kernel.join("x"), of = `${l.name} (${m.node})`;
  if (m.kernel[0] !== m.kernel[1]) issues.add("speck-kernel", at,
    `${of} needs a ${k} kernel; ${t.name} needs square kernels (Sinabs DynapcnnLayer: kernel height == width)`);
  if (Math.max(...m.kernel) > c.maxKernel!) issues.add("speck-kernel", at,
    `${l.name} needs a ${k} kernel; ${t.name} allows at most ${c.maxKernel}x${c.maxKernel}`);
  if (m.stride.some((s) => !c.strides!.includes(s))) issues.add("speck-stride", at,
    `${l.name} uses stride ${m.stride.join("x")}; ${t.name} allows ${c.strides!.join(", ")}`);
  if (m.padding.some((p) => p > (c.maxPadding ?? Infinity))) issues.add("speck-padding", at,
    `${of} uses padding ${m.padding.join("x")}; ${t.name} allows 0 to ${c.maxPadding}`);
  if (m.groups !== 1) issues.add("speck-groups", at,
    `${of} uses ${m.groups} groups; a ${t.name} core convolves all input channels (its configuration has no groups)`);
  if (m.dilation.some((d) => d !== 1)) issues.add("speck-dilation", at,
    `${of} uses dilation ${m.dilation.join("x")}; a ${t.name} core has none (its configuration has no dilation)`);
  if (Math.max(...m.inShape.slice(1)) > c.maxInput!) issues.add("speck-input", at,
    `${l.name} reads a ${m.inShape.slice(1).join("x")} map; ${t.name} allows at most ${c.maxInput}x${c.maxInput}`);
  if (Math.max(...m.outShape.slice(1)) > c.maxOutput!) issues.add("speck-output", at,
    `${l.name} produces a ${m.outShape.slice(1).join("x")} map; ` +
      `${t.name} allows at most ${c.maxOutput}x${c.maxOutput}`);
  if (m.outShape[0] > c.maxChannels! || m.inShape[0] > c.maxChannels!) issues.add("speck-channels", at,
    `${l.name} has ${Math.max(m.outShape[0], m.inShape[0])} channels; ${t.name} allows ${c.maxChannels}`);
}

/** Sum pooling on the way from `src`: square, 1, 2 or 4, stride = kernel, no padding (Sinabs). */
function speckPool(l: Layer, src: string, p: NonNullable<SpeckLayer["pool"]>, t: Target, issues: IssueList): void {
  const k = p.kernel.join("x"), at = [l.name], from = `${l.name} is fed from ${src} through ${k} sum pooling (${p.node})`;
  if (p.kernel[0] !== p.kernel[1]) issues.add("speck-pool", at, `${from}; ${t.name} pools with square kernels only`);
  else if (!t.conv.pooling!.includes(p.kernel[0])) issues.add("speck-pool", at,
    `${from}; ${t.name} pools by ${t.conv.pooling!.join(", ")}`);
  if (p.stride.some((s, i) => s !== p.kernel[i])) issues.add("speck-pool", at,
    `${from} with stride ${p.stride.join("x")}; ${t.name} pools with stride = kernel (Sinabs)`);
  if (p.padding.some((x) => x !== 0)) issues.add("speck-pool", at,
    `${from} with padding ${p.padding.join("x")}; ${t.name} pools without padding`);
}

/** Bias memory: one entry per output channel when the layer has a bias (Sinabs' memory_summary). */
function speckBias(n: Netlist, l: Layer, m: SpeckLayer, t: Target, issues: IssueList): void {
  const limits = [t.core, ...(t.coreOverrides ?? [])].map((c) => c.biasMemory).filter((x): x is number => x !== undefined);
  if (!limits.length) return;
  const biased = l.bias.some((x) => x !== 0) || into(n, l).some((p) => p.bias?.some((x) => x !== 0));
  const need = biased ? m.outShape[0] : 0, most = Math.max(...limits);
  if (need > most) issues.add("core-memory", [l.name],
    `${l.name} needs bias memory ${need} (one entry per output channel); a ${t.name} core holds ${most}`);
}

/** A core has two destination slots; every projection into a chip layer takes one (Sinabs: one per destination). */
function speckLayerFanOut({ n, t, issues }: RuleContext): void {
  for (const l of chip(n)) {
    if (!isChipNeuron(l)) continue;
    const dsts = n.projections.filter((p: Projection) => p.src === l.name && isChipNeuron(layerOf(n, p.dst))).map((p) => p.dst);
    if (dsts.length > t.limits.layerFanOut!) issues.add("speck-fan-out", [l.name],
      `${l.name} feeds ${dsts.length} destinations (${dsts.join(", ")}); a ${t.name} core has ${t.limits.layerFanOut}`);
  }
}
