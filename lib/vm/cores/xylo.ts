/** Xylo-like core: a single synchronous core; each event walks its fan-out one synapse per cycle into per-current accumulators, then every neuron is updated in turn. */
import type { Target } from "../../target/types.js";
import { cycles, type CoreModel } from "./types.js";

/** A Xylo-like core (no mesh: its events never leave the core). */
export function xyloCore(t: Target): CoreModel {
  const syn = cycles(t, t.timing.synOp), upd = cycles(t, t.timing.neuronUpdate);
  return {
    name: "xylo",
    summary: `Xylo-like: ${syn} cycle(s) per synapse, ${upd} per neuron and current`,
    receive: (n) => ({ cycles: n * syn, reads: n, writes: n }),
    update: (n, ports) => ({ cycles: n * upd * ports, reads: n * (1 + ports), writes: n * (1 + ports) }),
    emit: () => ({ cycles: 1, reads: 0, writes: 0 }),
  };
}
