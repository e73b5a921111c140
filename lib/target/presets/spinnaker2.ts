/** SpiNNaker2 (TU Dresden / Manchester). */
import type { Target } from "../types.js";
import { c, unpublished } from "./constant.js";

const MAYR = "Mayr, Hoeppner, Furber, SpiNNaker 2: a 10 million core processor system for brain simulation and machine learning, arXiv:1911.02385, 2019";
const HOEPPNER = "Hoeppner et al., The SpiNNaker 2 processing element architecture for hybrid digital neuromorphic computing, arXiv:2103.08392, 2021";

const HOEPPNER2019 = "Hoeppner et al., Dynamic power management for neuromorphic many-core systems, IEEE TCAS-I 66(8):2973-2986, 2019 (arXiv:1903.08941)";
const PROTOTYPE = ", measured on the 28 nm SpiNNaker2 prototype running ARM software neurons (the figure KerasSpiking's ModelEnergy tabulates for spinnaker2); the 22FDX chip of this preset and other neuron code need not match";
const PER_OP_TIME = "SpiNNaker2 neurons and synapses are ARM software (cycles depend on the model and code); " + HOEPPNER + " and " + MAYR + " give no per-op cycle count; the chip runs in real time (a timer interrupt per step)";

/** SpiNNaker2: 152 ARM Cortex-M4F processing elements (38 QPEs of 4) with 128 KB SRAM each, software neurons, multicast packet routing. */
export function spinnaker2(): Target {
  return {
    name: "spinnaker2",
    description: "SpiNNaker2: 152 ARM Cortex-M4F PEs in 38 quad-PEs (QPEs) on a mesh NoC, 128 KB SRAM per PE, software-defined neurons, multicast routing",
    references: { mayr2019: MAYR, hoeppner2021: HOEPPNER, hoeppner2019: HOEPPNER2019 },
    mesh: { width: 8, height: 5, coresPerRouter: 4, multicast: true, tableEntries: 1024 },
    cores: 152,
    core: { neurons: 256, synapses: 65536, fanIn: 4096, fanOut: 1024 },
    arithmetic: { weightBits: 16, stateBits: 32, decay: "multiply", decayBits: 16, fixedPoint: false },
    models: ["LIF", "CubaLIF", "IF", "LI", "CubaLI", "MultiCubaLIF"],
    resets: ["zero", "subtract"],
    conv: { weightShared: true, maxKernel: 16 },
    limits: {},
    rules: [],
    mapping: "mesh",
    timing: {
      clock: c(300e6, "Hz", HOEPPNER + " (PE clock up to 300 MHz)", "silicon"),
      synOp: unpublished("cycle", PER_OP_TIME),
      neuronUpdate: unpublished("cycle", PER_OP_TIME),
      hop: unpublished("cycle", "per-hop latency of the SpiNNaker2 NoC routers; " + PER_OP_TIME),
      timeBase: "real-time",
    },
    energy: {
      synOp: c(0.45, "nJ", `${HOEPPNER2019}: energy per synaptic event${PROTOTYPE}`, "silicon"),
      neuronUpdate: c(2.19, "nJ", `${HOEPPNER2019}: energy per neuron update${PROTOTYPE}`, "silicon"),
      hop: unpublished("pJ", "per-hop NoC energy; " + HOEPPNER2019 + " and " + HOEPPNER + " report PE-level figures only"),
      staticPerCore: unpublished("W", "per-PE idle power of the 22FDX chip (adaptive body biasing, DVFS): " + HOEPPNER2019 + " measures the baseline power of its 28 nm prototype's PEs at each performance level, which this preset's chip need not match"),
    },
  };
}
