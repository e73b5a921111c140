/**
 * The Vogels–Abbott CUBA network as in Brian2's CUBA example: 4000 LIF neurons (3200
 * excitatory), 2% random connectivity, tau_m 20 ms, current synapses of 5 ms (exc.) and
 * 10 ms (inh.), 5 ms refractory period. Voltages in mV, times in seconds.
 */
import type { Graph } from "../graph.js";
import { graph } from "../builders.js";
import { Rng } from "../random.js";

export interface CubaOptions {
  /** Seed for connectivity and initial potentials (explicit: same seed, same network). */
  seed: number;
  /** Simulation step in seconds; synaptic weights are scaled by tau_syn/dt so that one spike adds exactly we (wi) mV to ge (gi) under forward Euler. */
  dt?: number;
  n?: number;
  nExc?: number;
  p?: number;
}

/** The network and its initial state (v uniform in [Vr, Vt], as Brian2's example draws it). */
export interface CubaModel {
  graph: Graph;
  init: Record<string, Record<string, Float64Array>>;
  /** Number of synapses (excitatory, inhibitory). */
  synapses: { exc: number; inh: number };
}

export const CUBA = { taum: 20e-3, taue: 5e-3, taui: 10e-3, Vt: -50, Vr: -60, El: -49, we: (60 * 0.27) / 10, wi: (-20 * 4.5) / 10, tref: 5e-3 };

/** Builds the CUBA network. Connections i -> j are drawn with probability p, self-connections included, as Brian2's connect(p=...) does. */
export function cubaNetwork(opts: CubaOptions): CubaModel {
  const { n = 4000, nExc = 3200, p = 0.02, dt = 1e-4 } = opts;
  const rng = new Rng(opts.seed);
  const draw = (from: number, to: number) => {
    const i: number[] = [];
    const j: number[] = [];
    for (let pre = from; pre < to; pre++) for (const post of rng.bernoulliIndices(n, p)) { i.push(pre); j.push(post); }
    return { i, j };
  };
  const exc = draw(0, nExc);
  const inh = draw(nExc, n);
  const g = graph()
    .multiCubaLIF("P", { size: n, tau_syn: [CUBA.taue, CUBA.taui], tau_mem: CUBA.taum, r: 1, v_leak: CUBA.El, v_threshold: CUBA.Vt, v_reset: CUBA.Vr, t_ref: CUBA.tref }, { from: null })
    .sparse("Ce", { pre: n, post: n, ...exc, weight: (CUBA.we * CUBA.taue) / dt }, { from: "P" })
    .sparse("Ci", { pre: n, post: n, ...inh, weight: (CUBA.wi * CUBA.taui) / dt }, { from: "P" })
    .connect("Ce", "P", 0)
    .connect("Ci", "P", 1)
    .build();
  const v = new Float64Array(n);
  for (let k = 0; k < n; k++) v[k] = CUBA.Vr + rng.random() * (CUBA.Vt - CUBA.Vr);
  return { graph: g, init: { P: { v } }, synapses: { exc: exc.i.length, inh: inh.i.length } };
}
