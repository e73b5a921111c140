/**
 * The cycle-accurate engine: the Program's units run as processes of a discrete-event kernel.
 * Per timestep a unit waits for its within-step inputs (end-of-phase tokens that follow the
 * spikes down the same FIFO mesh paths), updates its neurons with the target's arithmetic (the
 * behavioural engine's functions, on its slice only), injects one packet per spike and then a
 * token. Spikes reaching a core cost the core model's synaptic-op cycles as they arrive; the
 * arithmetic is applied in the behavioural engine's canonical order, so spikes are identical.
 * A step ends at a barrier once every unit is done and the mesh is empty.
 */
import { PhasorError } from "../../ir/errors.js";
import type { Engine, EngineOptions } from "../engine.js";
import type { Network } from "../network.js";
import type { VmProjection } from "../model.js";
import type { CoreModel } from "../cores/index.js";
import { cycles } from "../cores/types.js";
import { HOST, lowerBound } from "../noc/routes.js";
import { allDestinations } from "../counters.js";
import { Kernel } from "./kernel.js";
import { Mesh, type Packet } from "./noc.js";
import { buildUnits, type Arrival, type Unit } from "./units.js";
import type { CycleReport } from "./report.js";
import { barrierSeconds, cyclesNa } from "../chip-time.js";
import { countActive } from "../activity.js";
import { routerOf } from "../noc/routes.js";

/** Builds the cycle-accurate engine over a network. */
export function cycleEngine(net: Network, core: CoreModel, o: EngineOptions = {}): Engine {
  const m = net.model, t = m.program.target, kernel = new Kernel();
  const procedural = m.projections.find((p) => p.rows);
  if (procedural) throw new PhasorError(`the cycle engine does not run procedural projections yet (${procedural.name}); compile with connectivity: "materialised"`, "procedural");
  const units = buildUnits(m), dests = allDestinations(m);
  const onCore = new Map<number, Unit[]>();
  for (const u of units) { const a = onCore.get(u.core); if (a) a.push(u); else onCore.set(u.core, [u]); }
  const tm = t.timing, opt = (k: typeof tm.hop | undefined) => (k ? cycles(t, k) : 0);
  const hopCycles = cycles(t, tm.hop);
  const timing = { hopCycles, hopNSCycles: tm.hopNS ? cycles(t, tm.hopNS) : undefined, withinCycles: tm.withinTile ? cycles(t, tm.withinTile) : undefined };
  const mesh = new Mesh(kernel, t, { ...timing, linkCycles: o.linkCycles ?? 1, depth: o.bufferDepth ?? 16 }, (c, p) => deliver(c, p));
  const busy = new Map<number, number>(), coreBusy: Record<number, number> = {}, coreDone: Record<number, number[]> = {};
  const tiles = new Set(m.program.cores.map((c) => routerOf(t, c.id).join(","))).size;
  const barrier = tm.barrier ? Math.round(barrierSeconds(t, Math.max(1, tiles)) * tm.clock.value) : 2 * (t.mesh.width + t.mesh.height - 2) * hopCycles;
  // Latencies the core model does not hold: an inactive update, per spike, per message sent and received (SANA-FE).
  const upd = cycles(t, tm.neuronUpdate), idle = tm.neuronUpdateInactive ? cycles(t, tm.neuronUpdateInactive) : undefined;
  const spikeCycles = opt(tm.spike), packetCycles = opt(tm.packet), receiveCycles = opt(tm.receive);
  const stepCycles: number[] = [];
  const projInto = (src: number, dst: number) => m.outgoing[src].map((pi) => m.projections[pi]).filter((p) => p.dst === dst);
  let step = 0;

  const work = (c: number, cyc: number, from: number) => {
    if (c === HOST) return from;
    const end = Math.max(from, busy.get(c) ?? 0) + cyc;
    busy.set(c, end);
    coreBusy[c] = (coreBusy[c] ?? 0) + cyc;
    return end;
  };

  function deliver(c: number, p: Packet): void {
    for (const u of onCore.get(c) ?? []) {
      if (p.token) { if (u.sources.has(p.unit) && ++u.tokens === u.sources.size) start(u); continue; }
      let n = 0;
      for (const pr of projInto(p.layer, u.layer)) {
        const r0 = pr.indptr[p.k], r1 = pr.indptr[p.k + 1];
        const c0 = lowerBound(pr.indices, r0, r1, u.start), c1 = lowerBound(pr.indices, r0, r1, u.end);
        if (c1 > c0) { n += c1 - c0; u.arrivals.push({ step: p.step, layer: p.layer, b: p.b, k: p.k, value: p.value, proj: pr.index }); }
      }
      if (n) work(c, core.receive(n).cycles + receiveCycles, kernel.now);
    }
  }

  function start(u: Unit): void {
    kernel.at(u.core === HOST ? kernel.now : Math.max(kernel.now, busy.get(u.core) ?? 0), () => update(u));
  }

  function update(u: Unit): void {
    const l = m.layers[u.layer], s = net.states[u.layer];
    applyArrivals(u);
    const before = Int32Array.from(s.nspk);
    const updCycles = l.kind === "neuron" ? updateCycles(u) : 0;
    net.produce(u.layer, step, u.start, u.end);
    let tEmit = work(u.core, updCycles, kernel.now);
    const emitCycles = u.core === HOST ? 0 : core.emit().cycles;
    for (let b = 0; b < net.batch; b++)
      for (let q = before[b]; q < s.nspk[b]; q++) {
        const k = s.spk[b * s.N + q], d = dests[u.layer][k];
        if (u.core !== HOST && l.kind === "neuron") tEmit = work(u.core, spikeCycles, tEmit);
        if (!d.length) continue;
        tEmit = work(u.core, emitCycles + packetCycles * d.filter((c) => c !== HOST).length, tEmit);
        const pkt: Packet = { layer: u.layer, k, b, value: s.out[b * s.N + k], step, token: false, unit: u.id };
        kernel.at(tEmit, () => mesh.send(u.core, d, pkt));
      }
    const token: Packet = { layer: u.layer, k: -1, b: 0, value: 0, step, token: true, unit: u.id };
    kernel.at(tEmit, () => { u.done = true; if (u.core !== HOST) (coreDone[u.core] ??= []).push(kernel.now); mesh.send(u.core, u.tokenCores, token); });
  }

  /** Cycles of a unit's neuron update: the core model's, or active and inactive neurons apart where the target times them apart. */
  function updateCycles(u: Unit): number {
    const l = m.layers[u.layer], n = (u.end - u.start) * net.batch;
    if (idle === undefined || u.core === HOST) return core.update(u.end - u.start, l.cuba ? l.ports : 1).cycles;
    const active = countActive(l, net.states[u.layer], step, u.start, u.end);
    return active * upd + (n - active) * idle;
  }

  /** Applies due arrivals in the behavioural engine's order: step, source layer, projection, batch, neuron. */
  function applyArrivals(u: Unit): void {
    const keep: Arrival[] = [], due: Arrival[] = [];
    for (const a of u.arrivals) (a.step < step || m.projections[a.proj].lag === 0 ? due : keep).push(a);
    due.sort((x, y) => x.step - y.step || x.layer - y.layer || x.proj - y.proj || x.b - y.b || x.k - y.k);
    for (const a of due) scatterRange(m.projections[a.proj], a, u.start, u.end);
    u.arrivals = keep;
  }

  function scatterRange(p: VmProjection, a: Arrival, lo: number, hi: number): void {
    const d = net.states[p.dst], ring = d.ring[p.ring], touched = d.touched?.[p.ring], off = a.b * d.N, base = a.step + p.lag;
    const r0 = p.indptr[a.k], r1 = p.indptr[a.k + 1];
    for (let q = lowerBound(p.indices, r0, r1, lo), e = lowerBound(p.indices, r0, r1, hi); q < e; q++) {
      const slot = (base + (p.delay ? p.delay[q] : 0)) % d.D, j = off + p.indices[q];
      ring[slot][j] += p.weight[q] * a.value;
      if (touched) touched[slot][j] = 1;
    }
  }

  return {
    name: "cycle",
    core,
    step(tt: number) {
      step = tt;
      const t0 = kernel.now;
      for (let i = 0; i < m.layers.length; i++) net.clear(i);
      for (const u of units) { u.tokens = 0; u.done = false; }
      for (const u of units) if (u.sources.size === 0) start(u);
      kernel.run();
      const stuck = units.filter((u) => !u.done);
      if (stuck.length) throw new Error(`cycle engine: step ${tt} deadlocked with units ${stuck.map((u) => `${m.layers[u.layer].name}@${u.core}`).join(", ")} waiting`);
      for (let i = 0; i < m.layers.length; i++) { sortSpikes(net, i); net.account(i, tt); }
      kernel.at(kernel.now + barrier, () => undefined);
      kernel.run();
      stepCycles.push(kernel.now - t0);
    },
    timing: (): CycleReport => ({
      clockHz: t.timing.clock.value, coreModel: core.name, stepCycles, totalCycles: stepCycles.reduce((a, b) => a + b, 0), coreBusy, coreDone, links: mesh.stats(),
      packets: mesh.packets, hops: mesh.hops, overflows: mesh.overflows, bufferDepth: o.bufferDepth ?? 16, events: kernel.executed,
      ...(cyclesNa(t) ? { na: cyclesNa(t) } : {}),
      ...(tm.clock.kind === "unpublished" ? { clockNa: `timing.clock has no published figure: ${tm.clock.source.replace(/^no published figure: /, "")}` } : {}),
    }),
    overflowed() { const f = mesh.overflowSinceCheck; mesh.overflowSinceCheck = false; return f; },
  };
}

/** Sorts each batch entry's spike indices (units of a layer append in completion order). */
function sortSpikes(net: Network, i: number): void {
  const s = net.states[i];
  for (let b = 0; b < s.B; b++) s.spk.subarray(b * s.N, b * s.N + s.nspk[b]).sort();
}
