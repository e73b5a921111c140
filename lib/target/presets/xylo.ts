/** SynSense Xylo Audio 2 (SYNS61201). */
import type { EnergySpec, Target, TimingSpec } from "../types.js";
import { c, unpublished } from "./constant.js";

const ROCKPOOL = "Rockpool rockpool/devices/xylo/syns61201: xylo_mapper.py (max_hidden_neurons=1000, max_output_neurons=8; design rules le_16_input_channels, le_8_output_channels, output_neurons_cannot_be_recurrent, at_least_two_neuron_layers_needed; input weights reach hidden neurons, readout weights leave them), xylo_graph_modules.py (dash = log2(tau/dt), tau <= dt refused), xylo_samna.py config_from_specification (dashes rounded with np.round), xa2_devkit_utils.py memory map (IWTRAM 16x1000, RFORAM/RWTRAM/RWT2RAM 32000 entries, OWTRAM 1000x8); docs/devices/xylo-overview.ipynb (max fan-out 64, subtractive reset, v - (v >> dash)) and quick-xylo/deploy_to_xylo.ipynb (4-bit dash, at most 15)";
const BOS = "Bos and Muir, Sub-mW neuromorphic SNN audio processing applications with Rockpool and Xylo, arXiv:2208.12991, 2022";
const BOS2024 = "Bos and Muir, Micro-power spoken keyword spotting on Xylo Audio 2, arXiv:2406.15112, 2024";

/** Xylo Audio 2: 16 inputs, 1000 hidden (any number of layers) and 8 output CuBa LIF neurons, recurrent fan-out <= 64, 8-bit weights, 16-bit state, bit-shift decays (dash = round(log2(tau/dt)) in 0..15, tau > dt), two synaptic currents per hidden neuron, one per output neuron, subtractive reset. */
export function xyloAudio2(): Target {
  return {
    name: "xylo-audio2",
    description: "SynSense Xylo Audio 2: one digital SNN core with 16 input channels, 1000 hidden and 8 output current-based LIF neurons, bit-shift leaks",
    references: { rockpool: ROCKPOOL, bos2022: BOS, bos2024: BOS2024 },
    mesh: { width: 1, height: 1, coresPerRouter: 1, multicast: false, tableEntries: 1 },
    cores: 1,
    // Weight memories (Rockpool's memory map): input 16 x 1000 x 2, recurrent 32000 x 2, readout 1000 x 8.
    core: { neurons: 1008, synapses: 16 * 1000 * 2 + 32000 * 2 + 1000 * 8, fanIn: 1016, fanOut: 1 },
    arithmetic: { weightBits: 8, stateBits: 16, decay: "shift", maxShift: 15, fixedPoint: true, profile: "xylo" },
    // Every Xylo neuron integrates through one or two synaptic currents: no LIF without one.
    models: ["CubaLIF", "MultiCubaLIF"],
    resets: ["subtract"],
    conv: { weightShared: false },
    limits: { inputs: 16, outputs: 8, hidden: 1000, recurrentFanOut: 64, recurrentSynapses: 32000, synapsesPerNeuron: 2, outputSynapses: 1 },
    rules: ["xylo"],
    mapping: "single-core",
    timing: xyloTiming(),
    energy: xyloEnergy(),
  };
}

const CYCLES = "Rockpool rockpool/devices/xylo/syns61201/power_cycles_model.py cycles_model, SynSense's cycle-count model of the Xylo Audio 2 core";

/** Xylo Audio 2's timing: the vendor's cycle counts; the chip runs in real time (one dt per step, its clock set per network). */
function xyloTiming(): TimingSpec {
  const cyc = (v: number, what: string) => c(v, "cycle", `${CYCLES}: ${what}`, "pre-silicon");
  return {
    clock: unpublished("Hz", "the Xylo Audio 2 core clock is set per network (Rockpool's est_clock_freq: worst-case cycles x 1.2 / dt; XyloMonitor defaults to 50 MHz); no fixed figure"),
    synOp: cyc(7, "hidden_update_cycles per synapse of a spiking hidden neuron (input events take 3.5 per hidden neuron, readout 8 per output)"),
    neuronUpdate: cyc(19, "fixed_hidden_neuron_cycles per hidden neuron and step (12 per output neuron)"),
    hop: c(0, "cycle", "single core: no mesh", "silicon"),
    timeBase: "real-time",
  };
}

/** Xylo Audio 2's energy: SynSense publishes whole-chip power only, so dynamic energy is its measured inference power over the run. */
function xyloEnergy(): EnergySpec {
  const inPower = "included in energy.dynamicPower, the measured whole-chip inference power";
  return {
    synOp: c(0, "pJ", inPower, "all-in"),
    neuronUpdate: c(0, "pJ", inPower, "all-in"),
    hop: c(0, "pJ", "single core: no mesh", "all-in"),
    dynamicPower: c(291, "µW", `${BOS2024}: dynamic inference power measured on the Aloha keyword-spotting SNN (16 channels in, 3 s samples; 6.6 µJ per inference); per-op energies are not published and the paper's layer sizes and event counts are not enough to fit them, so any network is charged this power over its run`, "all-in"),
    staticPerCore: unpublished("W", `the idle (static) power of Xylo Audio 2 is not separated in ${BOS2024} or ${BOS}`),
  };
}
