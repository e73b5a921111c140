/**
 * The counts energy and chip time need beyond the counters, derived from the run's state that
 * both engines share (so both price a run alike): active and inactive neuron updates, mesh
 * hops by direction (east-west, north-south), spikes emitted by chip neurons, and messages
 * sent and received by cores (one per event and destination core, as SANA-FE counts them).
 */
import type { Network } from "./network.js";
import type { Constant, Target } from "../target/types.js";
import { linkKind } from "../target/system.js";
import { allDestinations } from "./counters.js";
import { HOST, coreOfNeuron, linkSet, routeCache, routerOf, walk } from "./noc/routes.js";

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
  /** On a system: chip-to-chip and board-to-board link traversals (not counted in hopsEW/hopsNS). */
  chipLinks: number;
  boardLinks: number;
}

/** Per layer and per core (core -1 is the host). */
export interface EnergyCounts {
  layers: Record<string, ActivityCounts>;
  cores: Record<number, ActivityCounts>;
  /** Whether active and inactive updates were told apart (else every update counts as active). */
  activityCounted: boolean;
  /** Routers (tiles) holding a core in use. */
  tilesUsed: number;
  /** On a system: the most chip and board links one event crossed (the farthest inter-chip delivery). */
  farthest: { chip: number; board: number };
}

const zero = (): ActivityCounts => ({ active: 0, inactive: 0, hopsEW: 0, hopsNS: 0, chipSpikes: 0, messagesOut: 0, messagesIn: 0, chipLinks: 0, boardLinks: 0 });

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
  const dests = allDestinations(m), routes = routeCache<LinkCounts>(), farthest = { chip: 0, board: 0 };
  for (const l of m.layers) {
    const ev = net.events[l.index];
    for (let k = 0; k < l.size; k++) {
      const e = ev.binary[k] + ev.graded[k];
      // Stryker disable next-line ConditionalExpression: a silent neuron adds 0 to every count (at most a row of zeros); skipping it saves time
      if (e === 0) continue;
      const src = coreOfNeuron(m, l.index, k), d = dests[l.index][k], r = routes(src, d, () => directionalHops(t, src, d));
      const chipDests = d.filter((c) => c !== HOST);
      for (const x of [L(l.index), C(src)]) {
        x.hopsEW += r.ew * e; x.hopsNS += r.ns * e; x.chipLinks += r.chip * e; x.boardLinks += r.board * e;
        // Only neuron layers sit on cores (input layers are on the host).
        if (src !== HOST) { x.chipSpikes += e; x.messagesOut += chipDests.length * e; }
      }
      for (const c of chipDests) C(c).messagesIn += e;
      farthest.chip = Math.max(farthest.chip, r.farChip); farthest.board = Math.max(farthest.board, r.farBoard);
    }
  }
  const tiles = new Set(m.program.cores.map((c) => routerOf(t, c.id).join(",")));
  return { layers, cores, activityCounted: net.active !== null, tilesUsed: Math.max(1, tiles.size), farthest };
}

/** Links one event crosses: on-chip east-west and north-south, chip and board links, and the most chip/board links to one destination. */
export interface LinkCounts { ew: number; ns: number; chip: number; board: number; farChip: number; farBoard: number }

/** Links one event from `src` crosses to reach `dsts`, east-west and north-south (multicast: the tree's links once); on a system, chip and board links apart. */
export function directionalHops(t: Target, src: number, dsts: readonly number[]): LinkCounts {
  const [sx, sy] = routerOf(t, src), seen = linkSet(t);
  const out: LinkCounts = { ew: 0, ns: 0, chip: 0, board: 0, farChip: 0, farBoard: 0 };
  let chip = 0, board = 0;
  // A link's port by number (routes.ts PORTS): 0 E, 1 W, 2 N, 3 S.
  const visit = (router: number, port: number) => {
    const ew = port < 2, x = router % t.mesh.width, y = Math.floor(router / t.mesh.width);
    const kind = ew ? linkKind(t, "x", port === 0 ? x : x - 1) : linkKind(t, "y", port === 2 ? y : y - 1);
    if (kind === "chip") chip++; else if (kind === "board") board++;
    const id = 4 * router + port;
    if (t.mesh.multicast && seen.has(id)) return;
    seen.add(id);
    if (kind === "chip") out.chip++; else if (kind === "board") out.board++; else if (ew) out.ew++; else out.ns++;
  };
  for (const d of dsts) {
    // Stryker disable next-line ConditionalExpression: the path from a core to itself has no links
    if (d === src) continue;
    const [dx, dy] = routerOf(t, d);
    chip = 0; board = 0;
    walk(t, sx, sy, dx, dy, visit);
    out.farChip = Math.max(out.farChip, chip); out.farBoard = Math.max(out.farBoard, board);
  }
  return out;
}

/** Seconds a step waits for its farthest inter-chip spike (the most chip and board links one event crossed times their latency), and the latencies used. */
export function linkWait(t: Target, counts: EnergyCounts): { seconds: number; used: Array<[string, Constant]> } {
  const s = t.system, used: Array<[string, Constant]> = [];
  if (!s) return { seconds: 0, used };
  let sec = 0;
  if (counts.farthest.chip) { used.push(["system.chipLink.latency", s.chipLink.latency]); sec += counts.farthest.chip * latency(s.chipLink.latency); }
  const b = s.boardLink ?? s.chipLink;
  if (counts.farthest.board) { used.push([s.boardLink ? "system.boardLink.latency" : "system.chipLink.latency", b.latency]); sec += counts.farthest.board * latency(b.latency); }
  return { seconds: sec, used };
}

const LATENCY: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };

function latency(c: Constant): number {
  const u = LATENCY[c.unit];
  if (u === undefined) throw new Error(`link latency in unknown unit "${c.unit}"`);
  return c.value * u;
}
