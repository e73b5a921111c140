/** IBM TrueNorth (2014). */
import type { Target } from "../types.js";
import { c, unpublished } from "./constant.js";

const MEROLLA = "Merolla et al., A million spiking-neuron integrated circuit with a scalable communication network and interface, Science 345(6197):668-673, 2014";

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
      clock: unpublished("Hz", `TrueNorth's cores are asynchronous; ${MEROLLA} gives no clock or per-op latency`),
      synOp: unpublished("cycle", `per-event latency inside a core; ${MEROLLA} gives only the 1 ms tick`),
      neuronUpdate: unpublished("cycle", `per-neuron latency inside a core; ${MEROLLA} gives only the 1 ms tick`),
      hop: unpublished("cycle", `per-hop router latency; ${MEROLLA} gives only the 1 ms tick`),
      tick: c(1e-3, "s", MEROLLA + " (1 kHz global synchronisation tick: the chip advances one step per tick, real time)", "silicon"),
      timeBase: "real-time",
    },
    energy: {
      synOp: c(26, "pJ", `${MEROLLA}: 26 pJ per synaptic event at the operating point the paper states (biological real time, 20 Hz mean firing rate, 128 active synapses per neuron), total chip power (static included) divided by synaptic events`, "all-in"),
      neuronUpdate: c(0, "pJ", "included in the all-in synaptic event figure (energy.synOp)", "all-in"),
      hop: c(0, "pJ", "included in the all-in synaptic event figure (energy.synOp)", "all-in"),
      staticPerCore: c(0, "W", "included in the all-in synaptic event figure (energy.synOp)", "all-in"),
    },
  };
}
