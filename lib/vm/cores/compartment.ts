/** Loihi-like compartment core: an axon lookup per event, a pipelined synapse fetch and dendrite accumulate per synapse, a sequential compartment update. */
import type { Target } from "../../target/types.js";
import { cycles, type CoreModel } from "./types.js";

/** A compartment core with the target's synaptic-op and neuron-update latencies. */
export function compartmentCore(t: Target): CoreModel {
  const syn = cycles(t, t.timing.synOp), upd = cycles(t, t.timing.neuronUpdate);
  return {
    name: "compartment",
    summary: `Loihi-like: axon lookup + ${syn} cycle(s) per synaptic op, ${upd} per compartment update`,
    receive: (n) => ({ cycles: 1 + n * syn, reads: 1 + n, writes: n }),
    update: (n, ports) => ({ cycles: n * upd, reads: n * (1 + ports), writes: n * (1 + ports) }),
    emit: () => ({ cycles: 1, reads: 1, writes: 0 }),
  };
}
