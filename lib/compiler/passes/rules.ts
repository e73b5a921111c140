/** Design rules: chip-level limits (inputs, outputs, hidden, fan-out) and each target family's rule set, all issues reported at once. */
import { IssueList } from "../../ir/errors.js";
import type { Target } from "../../target/types.js";
import type { Layer, Netlist, Projection } from "../netlist.js";
import type { CompileState } from "../state.js";
import { speckLayerMemory } from "./speck-memory.js";

type Rule = (n: Netlist, t: Target, issues: IssueList) => void;

/** Rule sets by name, as a Target lists them. */
export const ruleSets: Record<string, Rule[]> = {
  xylo: [xyloWeightsFirst, xyloOutputsNotRecurrent, xyloTwoLayers],
  speck: [speckChains, speckLayerFanOut],
  truenorth: [],
};

/** Applies the chip limits and the target's rule sets to the chip partition. */
export function checkRules(s: CompileState): CompileState {
  const t = s.target, n = s.netlist!, issues = new IssueList();
  chipLimits(n, t, issues);
  for (const set of t.rules) for (const rule of ruleSets[set] ?? []) rule(n, t, issues);
  issues.throwIfAny();
  return s;
}

const chip = (n: Netlist) => n.layers.filter((l) => !l.host);
const into = (n: Netlist, l: Layer) => n.projections.filter((p) => p.dst === l.name);
const layerOf = (n: Netlist, name: string) => n.layers.find((l) => l.name === name)!;

/** Chip-level limits: inputs, outputs, hidden neurons, currents per neuron, neuron fan-out (where synapses are expanded). */
export function chipLimits(n: Netlist, t: Target, issues: IssueList): void {
  const L = t.limits;
  const inputs = chip(n).filter((l) => l.kind === "input" && n.projections.some((p) => p.src === l.name && !layerOf(n, p.dst).host));
  const nIn = inputs.reduce((a, l) => a + l.size, 0);
  if (L.inputs !== undefined && nIn > L.inputs) issues.add("too-many-inputs", [inputs.map((l) => l.name).join(",")], `${inputs.map((l) => l.name).join(", ")} needs ${nIn} input channels; ${t.name} allows ${L.inputs} inputs`);
  const neurons = chip(n).filter((l) => l.kind === "neuron");
  const outs = neurons.filter((l) => l.output), hidden = neurons.filter((l) => !l.output);
  const sum = (ls: Layer[]) => ls.reduce((a, l) => a + l.size, 0);
  if (L.outputs !== undefined && sum(outs) > L.outputs) issues.add("too-many-outputs", [outs.map((l) => l.name).join(",")], `output layer(s) ${outs.map((l) => l.name).join(", ")} need ${sum(outs)} output neurons; ${t.name} allows ${L.outputs}`);
  if (L.hidden !== undefined && sum(hidden) > L.hidden) issues.add("too-many-neurons", [hidden.map((l) => l.name).join(",")], `hidden layers ${hidden.map((l) => l.name).join(", ")} need ${sum(hidden)} neurons; ${t.name} allows ${L.hidden} hidden neurons`);
  if (L.synapsesPerNeuron !== undefined)
    for (const l of neurons) { const ports = l.node?.type === "MultiCubaLIF" ? l.node.tau_syn.shape[0] : 1; if (ports > L.synapsesPerNeuron) issues.add("too-many-currents", [l.name], `${l.name} needs ${ports} synaptic currents; ${t.name} allows ${L.synapsesPerNeuron}`); }
  if (L.neuronFanOut !== undefined) for (const l of chip(n).filter((x) => x.kind === "neuron")) {
    const out = new Int32Array(l.size);
    for (const p of n.projections) if (p.src === l.name && p.csr && !layerOf(n, p.dst).host) for (let i = 0; i < l.size; i++) out[i] += p.csr.indptr[i + 1] - p.csr.indptr[i];
    let worst = 0;
    for (let i = 1; i < l.size; i++) if (out[i] > out[worst]) worst = i;
    if (l.size && out[worst] > L.neuronFanOut) issues.add("fan-out", [l.name], `${l.name}[${worst}] needs fan-out ${out[worst]}; ${t.name} allows ${L.neuronFanOut} targets per neuron`);
  }
}

function xyloWeightsFirst(n: Netlist, t: Target, issues: IssueList): void {
  for (const p of n.projections) if (layerOf(n, p.src).kind === "input" && p.ops.length === 0) issues.add("xylo-rule", [p.name], `input ${p.src} feeds ${p.dst} without weights; ${t.name} needs a weight layer first (Rockpool DRC first_module_is_a_weight)`);
}

function xyloOutputsNotRecurrent(n: Netlist, t: Target, issues: IssueList): void {
  for (const l of chip(n)) if (l.output && into(n, l).some((p) => p.src === l.name || p.recurrent)) issues.add("xylo-rule", [l.name], `output neurons ${l.name} are recurrent; ${t.name} forbids it (Rockpool DRC output_neurons_cannot_be_recurrent)`);
}

function xyloTwoLayers(n: Netlist, t: Target, issues: IssueList): void {
  if (chip(n).filter((l) => l.kind === "neuron").length < 2) issues.add("xylo-rule", [], `${t.name} needs at least two neuron layers, hidden and output (Rockpool DRC at_least_two_neuron_layers_needed)`);
}

function speckChains(n: Netlist, t: Target, issues: IssueList): void {
  const c = t.conv;
  for (const l of chip(n).filter((x) => x.kind === "neuron")) {
    const ps = into(n, l);
    if (ps.length !== 1) { issues.add("speck-rule", [l.name], `${l.name} has ${ps.length} incoming projections; a ${t.name} core takes one convolution`); continue; }
    const m = speckLayerMemory(ps[0], layerOf(n, ps[0].src));
    if (typeof m === "string") { issues.add("speck-rule", [l.name], `${l.name}: ${m}`); continue; }
    const at = [l.name];
    if (m.kernel[0] > c.maxKernel! || m.kernel[1] > c.maxKernel!) issues.add("speck-kernel", at, `${l.name} needs a ${m.kernel.join("x")} kernel; ${t.name} allows at most ${c.maxKernel}x${c.maxKernel}`);
    if (m.stride.some((s) => !c.strides!.includes(s))) issues.add("speck-stride", at, `${l.name} uses stride ${m.stride.join("x")}; ${t.name} allows ${c.strides!.join(", ")}`);
    if (Math.max(...m.inShape.slice(1)) > c.maxInput!) issues.add("speck-input", at, `${l.name} reads a ${m.inShape.slice(1).join("x")} map; ${t.name} allows at most ${c.maxInput}x${c.maxInput}`);
    if (Math.max(...m.outShape.slice(1)) > c.maxOutput!) issues.add("speck-output", at, `${l.name} produces a ${m.outShape.slice(1).join("x")} map; ${t.name} allows at most ${c.maxOutput}x${c.maxOutput}`);
    if (m.outShape[0] > c.maxChannels! || m.inShape[0] > c.maxChannels!) issues.add("speck-channels", at, `${l.name} has ${Math.max(m.outShape[0], m.inShape[0])} channels; ${t.name} allows ${c.maxChannels}`);
    if (m.pool && !c.pooling!.includes(m.pool)) issues.add("speck-pool", at, `${l.name} is fed through ${m.pool}x${m.pool} sum pooling; ${t.name} pools by ${c.pooling!.join(", ")}`);
  }
}

function speckLayerFanOut(n: Netlist, t: Target, issues: IssueList): void {
  for (const l of chip(n)) {
    const dsts = new Set(n.projections.filter((p: Projection) => p.src === l.name).map((p) => p.dst));
    if (l.kind === "neuron" && dsts.size > t.limits.layerFanOut!) issues.add("speck-fan-out", [l.name], `${l.name} feeds ${dsts.size} layers; a ${t.name} core has ${t.limits.layerFanOut} destinations`);
  }
}
