/** Intel Loihi (2018) and Loihi 2 (2021). */
import type { Constant, EnergySpec, Target, TimingSpec } from "../types.js";
import { c, unpublished } from "./constant.js";

const DAVIES = "Davies et al., Loihi: a neuromorphic manycore processor with on-chip learning, IEEE Micro 38(1):82-99, 2018, Table 2 (pre-silicon SDF and SPICE simulation at 0.75 V, p. 96)";
const FRADY = "Frady et al., Neuromorphic nearest-neighbor search using Intel's Pohoiki Springs, NICE 2020 (arXiv:2004.12691), Table 1";
/**
 * Davies 2018 names two neuron-update figures, active and inactive, without defining them in
 * the text; we count a compartment as active in a step when it receives synaptic input, holds
 * a non-zero state (v off rest, or a current) before the update, or has a bias, as SANA-FE's
 * Loihi model (src/models.cpp, LoihiLifModel::update) decides whether a compartment updates.
 */
const ACTIVE = "active: the compartment received input, held a non-zero state or has a bias in that step";

/** Loihi's static power per core, fitted from Frady 2020's measured board static power. */
export function loihiStatic(): Constant {
  const calc = "3.34 W static for the 32-chip Nahuku board / 32 chips / 128 cores = 0.815 mW per core";
  return c(3.34 / 32 / 128, "W", `${FRADY}: ${calc}; an upper bound (Frady attributes almost all leakage to the cores) at a supply voltage not stated, unlike Table 2's 0.75 V`, "fitted");
}

/**
 * Loihi's latencies (Davies 2018 Table 2); the 10 GHz clock only resolves them in whole cycles.
 * Table 2 gives no latency for a message leaving or entering a core or for generating a spike:
 * the cycle engine's compartment model then charges its own 1-cycle axon lookups (0.1 ns) and
 * nothing for the spike (docs/cycle-models.md). The barrier's two points become 113 ns at the
 * root plus 17.6 ns per hop each way (derived: (465 - 113) / (2 x 10 hops to tile (7, 3))).
 */
function loihiTiming(): TimingSpec {
  const d = (v: number, what: string) => c(v, "ns", `${DAVIES}: ${what}`, "pre-silicon");
  return {
    clock: c(1e10, "Hz", "no chip clock: Loihi is asynchronous (Davies 2018 p. 87); 10 GHz is the simulator's resolution (0.1 ns), so Table 2's latencies are whole cycles", "pre-silicon"),
    synOp: d(3.5, "time per synaptic spike op (max)"),
    neuronUpdate: d(8.4, `time per neuron update, active (${ACTIVE})`),
    neuronUpdateInactive: d(5.3, "time per neuron update, inactive"),
    hop: d(4.1, "latency per tile hop, east-west"),
    hopNS: d(6.5, "latency per tile hop, north-south"),
    withinTile: d(2.1, "within-tile spike latency"),
    barrier: { lookup: "linear", points: [{ tiles: 1, time: d(113, "mesh-wide barrier sync time, 1 tile") }, { tiles: 32, time: d(465, "mesh-wide barrier sync time, 32 tiles (between 1 and 32 tiles Phasor interpolates linearly)") }] },
  };
}

/** Loihi's energies (Davies 2018 Table 2) and static power (Frady 2020, fitted). */
function loihiEnergy(): EnergySpec {
  const d = (v: number, what: string) => c(v, "pJ", `${DAVIES}: ${what}`, "pre-silicon");
  return {
    synOp: d(23.6, "energy per synaptic spike op (min)"),
    neuronUpdate: d(81, `energy per neuron update, active (${ACTIVE})`),
    neuronUpdateInactive: d(52, "energy per neuron update, inactive"),
    hop: d(3.0, "energy per tile hop, east-west"),
    hopNS: d(4.0, "energy per tile hop, north-south"),
    withinTile: d(1.7, "within-tile spike energy"),
    staticPerCore: loihiStatic(),
  };
}

/** Loihi: 128 cores (4 per tile, 32 tiles), 1024 compartments and 4096 fan-in/fan-out axons per core, 1-9-bit weights; Davies 2018's pre-silicon latencies and energies. */
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
    timing: loihiTiming(),
    energy: loihiEnergy(),
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
    timing: loihi2Timing(base.timing),
    energy: loihi2Energy(base.energy),
  };
}

/** Loihi 2's timing: every per-op latency unpublished (Loihi 1's value named, not used). */
function loihi2Timing(l1: TimingSpec): TimingSpec {
  const no = (k: Constant) => notLoihi1(k, "latency");
  return {
    clock: unpublished("Hz", `Loihi 2 is asynchronous; ${LOIHI2} and ${ORCHARD} give no per-op latency to resolve`),
    synOp: no(l1.synOp), neuronUpdate: no(l1.neuronUpdate), neuronUpdateInactive: no(l1.neuronUpdateInactive!), hop: no(l1.hop), hopNS: no(l1.hopNS!), withinTile: no(l1.withinTile!),
  };
}

/** Loihi 2's energies: every per-op energy and the static power unpublished. */
function loihi2Energy(l1: EnergySpec): EnergySpec {
  const no = (k: Constant) => notLoihi1(k, "energy");
  return {
    synOp: no(l1.synOp), neuronUpdate: no(l1.neuronUpdate), neuronUpdateInactive: no(l1.neuronUpdateInactive!),
    hop: no(l1.hop), hopNS: no(l1.hopNS!), withinTile: no(l1.withinTile!),
    staticPerCore: unpublished("W", `${LOIHI2} and ${ORCHARD} give no per-core static power`),
  };
}
