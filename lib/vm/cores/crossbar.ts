/** TrueNorth-like crossbar core: each axon event reads one crossbar row and integrates all its synapses in parallel; neurons update once per tick. */
import type { Target } from "../../target/types.js";
import { cycles, optCycles, type CoreModel } from "./types.js";

/** A crossbar core: one row read per event, whatever its fan-out. */
export function crossbarCore(t: Target): CoreModel {
  const tm = t.timing, syn = cycles(t, tm.synOp), upd = cycles(t, tm.neuronUpdate);
  return {
    name: "crossbar",
    summary: `TrueNorth-like: ${syn} cycle(s) per axon event (one crossbar row, synapses in parallel), ${upd} per neuron update`,
    receive: (n) => ({ cycles: n > 0 ? syn : 0, reads: n > 0 ? 1 : 0, writes: n > 0 ? 1 : 0 }),
    update: (n) => ({ cycles: n * upd, reads: n, writes: n }),
    emit: () => ({ cycles: 1, reads: 0, writes: 0 }),
    stages: () => ({
      axonIn: optCycles(t, tm.receive, 0), synapsePerMessage: syn, synapsePerSynapse: 0, dendritePerSynapse: 0,
      somaActive: upd, somaInactive: optCycles(t, tm.neuronUpdateInactive, upd), spike: optCycles(t, tm.spike, 0), axonOut: optCycles(t, tm.packet, 1),
    }),
  };
}
