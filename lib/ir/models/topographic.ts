/**
 * A topographic E/I network: excitatory neurons on a square sheet (one per unit cell, row by
 * row), inhibitory ones on a grid of half the resolution (one per 2 x 2 cells), each neuron
 * sending a fixed number of synapses to each population with targets drawn around its own
 * position from a Gaussian of width `sigma` cells (a distance-dependent connection probability,
 * as NEST's spatial connections with a Gaussian kernel and fixed out-degree; targets beyond the
 * sheet are drawn again: no wrap-around). Neurons are CUBA's (Vogels-Abbott) MultiCubaLIF with
 * an excitatory (port 0) and an inhibitory (port 1) current; weights are CUBA's scaled by its
 * mean in-degree (64 excitatory, 16 inhibitory inputs) over this one's, so the input per neuron
 * stays the same. Placement matters here: neighbours on the sheet talk, distant ones never do.
 */
import { PhasorError } from "../errors.js";
import type { Graph } from "../graph.js";
import { graph } from "../builders.js";
import { Rng } from "../random.js";
import { CUBA } from "./cuba.js";

/** Options of the topographic network. */
export interface TopographicOptions {
  /** Seed of the connectivity and initial potentials. */
  seed: number;
  /** Excitatory sheet side in cells (even; default 288: 82,944 E and 20,736 I neurons, 103,680 in all). */
  side?: number;
  /** Width of the Gaussian connection kernel, in cells (default 4). */
  sigma?: number;
  /** Synapses per neuron onto E and onto I (default 40 and 10). */
  kE?: number;
  kI?: number;
  /** Time step in seconds (weights are w tau_syn / dt as in cubaNetwork). */
  dt?: number;
}

/** The network, its initial state, and the neuron positions (in cells). */
export interface TopographicModel {
  graph: Graph;
  init: Record<string, Record<string, Float64Array>>;
  sizes: { E: number; I: number };
  synapses: number;
}

/** Builds the topographic E/I network (layers "E" and "I"; projections EE, EI, IE, II). */
export function topographic(opts: TopographicOptions): TopographicModel {
  const { side = 288, sigma = 4, kE = 40, kI = 10, dt = 1e-4 } = opts;
  if (!(Number.isInteger(side) && side >= 2 && side % 2 === 0)) throw new PhasorError(`topographic: side must be an even integer >= 2, got ${side}`, "bad-parameter");
  if (!(sigma > 0)) throw new PhasorError(`topographic: sigma must be positive, got ${sigma}`, "bad-parameter");
  const rng = new Rng(opts.seed), nE = side * side, half = side / 2, nI = half * half;
  const posE = (k: number): [number, number] => [(k % side) + 0.5, Math.floor(k / side) + 0.5];
  const posI = (k: number): [number, number] => [2 * (k % half) + 1, 2 * Math.floor(k / half) + 1];
  const toE = (x: number, y: number) => Math.floor(y) * side + Math.floor(x);
  const toI = (x: number, y: number) => Math.floor(y / 2) * half + Math.floor(x / 2);
  const draw = (n: number, pos: (k: number) => [number, number], k: number, to: (x: number, y: number) => number) => {
    const i = new Int32Array(n * k), j = new Int32Array(n * k);
    for (let a = 0, q = 0; a < n; a++) {
      const [x0, y0] = pos(a);
      for (let m = 0; m < k; m++, q++) {
        let x: number, y: number;
        do { [x, y] = gaussian2(rng, x0, y0, sigma); } while (x < 0 || y < 0 || x >= side || y >= side);
        i[q] = a; j[q] = to(x, y);
      }
    }
    return { i, j };
  };
  const scaleE = 64 / kE, scaleI = 16 / kI;
  const we = (CUBA.we * CUBA.taue * scaleE) / dt, wi = (CUBA.wi * CUBA.taui * scaleI) / dt;
  const p = { tau_syn: [CUBA.taue, CUBA.taui], tau_mem: CUBA.taum, r: 1, v_leak: CUBA.El, v_threshold: CUBA.Vt, v_reset: CUBA.Vr, t_ref: CUBA.tref };
  const g = graph()
    .multiCubaLIF("E", { size: nE, ...p }, { from: null })
    .multiCubaLIF("I", { size: nI, ...p }, { from: null })
    .sparse("EE", { pre: nE, post: nE, ...draw(nE, posE, kE, toE), weight: we }, { from: "E" }).connect("EE", "E", 0)
    .sparse("EI", { pre: nE, post: nI, ...draw(nE, posE, kI, toI), weight: we }, { from: "E" }).connect("EI", "I", 0)
    .sparse("IE", { pre: nI, post: nE, ...draw(nI, posI, kE, toE), weight: wi }, { from: "I" }).connect("IE", "E", 1)
    .sparse("II", { pre: nI, post: nI, ...draw(nI, posI, kI, toI), weight: wi }, { from: "I" }).connect("II", "I", 1)
    .build();
  const v = (n: number) => Float64Array.from({ length: n }, () => CUBA.Vr + rng.random() * (CUBA.Vt - CUBA.Vr));
  return { graph: g, init: { E: { v: v(nE) }, I: { v: v(nI) } }, sizes: { E: nE, I: nI }, synapses: (nE + nI) * (kE + kI) };
}

/** A point drawn from a 2D Gaussian of width sigma around (x0, y0) (Box-Muller). */
function gaussian2(rng: Rng, x0: number, y0: number, sigma: number): [number, number] {
  const r = sigma * Math.sqrt(-2 * Math.log(1 - rng.random())), a = 2 * Math.PI * rng.random();
  return [x0 + r * Math.cos(a), y0 + r * Math.sin(a)];
}
