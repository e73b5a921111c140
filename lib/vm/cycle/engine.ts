/**
 * The cycle-level engine (docs/cycle-models.md is its specification). A step's values are
 * computed with the behavioural engine's functions, layer by layer; the step's events are then
 * replayed through each core's pipeline (soma -> axon out -> mesh -> input queue -> axon in ->
 * synapse -> dendrite) with bounded queues and backpressure, every core starting at the step's
 * start unless a projection without latency makes it wait for its sources' tokens; the step
 * ends with a barrier of messages to router (0, 0) and back. Time is integer ticks (time.ts).
 */
import { PhasorError } from "../../ir/errors.js";
import type { Engine, EngineOptions } from "../engine.js";
import { stepLayer, type Network } from "../network.js";
import type { CoreModel, StageCosts } from "../cores/index.js";
import { HOST, lowerBound } from "../noc/routes.js";
import { Kernel } from "./kernel.js";
import { Mesh, type Packet, type Sink } from "./noc.js";
import { InputSide } from "./pipeline.js";
import { buildUnits, unitsByCore, type Unit } from "./units.js";
import { fanoutTables, markActive, type LayerFanout } from "./fanout.js";
import type { CycleReport } from "./report.js";
import { cyclesNa } from "../chip-time.js";
import { barrierTicks, type BarrierModel } from "./barrier.js";
import { timeBase, toTicks } from "./time.js";

/** Stage costs in ticks. */
interface Costs {
  axonIn: number; synMsg: number; synSyn: number; dendSyn: number; active: number; inactive: number; spike: number; axonOut: number;
}

const ticksOf = (c: StageCosts, R: number): Costs => ({
  axonIn: toTicks(c.axonIn, R), synMsg: toTicks(c.synapsePerMessage, R), synSyn: toTicks(c.synapsePerSynapse, R),
  dendSyn: toTicks(c.dendritePerSynapse, R), active: toTicks(c.somaActive, R), inactive: toTicks(c.somaInactive, R),
  spike: toTicks(c.spike, R), axonOut: toTicks(c.axonOut, R),
});

/** The engine's buffer options, checked: link buffer and core queue depths (packets), cycles per packet on a link. */
function bufferOptions(o: EngineOptions): { depth: number; qDepth: number; linkCycles: number } {
  const depth = o.bufferDepth ?? 16, qDepth = o.coreQueueDepth ?? 16, linkCycles = o.linkCycles ?? 1;
  for (const [name, v] of [["bufferDepth", depth], ["coreQueueDepth", qDepth]] as const) {
    const why = "a buffer that holds nothing would stop every message";
    if (!Number.isInteger(v) || v < 1) throw new PhasorError(`${name} must be a whole number of packets, at least 1 (got ${v}): ${why}`, name);
  }
  if (!(linkCycles >= 0) || !Number.isFinite(linkCycles)) {
    throw new PhasorError(`linkCycles must be a number of cycles, 0 or more (got ${linkCycles})`, "linkCycles");
  }
  return { depth, qDepth, linkCycles };
}

/** Builds the cycle-level engine over a network. */
export function cycleEngine(net: Network, core: CoreModel, o: EngineOptions = {}): Engine {
  const m = net.model, t = m.program.target, tm = t.timing, kernel = new Kernel();
  const { depth, qDepth, linkCycles } = bufferOptions(o);
  const { stageCycles, hop, hopNS, within, barrier: bm, R, rounded } = timeBase(m, core, linkCycles);
  const costs = new Map([...stageCycles].map(([p, c]) => [p, ticksOf(c, R)]));
  const units = buildUnits(m), byCore = unitsByCore(units), fan = fanoutTables(m);
  const chipNeurons = (l: (typeof m.layers)[number]) => l.kind === "neuron" && l.partition === "chip";
  const flags = m.layers.map((l) => new Uint8Array(chipNeurons(l) ? net.batch * l.size : 0));
  const timesActivity = [...costs.values()].some((c) => c.active !== c.inactive);
  const cores = new Map<number, CoreSim>(), inputs = new Map<number, Sink>();
  const stepTicks: number[] = [], coreDone: Record<number, number[]> = {};
  let tokensPending = 0, messages = 0, selfMessages = 0;

  const meshTiming = { hop: toTicks(hop, R), hopNS: toTicks(hopNS, R), within: toTicks(within, R), serial: toTicks(linkCycles, R), depth };
  const mesh = new Mesh(kernel, t, meshTiming, (c) => inputs.get(c) ?? hostInput);
  const stall = () => mesh.stall();
  const hostInput: Sink = { offer: (p, now) => { if (p.token) deliverToken(HOST, p.unit, now); return true; } };


  /** A token of unit `src` passed core c's dendrite at `at`: each unit of c waiting for it counts it. */
  function deliverToken(c: number, src: number, at: number): void {
    for (const u of byCore.get(c) ?? []) if (u.sources.has(src)) kernel.at(at, () => tokenArrived(u, at));
  }
  function tokenArrived(u: Unit, at: number): void {
    if (++u.tokens < u.sources.size) return;
    u.readyAt = at;
    tokensPending--;
    cores.get(u.core)!.unitReady(u);
  }

  // A neuron's messages are the same every time it spikes (packets are never changed in flight): built once.
  const msgCache: Array<Array<Packet[] | undefined>> = m.layers.map((l) => new Array<Packet[] | undefined>(l.size));
  const spikeCache = m.layers.map(() => ({ step: -1, lists: [] as Int32Array[] }));
  let current = -1;
  /** Layer i's spikes of batch entry b in this step, ascending (sorted once per step and layer). */
  function sortedSpikes(i: number, b: number): Int32Array {
    const c = spikeCache[i];
    // Stryker disable next-line ConditionalExpression: a cache; the lists sorted again are the same
    if (c.step !== current) { c.step = current; c.lists = []; }
    let a = c.lists[b];
    // Stryker disable next-line ConditionalExpression: a cache; the list sorted again is the same
    if (!a) { const s = net.states[i]; a = c.lists[b] = s.spk.slice(b * s.N, b * s.N + s.nspk[b]).sort(); }
    return a;
  }

  /** One core's soma and axon out for the step: a process driven by the kernel (docs/cycle-models.md). */
  class CoreSim {
    private c: Costs;
    private readonly zero: Costs;
    private ui = 0;
    private somaT = 0;
    private unitStart = 0;
    private stallU = 0;
    private unitCost = 0;
    private off: number[] = [];
    private spk: number[] = [];
    private si = 0;
    private taken: Float64Array;
    private taking = 0;
    private aoReady = 0;
    private msgs: Packet[] = [];
    private mi = 0;
    private held: Packet | null = null;
    private counted = false;
    private waitingUnit = false;
    aoEnd = 0;
    somaEnd = 0;
    busy = 0;
    private readonly go = () => this.run();
    private readonly host: boolean;
    private layerOfSpikes = 0;
    private readonly tokensSent = new Set<number>();

    constructor(readonly id: number, readonly units: Unit[]) {
      this.host = id === HOST;
      this.zero = { axonIn: 0, synMsg: 0, synSyn: 0, dendSyn: 0, active: 0, inactive: 0, spike: 0, axonOut: 0 };
      this.c = this.zero;
      this.taken = new Float64Array(qDepth).fill(-Infinity);
    }

    /** Starts the step at T0. */
    begin(T0: number): void {
      this.ui = -1; this.somaT = T0; this.si = 0; this.off = []; this.spk = []; this.unitCost = 0; this.unitStart = T0; this.stallU = 0;
      this.taking = 0; this.taken.fill(-Infinity); this.aoReady = T0; this.msgs = []; this.mi = 0; this.held = null;
      this.aoEnd = T0; this.somaEnd = T0; this.waitingUnit = false;
      kernel.at(T0, this.go);
    }

    unitReady(u: Unit): void {
      if (this.waitingUnit && this.units[this.ui + 1] === u) { this.waitingUnit = false; kernel.at(kernel.now, this.go); }
    }

    /** Advances axon out (and with it the soma's timeline) as far as it can at the kernel's time. */
    private run(): void {
      const now = kernel.now;
      for (;;) {
        if (this.mi < this.msgs.length) {
          if (this.aoReady > now) { kernel.at(this.aoReady, this.go); return; }
          const p = this.held ?? this.msgs[this.mi];
          if (!this.counted) { this.count(p); this.counted = true; }
          const rest = mesh.inject(this.id, p, now, this.go);
          if (rest) { this.held = rest; return; }
          this.held = null; this.counted = false; this.mi++;
          this.aoEnd = now;
          this.aoReady = now + (this.mi < this.msgs.length && !this.msgs[this.mi].token ? this.c.axonOut : 0);
          continue;
        }
        if (this.si < this.spk.length / 3) { this.takeSpike(); continue; }
        if (this.ui >= 0 && this.sendTokens()) continue;
        // The unit's last spike is out: the soma ends it and starts the next.
        this.somaT = this.unitStart + this.unitCost + this.stallU;
        if (this.ui >= 0) this.somaEnd = this.somaT;
        const next = this.units[this.ui + 1];
        if (!next) return;
        if (next.readyAt < 0) { this.waitingUnit = true; return; }
        this.ui++;
        this.startUnit(next, Math.max(this.somaT, next.readyAt));
      }
    }

    private count(p: Packet): void {
      if (p.token) return;
      const [x, y] = mesh.at(this.id), [dx, dy] = mesh.at(p.dsts[0]);
      if (dx !== x || dy !== y) mesh.counts.packets++;
      for (const d of p.dsts) if (d !== HOST) { messages++; if (d === this.id) selfMessages++; }
    }

    /** Tokens of the finished unit to the cores of its same-step destinations (once). */
    private sendTokens(): boolean {
      const u = this.units[this.ui];
      if (!u.tokenCores.length || this.tokensSent.has(u.id)) return false;
      this.tokensSent.add(u.id);
      this.msgs = this.packets(u.tokenCores, u.tokenCores.map(() => 0), true, u.id);
      this.mi = 0;
      this.aoReady = Math.max(this.aoReady, kernel.now, this.unitStart + this.unitCost + this.stallU);
      return true;
    }

    /** Axon out takes the next spike from its queue (the soma waits while the queue is full). */
    private takeSpike(): void {
      const i = this.si++, off = this.off[i], e0 = this.unitStart + off + this.stallU, prior = this.taken[this.taking % qDepth];
      const e = Math.max(e0, prior);
      this.stallU += e - e0;
      if (e > e0) mesh.stall();
      const take = Math.max(e, this.aoEnd, this.aoReady);
      this.taken[this.taking++ % qDepth] = take;
      const l = this.layerOfSpikes, k = this.spk[3 * i + 1], cache = msgCache[l];
      let msgs = cache[k];
      // Stryker disable next-line ConditionalExpression: a cache; a neuron's messages built again are the same
      if (!msgs) {
        const f = fan[l], a = f.ptr[k], b = f.ptr[k + 1];
        msgs = cache[k] = this.packets(Array.from(f.core.subarray(a, b)), Array.from(f.syn.subarray(a, b)), false, -1);
      }
      this.msgs = msgs;
      this.mi = 0;
      this.aoReady = take + (this.msgs.length ? this.c.axonOut : 0);
      this.busy += this.msgs.length * this.c.axonOut;
    }

    /** Messages for destinations `d`: one per core on this router and, further away, one per core (or one multicast packet). */
    private packets(d: number[], syn: number[], token: boolean, unit: number): Packet[] {
      const out: Packet[] = [], [x, y] = mesh.at(this.id), far: number[] = [], farSyn: number[] = [];
      for (let i = 0; i < d.length; i++) {
        const [dx, dy] = mesh.at(d[i]);
        if ((dx === x && dy === y) || !t.mesh.multicast) out.push({ dsts: [d[i]], syn: [syn[i]], token, unit });
        else { far.push(d[i]); farSyn.push(syn[i]); }
      }
      if (far.length) out.push({ dsts: far, syn: farSyn, token, unit });
      return out;
    }

    /** The soma starts unit u at `at`: its neurons' costs and its spikes' times from the start. */
    private startUnit(u: Unit, at: number): void {
      const l = m.layers[u.layer], s = net.states[u.layer], N = s.N, f = flags[u.layer];
      const c = (this.c = this.host ? this.zero : costs.get(l.cuba ? l.ports : 1)!);
      this.unitStart = at; this.stallU = 0; this.si = 0; this.layerOfSpikes = u.layer;
      const off: number[] = [], spk: number[] = [];
      let cost = 0;
      const neuron = l.kind === "neuron" && !this.host, perSpike = neuron ? c.spike : 0;
      for (let b = 0; b < s.B; b++) {
        const list = sortedSpikes(u.layer, b);
        let k0 = u.start;
        for (let q = lowerBound(list, 0, list.length, u.start), e = lowerBound(list, 0, list.length, u.end); q < e; q++) {
          const k = list[q];
          cost += this.neurons(f, b * N, k0, k + 1, neuron);
          cost += perSpike;
          off.push(cost); spk.push(b, k, 0);
          k0 = k + 1;
        }
        cost += this.neurons(f, b * N, k0, u.end, neuron);
      }
      this.off = off; this.spk = spk; this.unitCost = cost;
      this.busy += cost;
    }

    /** Soma ticks of neurons [a, b) of one batch entry. */
    private neurons(f: Uint8Array, base: number, a: number, b: number, neuron: boolean): number {
      if (!neuron || b <= a) return 0;
      const c = this.c;
      if (!timesActivity || !f.length) return (b - a) * c.active;
      let n = 0;
      for (let j = base + a; j < base + b; j++) n += f[j];
      return n * c.active + (b - a - n) * c.inactive;
    }

    /** The step's end of this core's own work (soma, axon out) in ticks. */
    end(): number {
      return Math.max(this.somaEnd, this.aoEnd);
    }

    resetTokens(): void { this.tokensSent.clear(); }
  }

  for (const [c, us] of byCore) {
    const sim = new CoreSim(c, us);
    cores.set(c, sim);
    if (c !== HOST) {
      const k = costs.get(1) ?? [...costs.values()][0];
      inputs.set(c, new InputSide(kernel, c, qDepth, k, (cc, u, at) => deliverToken(cc, u, at), stall));
    }
  }  const tileCount = new Set(m.program.cores.map((c) => mesh.at(c.id).join(","))).size;
  const usedCores = m.program.cores.map((c) => c.id);
  const bt = { hop: toTicks(bm.hopCycles, R), sync: toTicks(bm.syncFor(Math.max(1, tileCount)), R) };

  return {
    name: "cycle",
    core,
    step(tt: number) {
      current = tt;
      for (let i = 0; i < m.layers.length; i++) {
        // Stryker disable next-line ConditionalExpression,LogicalOperator: flags are read only when timesActivity, and an empty one takes nothing
        if (timesActivity && flags[i].length) markActive(m.layers[i], net.states[i], tt, flags[i]);
        stepLayer(net, i, tt);
      }
      const T0 = kernel.now;
      tokensPending = 0;
      for (const u of units) { u.tokens = 0; u.readyAt = u.sources.size === 0 ? T0 : -1; if (u.sources.size) tokensPending++; }
      for (const c of cores.values()) { c.resetTokens(); c.begin(T0); }
      kernel.run();
      if (tokensPending > 0) throw new Error(`cycle engine: step ${tt} ended with ${tokensPending} unit(s) still waiting for tokens`);
      const done = new Map<number, number>();
      for (const id of usedCores) {
        const c = cores.get(id), inp = inputs.get(id) as InputSide | undefined;
        const d = Math.max(T0, c ? c.end() : T0, inp ? inp.d3 : T0);
        done.set(id, d);
        (coreDone[id] ??= []).push(d / R);
      }
      const end = barrierTicks(done, (id) => mesh.at(id), bt, T0);
      kernel.at(end, () => undefined);
      kernel.run();
      stepTicks.push(end - T0);
    },
    timing: (): CycleReport => {
      const coreBusy: Record<number, number> = {};
      for (const [id, c] of cores) if (id !== HOST) coreBusy[id] = (c.busy + ((inputs.get(id) as InputSide | undefined)?.busy ?? 0)) / R;
      const stepCycles = stepTicks.map((x) => x / R);
      return {
        clockHz: tm.clock.value, coreModel: core.name, stepCycles, totalCycles: stepTicks.reduce((a, b) => a + b, 0) / R, ticksPerCycle: R,
        ...(rounded ? { roundedLatencies: true } : {}),
        coreBusy, coreDone, links: mesh.stats(R), packets: mesh.counts.packets, messages, selfMessages, hops: mesh.counts.hops,
        overflows: mesh.counts.stalls, bufferDepth: depth, coreQueueDepth: qDepth,
        barrier: { hopCycles: bt.hop / R, syncCycles: bt.sync / R, tiles: tileCount },
        events: kernel.executed,
        ...(cyclesNa(t) ? { na: cyclesNa(t) } : {}),
        ...(tm.clock.kind === "unpublished" ? { clockNa: clockNa(tm.clock.source) } : {}),
      };
    },
    overflowed() { const f = mesh.counts.stalledSinceCheck; mesh.counts.stalledSinceCheck = false; return f; },
  };
}

/** Why a clock without a published figure makes cycles in seconds n/a. */
const clockNa = (source: string) => `timing.clock has no published figure: ${source.replace(/^no published figure: /, "")}`;

export type { BarrierModel };
