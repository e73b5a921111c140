/** Loihi-like compartment core: an axon lookup per message, a synapse fetch and dendrite accumulate per synapse, a sequential compartment update. */
import type { Target } from "../../target/types.js";
import { cycles, optCycles, type CoreModel } from "./types.js";

/** A compartment core with the target's synaptic-op and neuron-update latencies. */
export function compartmentCore(t: Target): CoreModel {
  const tm = t.timing, syn = cycles(t, tm.synOp), upd = cycles(t, tm.neuronUpdate);
  return {
    name: "compartment",
    summary: `Loihi-like: axon lookup + ${syn} cycle(s) per synaptic op, ${upd} per compartment update`,
    receive: (n) => ({ cycles: 1 + n * syn, reads: 1 + n, writes: n }),
    update: (n, ports) => ({ cycles: n * upd, reads: n * (1 + ports), writes: n * (1 + ports) }),
    emit: () => ({ cycles: 1, reads: 1, writes: 0 }),
    stages: () => ({
      axonIn: optCycles(t, tm.receive, 1), synapsePerMessage: 0, synapsePerSynapse: syn, dendritePerSynapse: 0,
      somaActive: upd, somaInactive: optCycles(t, tm.neuronUpdateInactive, upd), spike: optCycles(t, tm.spike, 0), axonOut: optCycles(t, tm.packet, 1),
    }),
  };
}
