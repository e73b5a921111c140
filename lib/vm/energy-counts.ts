/**
 * The counts energy and chip time need beyond the counters, derived from the run's state that
 * both engines share (so both price a run alike): active and inactive neuron updates, mesh
 * hops by direction (east-west, north-south), spikes emitted by chip neurons, and messages
 * sent and received by cores (one per event and destination core, as SANA-FE counts them).
 */
import type { Network } from "./network.js";
import type { Target } from "../target/types.js";
import { allDestinations } from "./counters.js";
import { HOST, coreOfNeuron, path, routerOf } from "./noc/routes.js";

/** Counts of one layer or core over the run (all batch entries). */
export interface ActivityCounts {
  /** Neuron updates of neurons active in their step, and of the others. */
  active: number;
  inactive: number;
  /** Mesh links traversed east-west and north-south. */
  hopsEW: number;
  hopsNS: number;
  /** Events emitted by neurons on the chip. */
  chipSpikes: number;
  /** Messages a core sends (one per event and destination core on the chip) and receives. */
  messagesOut: number;
  messagesIn: number;
}

/** Per layer and per core (core -1 is the host). */
export interface EnergyCounts {
  layers: Record<string, ActivityCounts>;
  cores: Record<number, ActivityCounts>;
  /** Whether active and inactive updates were told apart (else every update counts as active). */
  activityCounted: boolean;
  /** Routers (tiles) holding a core in use. */
  tilesUsed: number;
}

const zero = (): ActivityCounts => ({ active: 0, inactive: 0, hopsEW: 0, hopsNS: 0, chipSpikes: 0, messagesOut: 0, messagesIn: 0 });

/** Derives the counts of a run after `steps` steps. */
export function energyCounts(net: Network, steps: number): EnergyCounts {
  const m = net.model, t = m.program.target, B = net.batch;
  const layers: Record<string, ActivityCounts> = {}, cores: Record<number, ActivityCounts> = {};
  const L = (i: number) => (layers[m.layers[i].name] ??= zero());
  const C = (c: number) => (cores[c] ??= zero());
  for (const l of m.layers) {
    if (l.kind !== "neuron") continue;
    const units = l.partition === "chip" ? l.slices : [{ core: HOST, start: 0, count: l.size }];
    for (const [u, s] of units.entries()) {
      const updates = s.count * steps * B, active = net.active ? net.active[l.index][u] : updates;
      for (const x of [L(l.index), C(s.core)]) { x.active += active; x.inactive += updates - active; }
    }
  }
  const dests = allDestinations(m), routes = new Map<string, { ew: number; ns: number }>();
  for (const l of m.layers) {
    const ev = net.events[l.index];
    for (let k = 0; k < l.size; k++) {
      const e = ev.binary[k] + ev.graded[k];
      if (e === 0) continue;
      const src = coreOfNeuron(m, l.index, k), d = dests[l.index][k], key = `${src}|${d.join(",")}`;
      let r = routes.get(key);
      if (!r) { r = directionalHops(t, src, d); routes.set(key, r); }
      const chipDests = d.filter((c) => c !== HOST);
      for (const x of [L(l.index), C(src)]) {
        x.hopsEW += r.ew * e; x.hopsNS += r.ns * e;
        if (src !== HOST && l.kind === "neuron") { x.chipSpikes += e; x.messagesOut += chipDests.length * e; }
      }
      for (const c of chipDests) C(c).messagesIn += e;
    }
  }
  const tiles = new Set(m.program.cores.map((c) => routerOf(t, c.id).join(",")));
  return { layers, cores, activityCounted: net.active !== null, tilesUsed: Math.max(1, tiles.size) };
}

/** Links one event from `src` crosses to reach `dsts`, east-west and north-south (multicast: the tree's links once). */
export function directionalHops(t: Target, src: number, dsts: readonly number[]): { ew: number; ns: number } {
  const [sx, sy] = routerOf(t, src), seen = new Set<string>();
  let ew = 0, ns = 0;
  for (const d of dsts) {
    if (d === src) continue;
    const [dx, dy] = routerOf(t, d);
    for (const link of path(t, sx, sy, dx, dy)) {
      const id = `${link.router}${link.port}`;
      if (t.mesh.multicast && seen.has(id)) continue;
      seen.add(id);
      if (link.port === "E" || link.port === "W") ew++; else ns++;
    }
  }
  return { ew, ns };
}
