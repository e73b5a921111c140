/** Xylo-like core: a single synchronous core; each event walks its fan-out one synapse per cycle into per-current accumulators, then every neuron is updated in turn. */
import type { Target } from "../../target/types.js";
import { cycles, optCycles, type CoreModel } from "./types.js";

/** A Xylo-like core (no mesh: its events never leave the core). */
export function xyloCore(t: Target): CoreModel {
  const tm = t.timing, syn = cycles(t, tm.synOp), upd = cycles(t, tm.neuronUpdate);
  return {
    name: "xylo",
    summary: `Xylo-like: ${syn} cycle(s) per synapse, ${upd} per neuron and current`,
    receive: (n) => ({ cycles: n * syn, reads: n, writes: n }),
    update: (n, ports) => ({ cycles: n * upd * ports, reads: n * (1 + ports), writes: n * (1 + ports) }),
    emit: () => ({ cycles: 1, reads: 0, writes: 0 }),
    stages: (ports) => ({
      axonIn: optCycles(t, tm.receive, 0), synapsePerMessage: 0, synapsePerSynapse: syn, dendritePerSynapse: 0,
      somaActive: upd * ports, somaInactive: optCycles(t, tm.neuronUpdateInactive, upd) * ports, spike: optCycles(t, tm.spike, 0), axonOut: optCycles(t, tm.packet, 1),
    }),
  };
}
