/**
 * The behavioural engine: per timestep, layers in evaluation order are updated with the
 * target's arithmetic and their events scattered along outgoing projections; only the rows of
 * neurons that spiked are touched (event-driven).
 */
import type { Engine } from "./engine.js";
import { stepLayer, type Network } from "./network.js";
import type { CoreModel } from "./cores/index.js";

/** Builds the behavioural engine over a network. */
export function behaviouralEngine(net: Network, core: CoreModel): Engine {
  const L = net.model.layers.length;
  return {
    name: "behavioural",
    core,
    step(t: number) {
      for (let i = 0; i < L; i++) stepLayer(net, i, t);
    },
  };
}
