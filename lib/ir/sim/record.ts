/** Recording during a run: spikes of every spiking node, state of recorded nodes, and Output values. */
import type { AnalysedGraph } from "../validate.js";
import type { ResolvedOptions } from "./options.js";
import { alloc } from "./params.js";
import type { Plan } from "./plan.js";
import type { Buf, SimResult, SpikeList } from "./types.js";

/** Copies what a step produced into the result arrays. */
export interface Recorder {
  capture(t: number): void;
  result(): Pick<SimResult, "spikes" | "records" | "outputs">;
}

interface Track {
  src: Buf;
  dst: Buf;
}

/** Variables recorded for a node: its state, plus `spike` for spiking nodes or `out` for nodes without state. */
export function recordedVariables(state: Record<string, Buf>, out: Buf, spiking: boolean): Record<string, Buf> {
  const vars: Record<string, Buf> = { ...state };
  if (spiking) vars.spike = out;
  else if (!Object.keys(state).length) vars.out = out;
  return vars;
}

/** Allocates every record array up front ([T, B, N] each). */
export function makeRecorder(plan: Plan, g: AnalysedGraph, o: ResolvedOptions): Recorder {
  const { steps, batch } = o;
  const tracks: Track[] = [];
  const records: SimResult["records"] = {};
  for (const name of o.record) {
    const p = plan.nodes.get(name)!;
    records[name] = {};
    for (const [v, src] of Object.entries(recordedVariables(p.kernel.state, p.out, p.spiking))) {
      const dst = alloc(o.dtype, steps * src.length);
      records[name][v] = dst;
      tracks.push({ src, dst });
    }
  }
  const outputs: SimResult["outputs"] = {};
  for (const [name, node] of Object.entries(g.nodes))
    if (node.type === "Output") {
      const src = plan.nodes.get(name)!.out;
      outputs[name] = new Float64Array(steps * src.length);
      tracks.push({ src, dst: outputs[name] });
    }
  const spiking = [...plan.nodes.values()].filter((p) => p.spiking);
  const spikes: Record<string, SpikeList> = Object.fromEntries(spiking.map((p) => [p.name, []]));
  return {
    capture(t) {
      for (const { src, dst } of tracks) dst.set(src, t * src.length);
      for (const p of spiking) {
        const list = spikes[p.name];
        const out = p.out;
        // One entry per spike: a neuron with spikes 'multiple' can fire out[j] > 1 times in a step.
        for (let j = 0; j < out.length; j++)
          for (let c = 0; c < out[j]; c++) list.push(batch === 1 ? [t, j] : [t, Math.floor(j / p.n), j % p.n]);
      }
    },
    result: () => ({ spikes, records, outputs }),
  };
}
