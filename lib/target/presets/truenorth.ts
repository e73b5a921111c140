/** IBM TrueNorth (2014). */
import type { Target } from "../types.js";
import { c } from "./constant.js";

const MEROLLA = "Merolla et al., A million spiking-neuron integrated circuit with a scalable communication network and interface, Science 345(6197), 2014";

/** TrueNorth: 4096 cores (64x64 mesh) of 256 axons x 256 neurons, binary crossbar, 4 axon types with per-neuron 9-bit weights, 1 ms tick, 26 pJ per synaptic event all-in. */
export function truenorth(): Target {
  return {
    name: "truenorth",
    description: "IBM TrueNorth: 64x64 cores, 256 axons x 256 neurons per core, binary crossbar, 4 axon types, each neuron targets one axon",
    references: { merolla2014: MEROLLA },
    mesh: { width: 64, height: 64, coresPerRouter: 1, multicast: false, tableEntries: 256 },
    cores: 4096,
    core: { neurons: 256, synapses: 65536, fanIn: 256, fanOut: 256 },
    arithmetic: { weightBits: 9, stateBits: 20, decay: "none", fixedPoint: true },
    models: ["IF"],
    resets: ["zero", "subtract"],
    conv: { weightShared: false },
    limits: { neuronFanOut: 256 },
    rules: ["truenorth"],
    mapping: "mesh",
    timing: {
      clock: c(1e6, "Hz", MEROLLA + " (asynchronous; 1 MHz nominal for cycle counts)", "silicon"),
      synOp: c(1, "cycle", "nominal", "silicon"),
      neuronUpdate: c(1, "cycle", "nominal", "silicon"),
      hop: c(1, "cycle", "nominal", "silicon"),
      tick: c(1e-3, "s", MEROLLA + " (1 kHz global tick)", "silicon"),
    },
    energy: {
      synOp: c(26, "pJ", MEROLLA + " (energy per synaptic event, all-in)", "all-in"),
      neuronUpdate: c(0, "pJ", "included in the all-in synaptic event figure", "all-in"),
      hop: c(0, "pJ", "included in the all-in synaptic event figure", "all-in"),
      staticPerCore: c(0, "W", "included in the all-in synaptic event figure", "all-in"),
    },
  };
}
