/** SpiNNaker2 (TU Dresden / Manchester). */
import type { Target } from "../types.js";
import { c, UNVERIFIED } from "./constant.js";

const MAYR = "Mayr, Hoeppner, Furber, SpiNNaker 2: a 10 million core processor system for brain simulation and machine learning, arXiv:1911.02385, 2019";
const HOEPPNER = "Hoeppner et al., The SpiNNaker 2 processing element architecture for hybrid digital neuromorphic computing, arXiv:2103.08392, 2021";

/** SpiNNaker2: 152 ARM Cortex-M4F processing elements (38 QPEs of 4) with 128 KB SRAM each, software neurons, multicast packet routing. */
export function spinnaker2(): Target {
  return {
    name: "spinnaker2",
    description: "SpiNNaker2: 152 ARM Cortex-M4F PEs in 38 quad-PEs (QPEs) on a mesh NoC, 128 KB SRAM per PE, software-defined neurons, multicast routing",
    references: { mayr2019: MAYR, hoeppner2021: HOEPPNER },
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
      synOp: c(10, "cycle", UNVERIFIED, "pre-silicon"),
      neuronUpdate: c(50, "cycle", UNVERIFIED, "pre-silicon"),
      hop: c(4, "cycle", UNVERIFIED, "pre-silicon"),
    },
    energy: {
      synOp: c(10, "pJ", UNVERIFIED, "pre-silicon"),
      neuronUpdate: c(100, "pJ", UNVERIFIED, "pre-silicon"),
      hop: c(5, "pJ", UNVERIFIED, "pre-silicon"),
      staticPerCore: c(0, "W", UNVERIFIED, "pre-silicon"),
    },
  };
}
