/**
 * Counters per layer and per core, derived from the per-neuron event counts of a run: every
 * event of neuron k reaches the synapses of row k (split by destination core), travels as
 * packets over the mesh (multicast tree or one packet per destination), and costs the core
 * model's memory accesses. Synaptic operations here are hardware-centric: synOpsDense = stored
 * synapses x steps x batch; synOpsAC = synapses reached by +1 events; synOpsMAC = by other events,
 * event by event. NeuroBench's own definitions (layer calls, all weights) are in neurobench.ts.
 */
import type { VmModel, VmProjection } from "./model.js";
import type { Network } from "./network.js";
import type { CoreModel, Work } from "./cores/index.js";
import { HOST, coreOfNeuron, destinations, fanout, routeCache, rowCount, type Fanout } from "./noc/routes.js";
import { proceduralRowStats, type RowStats } from "./row-stats.js";
import { zeroCounts, type Counters, type Counts } from "./types.js";

const destCache = new WeakMap<VmModel, number[][][]>();

/** Destination units of every neuron of every layer (cached per model). */
export function allDestinations(m: VmModel): number[][][] {
  let d = destCache.get(m);
  // Stryker disable next-line ConditionalExpression: the cache only saves time
  if (!d) { d = m.layers.map((_, i) => destinations(m, i)); destCache.set(m, d); }
  return d;
}

/** Synapses of row k of p per destination unit: from the CSR, or (procedural) the rows' counts made once per run. */
function unitCounts(m: VmModel, p: VmProjection, k: number, units: RowStats["units"]): ArrayLike<number> {
  if (!p.rows) return units.map((s) => rowCount(p, k, s.start, s.start + s.count));
  const c = proceduralRowStats(m, p).counts;
  return c.subarray(k * units.length, (k + 1) * units.length);
}

/** Derives the run's counters. */
export function deriveCounters(net: Network, core: CoreModel, stepsDone: number): Counters {
  const m = net.model, t = m.program.target, B = net.batch;
  const layers: Record<string, Counts> = {}, cores: Record<number, Counts> = {};
  const L = (i: number) => (layers[m.layers[i].name] ??= zeroCounts());
  const C = (c: number) => (cores[c] ??= zeroCounts());
  const mem = (x: Counts, w: Work, times: number) => { x.memReads += w.reads * times; x.memWrites += w.writes * times; };
  const dests = allDestinations(m), fanCache = routeCache<Fanout>();
  for (const l of m.layers) {
    const units = l.partition === "chip" ? l.slices : [{ core: HOST, start: 0, count: l.size }];
    if (l.kind === "neuron") for (const s of units) {
      const n = s.count * stepsDone * B;
      L(l.index).neuronUpdates += n; C(s.core).neuronUpdates += n;
      mem(C(s.core), core.update(s.count, l.cuba ? l.ports : 1), stepsDone * B);
    }
    const ev = net.events[l.index];
    // Per outgoing projection: its destination units and the synapses per unit summed over rows (synOpsDense).
    const outs = m.outgoing[l.index].map((pi) => {
      const p = m.projections[pi], dl = m.layers[p.dst];
      const dunits = dl.partition === "chip" ? dl.slices : [{ core: HOST, start: 0, count: dl.size }];
      return { p, dunits, dense: new Float64Array(dunits.length) };
    });
    for (let k = 0; k < l.size; k++) {
      const bin = ev.binary[k], gr = ev.graded[k], e = bin + gr;
      // Each row's synapses per unit, counted once for the dense count and for the events that reached them.
      const counts = outs.map(({ p, dunits, dense }) => {
        const c = unitCounts(m, p, k, dunits);
        for (let u = 0; u < c.length; u++) dense[u] += c[u];
        return c;
      });
      // Stryker disable next-line ConditionalExpression: a silent neuron adds 0 to every count (at most a row of zeros); skipping it saves time
      if (e === 0) continue;
      const src = coreOfNeuron(m, l.index, k);
      if (l.spiking) { L(l.index).spikes += e; C(src).spikes += e; } // input layers are spiking (model.ts)
      const d = dests[l.index][k], f = fanCache(src, d, () => fanout(t, src, d));
      for (const x of [L(l.index), C(src)]) { x.packets += f.packets * e; x.hops += f.hops * e; x.localDeliveries += f.local * e; }
      if (d.length) mem(C(src), core.emit(), e);
      outs.forEach(({ p, dunits }, o) => {
        for (const [u, s] of dunits.entries()) {
          const n = counts[o][u];
          if (n === 0) continue;
          for (const x of [L(p.dst), C(s.core)]) { x.synOpsAC += n * bin; x.synOpsMAC += n * gr; }
          mem(C(s.core), core.receive(n), e);
        }
      });
    }
    for (const { p, dunits, dense } of outs)
      dunits.forEach((s, u) => { L(p.dst).synOpsDense += dense[u] * stepsDone * B; C(s.core).synOpsDense += dense[u] * stepsDone * B; });
  }
  const total = zeroCounts();
  for (const c of Object.values(layers)) for (const k of Object.keys(total) as Array<keyof Counts>) total[k] += c[k];
  // Memory accesses are per core; the total is theirs.
  total.memReads = Object.values(cores).reduce((a, c) => a + c.memReads, 0);
  total.memWrites = Object.values(cores).reduce((a, c) => a + c.memWrites, 0);
  return { total, layers, cores, steps: stepsDone, batch: B };
}
