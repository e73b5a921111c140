/** Intel Loihi (2018) and Loihi 2 (2021). */
import type { Target } from "../types.js";
import { c, unpublished } from "./constant.js";

const DAVIES = "Davies et al., Loihi: a neuromorphic manycore processor with on-chip learning, IEEE Micro 38(1), 2018, Table 1";

/** Loihi: 128 cores (4 per tile, 32 tiles), 1024 compartments and 4096 fan-in/fan-out axons per core, 1-9-bit weights; Davies 2018's pre-silicon energies. */
export function loihi(): Target {
  return {
    name: "loihi",
    description: "Intel Loihi: 128 neuromorphic cores on an 8x4 mesh of tiles (4 cores per tile), CUBA LIF compartments, 12-bit decays",
    references: { davies2018: DAVIES },
    mesh: { width: 8, height: 4, coresPerRouter: 4, multicast: false, tableEntries: 4096 },
    cores: 128,
    core: { neurons: 1024, synapses: 131072, fanIn: 4096, fanOut: 4096 },
    arithmetic: { weightBits: 8, stateBits: 24, decay: "multiply", decayBits: 12, fixedPoint: true, profile: "loihi" },
    models: ["LIF", "CubaLIF", "IF", "LI", "CubaLI"],
    resets: ["zero"],
    conv: { weightShared: false },
    limits: {},
    rules: [],
    mapping: "mesh",
    timing: {
      clock: c(1e9, "Hz", "nominal: Loihi is asynchronous; 1 GHz used to express latencies in cycles", "pre-silicon"),
      synOp: c(3.5, "ns", DAVIES + " (synaptic spike op latency)", "pre-silicon"),
      neuronUpdate: c(8.4, "ns", DAVIES + " (neuron update, active)", "pre-silicon"),
      hop: c(4.1, "ns", DAVIES + " (E-W spike hop latency)", "pre-silicon"),
    },
    energy: {
      synOp: c(23.6, "pJ", DAVIES + " (synaptic spike op)", "pre-silicon"),
      neuronUpdate: c(81, "pJ", DAVIES + " (neuron update, active)", "pre-silicon"),
      neuronUpdateInactive: c(52, "pJ", DAVIES + " (neuron update, inactive)", "pre-silicon"),
      hop: c(3.0, "pJ", DAVIES + " (E-W hop)", "pre-silicon"),
      hopNS: c(4.0, "pJ", DAVIES + " (N-S hop)", "pre-silicon"),
      withinTile: c(1.7, "pJ", DAVIES + " (within-tile spike)", "pre-silicon"),
      staticPerCore: c(0, "W", "not published per core in Davies 2018; 0 until measured", "pre-silicon"),
    },
  };
}

const LOIHI2 = "Intel, Taking Neuromorphic Computing to the Next Level with Loihi 2, technology brief, 2021";
const ORCHARD = "Orchard et al., Efficient neuromorphic signal processing with Loihi 2, IEEE SiPS 2021 (arXiv:2111.03746)";
/** Loihi 2 per-op figures are not published: the brief and Orchard 2021 give chip- and task-level results only; Loihi 1's value is named for comparison, not used. */
const notLoihi1 = (k: { value: number; unit: string }, what: string) => unpublished(k.unit, `${LOIHI2} and ${ORCHARD} give no per-op ${what}; Loihi 1 (${DAVIES}) has ${k.value} ${k.unit}, which Loihi 2's new process and programmable neurons need not match`);

/** Loihi 2: 128 cores, up to 1M neurons and 120M synapses per chip, weights up to 8 bits, 24-bit state; per-op timing and energy are not published (kind "unpublished"). */
export function loihi2(): Target {
  const base = loihi();
  return {
    ...base,
    name: "loihi2",
    description: "Intel Loihi 2: 128 neuromorphic cores, up to 8192 neurons per core (1M per chip), 192 KB synaptic memory per core, programmable neurons, graded spikes",
    references: { loihi2brief: LOIHI2, orchard2021: ORCHARD, davies2018: DAVIES },
    core: { neurons: 8192, synapses: 937500, fanIn: 8192, fanOut: 8192 },
    models: ["LIF", "CubaLIF", "IF", "LI", "CubaLI", "MultiCubaLIF"],
    resets: ["zero", "subtract"],
    conv: { weightShared: true, maxKernel: 16 },
    timing: {
      clock: base.timing.clock,
      synOp: notLoihi1(base.timing.synOp, "latency"), neuronUpdate: notLoihi1(base.timing.neuronUpdate, "latency"), hop: notLoihi1(base.timing.hop, "latency"),
    },
    energy: {
      synOp: notLoihi1(base.energy.synOp, "energy"), neuronUpdate: notLoihi1(base.energy.neuronUpdate, "energy"), neuronUpdateInactive: notLoihi1(base.energy.neuronUpdateInactive!, "energy"),
      hop: notLoihi1(base.energy.hop, "energy"), hopNS: notLoihi1(base.energy.hopNS!, "energy"), withinTile: notLoihi1(base.energy.withinTile!, "energy"),
      staticPerCore: unpublished("W", `${LOIHI2} and ${ORCHARD} give no per-core static power`),
    },
  };
}
