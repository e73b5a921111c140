/** TrueNorth-like crossbar core: each axon event reads one crossbar row and integrates all its synapses in parallel; neurons update once per tick. */
import type { Target } from "../../target/types.js";
import { cycles, type CoreModel } from "./types.js";

/** A crossbar core: one row read per event, whatever its fan-out. */
export function crossbarCore(t: Target): CoreModel {
  const syn = cycles(t, t.timing.synOp), upd = cycles(t, t.timing.neuronUpdate);
  return {
    name: "crossbar",
    summary: `TrueNorth-like: ${syn} cycle(s) per axon event (one crossbar row, synapses in parallel), ${upd} per neuron update`,
    receive: (n) => ({ cycles: n > 0 ? syn : 0, reads: n > 0 ? 1 : 0, writes: n > 0 ? 1 : 0 }),
    update: (n) => ({ cycles: n * upd, reads: n, writes: n }),
    emit: () => ({ cycles: 1, reads: 0, writes: 0 }),
  };
}
