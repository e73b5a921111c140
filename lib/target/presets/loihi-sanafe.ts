/**
 * Intel Loihi as SANA-FE models it: the same chip as the loihi preset, with the per-event
 * energies and latencies of SANA-FE's architecture file arch/loihi.yaml (SLAM-Lab/SANA-FE),
 * which its authors calibrated against Loihi measurements (Boyle et al., TCAD 2025, §VI:
 * micro-benchmarks on Intel's Nahuku board, linear regression per pipeline stage; reported
 * within 12% energy and 25% latency of the chip). A second profile, so that a run can be
 * compared under Davies' pre-silicon figures and under a silicon-calibrated model.
 * The file's own header says its figures come from Davies 2018's SPICE simulations, yet they
 * differ from Davies' Table 2 (3.8 against 3.5 ns per synaptic op, 9.7 against 8.4 ns per active
 * update) and add costs Davies does not list (30 ns spike_out, 16 ns message_in, 5.1 ns
 * message_out, a 0.6-1.8 us barrier table): this preset follows the TCAD paper's account (kind
 * "fitted"). The cycle engine (docs/cycle-models.md) takes its link buffers of 16 packets from
 * the same file (link_buffer_size) and charges the dense synapse unit for every synapse.
 */
import type { Constant, EnergySpec, Target, TimingSpec } from "../types.js";
import { c } from "./constant.js";
import { loihi, loihiStatic } from "./loihi.js";

const SANAFE = "SANA-FE arch/loihi.yaml (SLAM-Lab/SANA-FE)";
const BOYLE = "Boyle et al., SANA-FE: simulating advanced neuromorphic architectures for fast exploration, IEEE TCAD 44:3165-3178, 2025 (§VI calibration on Loihi: Nahuku, Intel's Neuromorphic Research Cloud)";
const DAVIES_HOP = "equal to Davies 2018 Table 2's east-west hop (pre-silicon)";

/** A SANA-FE figure: fitted to Loihi measurements by its authors. */
const fit = (value: number, unit: string, what: string) => c(value, unit, `${SANAFE} ${what}; ${BOYLE}`, "fitted");

/**
 * SANA-FE charges every compartment a soma access each step (51.2 pJ, 6.0 ns) and an update on
 * top when it is active (21.6 pJ, 3.7 ns): |v| > 0, input this step or a bias
 * (LoihiLifModel::update); a spike adds the soma's spike_out (69.3 pJ, 30 ns) and each message
 * leaving a core its axon_out (111 pJ, 5.1 ns); a received message costs 16 ns and no energy.
 * Synapses: the dense synapse unit (35.5 pJ, 3.8 ns per synapse; sparse 33.6 pJ / 4.7 ns,
 * conv 24.0 pJ / 3.1 ns are not used). Barrier: SANA-FE's table by tiles in use (largest key
 * not above the count). SANA-FE models no static power: Frady 2020's fitted figure is used, as
 * in the loihi preset, so the two profiles differ in their dynamic terms only.
 */
export function loihiSanafe(): Target {
  const base = loihi();
  return {
    ...base,
    name: "loihi-sanafe",
    description: "Intel Loihi with SANA-FE's per-event energies and latencies (calibrated on Loihi silicon) in place of Davies 2018's pre-silicon figures",
    references: { ...base.references, sanafe: SANAFE, boyle2025: BOYLE },
    timing: sanafeTiming(),
    energy: sanafeEnergy(),
  };
}

function sanafeTiming(): TimingSpec {
  const ns = (v: number, what: string) => fit(v, "ns", what);
  const sync = (tiles: number, us: number): { tiles: number; time: Constant } => ({ tiles, time: fit(us * 1e3, "ns", `latency_sync table, ${tiles} tile(s) mapped`) });
  return {
    clock: c(1e10, "Hz", "no chip clock: Loihi is asynchronous; 10 GHz is the simulator's resolution (0.1 ns)", "fitted"),
    synOp: ns(3.8, "loihi_dense_synapse latency_process_spike"),
    neuronUpdate: ns(6.0 + 3.7, "loihi_lif latency_access_neuron 6.0 + latency_update_neuron 3.7 (an active compartment)"),
    neuronUpdateInactive: ns(6.0, "loihi_lif latency_access_neuron (every compartment, every step)"),
    hop: c(4.1, "ns", `${SANAFE} latency_east_hop / latency_west_hop, ${DAVIES_HOP}`, "pre-silicon"),
    hopNS: ns(6.5, "latency_north_hop / latency_south_hop (equal to Davies 2018's north-south figure)"),
    withinTile: c(0, "ns", `${SANAFE}: messages between cores of one tile take no hop`, "fitted"),
    receive: ns(16, "loihi_in latency_message_in"),
    spike: ns(30, "loihi_lif latency_spike_out"),
    packet: ns(5.1, "loihi_out latency_message_out"),
    barrier: { lookup: "step", points: [sync(1, 0.6), sync(2, 1.0), sync(4, 1.4), sync(29, 1.8)] },
  };
}

function sanafeEnergy(): EnergySpec {
  const pj = (v: number, what: string) => fit(v, "pJ", what);
  return {
    synOp: pj(35.5, "loihi_dense_synapse energy_process_spike"),
    neuronUpdate: pj(51.2 + 21.6, "loihi_lif energy_access_neuron 51.2 + energy_update_neuron 21.6 (an active compartment)"),
    neuronUpdateInactive: pj(51.2, "loihi_lif energy_access_neuron (every compartment, every step)"),
    hop: c(3.0, "pJ", `${SANAFE} energy_east_hop / energy_west_hop, ${DAVIES_HOP}`, "pre-silicon"),
    hopNS: pj(4.2, "energy_north_hop / energy_south_hop (Davies 2018 gives 4.0 pJ)"),
    withinTile: c(0, "pJ", `${SANAFE}: messages between cores of one tile take no hop`, "fitted"),
    spike: pj(69.3, "loihi_lif energy_spike_out"),
    packet: pj(111, "loihi_out energy_message_out (per message a core sends, one per destination core)"),
    staticPerCore: loihiStatic(),
  };
}
