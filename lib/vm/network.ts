/**
 * The state of a running Program shared by both engines: layer states, input feeders, the
 * scatter of events along projections (into the destination's input ring at t + lag + delay),
 * per-neuron event counts (from which counters are derived) and recordings.
 */
import { IssueList, PhasorError } from "../ir/errors.js";
import { resolveInputs, type Feeder } from "../ir/sim/input.js";
import { roundHalfUp } from "../ir/procedural.js";
import type { VmLayer, VmModel, VmProjection } from "./model.js";
import { makeState, updateNeurons, type LayerState } from "./neurons.js";
import { activityUnits, addActive, distinguishesActivity } from "./activity.js";
import type { VmOptions } from "./types.js";
import { BLOCK, SlotQueues } from "./slot-queue.js";

/** Per-neuron event counts of one layer over the run (binary events and graded events). */
export interface EventCounts {
  binary: Float64Array;
  graded: Float64Array;
  /** Events made at a step whose output (whole batch) held a value other than 0, 1, -1 (NeuroBench's MAC calls). */
  inGradedCall: Float64Array;
  /** The steps at which the layer's output held such a value. */
  gradedSteps: number[];
}

/** The events of a layer's last `keep` steps: slot t % keep holds step steps[slot]'s flat [b, index] list. */
export interface EventTail { keep: number; steps: Int32Array; events: number[][] }

/** A Program's live state. */
export class Network {
  readonly states: LayerState[];
  readonly events: EventCounts[];
  /** Synapses reached so far, per destination layer (for conditions on counters). */
  readonly reached: Float64Array;
  readonly spikesSoFar: Float64Array;
  /** Per layer: neurons x batch entries whose v changed in a step, every one at step 0 (NeuroBench's membrane updates), when counted. */
  readonly membraneUpdates: Float64Array | null;
  /** Per layer and unit (activity.ts): active neuron updates over steps and batch entries, where the target prices activity. */
  readonly active: Float64Array[] | null;
  private readonly vLast: Float64Array[];
  /** Per projection: true where row k is the one synapse k -> k (one-to-one, as an external drive's). */
  private readonly oneToOne: boolean[];
  /**
   * Per layer, 1 where its last step's events made a graded call (see account); between an input layer's feed
   * and its account, 4 + (1 if feed counted with that guess) + (2 if this step is a graded call): feed has counted.
   */
  private readonly lastGraded: Uint8Array;
  readonly feeders = new Map<number, Feeder>();
  readonly steps: number;
  readonly batch: number;
  readonly records: Record<string, Record<string, Float64Array>> = {};
  readonly outputs: Record<string, Float64Array> = {};
  /**
   * Spike lists per layer as [step, b, index] triples (flattened), in step order: every step for
   * neuron layers and for input layers that feed a pooled convolution; an input layer's other
   * events only for its last `inputKeep[i]` steps (see inputTail).
   */
  readonly spikeLog: number[][];
  /**
   * Per input layer not logged in full: its events of the last `inputKeep[i]` steps (the longest
   * lag of its projections, which NeuroBench's metrics exclude), one flat [b, index] list per step
   * in a ring of `inputKeep[i]` slots (slot t % keep), so that memory does not grow with steps.
   */
  readonly inputTail: (EventTail | null)[];
  private readonly recordSet: Set<number>;
  /**
   * Per projection whose spikes the destination's WebAssembly kernels scatter (binary spikes,
   * one weight, no delays, 16-bit indices): byte offsets, in the destination's memory, of its
   * row pointers and post indices (copied there), and of the source's spike list (the source's
   * own when it shares the memory, else a scratch copy); undefined where the JS scatter runs.
   */
  private readonly wasmRows: ({ indptr: number; post: number; spk: number; copy: Int32Array | null } | undefined)[];
  /**
   * Per layer and ring: the slot queues every scatter into that ring appends to (slot-queue.ts), where the
   * layer's ring has several slots and no WebAssembly kernel reads it; null where scatters add into the ring.
   */
  private readonly queues: (SlotQueues | null)[][];
  /** Per layer, whether some ring of it has slot queues. */
  private readonly hasQueues: boolean[];
  /** Whether scatters into some ring are queued per slot (delivery "queue", or "auto" on large rings). */
  get queued(): boolean { return this.queues.some((r) => r.some((q) => q !== null)); }
  /** Bytes the slot queues hold now (their pools only grow: the most entries pending at once). */
  get queueBytes(): number { return this.queues.flat().reduce((a, q) => a + (q?.bytes() ?? 0), 0); }
  /** Times a slot queue's pool reached its cap and was added into its ring early (a burst of events). */
  get queueFlushes(): number { return this.queues.flat().reduce((a, q) => a + (q?.flushes ?? 0), 0); }

  constructor(readonly model: VmModel, opts: VmOptions) {
    const issues = new IssueList();
    const inputs = new Map(model.layers.filter((l) => l.kind === "input").map((l) => [l.name, model.program.layers[l.index].shape]));
    const feeders = resolveInputs(opts.input, inputs, issues);
    issues.throwIfAny();
    for (const [name, f] of feeders) this.feeders.set(model.layers.find((l) => l.name === name)!.index, f);
    const first = [...this.feeders.values()][0];
    this.steps = opts.steps ?? first?.steps ?? 0;
    if (!Number.isInteger(this.steps) || this.steps <= 0) issues.add("steps", ["steps"], "give steps (a positive integer) or an input with time steps");
    this.batch = opts.batch ?? Math.max(1, ...[...this.feeders.values()].map((f) => f.batch));
    issues.throwIfAny();
    const D = model.layers.map(() => 1);
    for (const p of model.projections) D[p.dst] = Math.max(D[p.dst], p.lag + p.maxDelay + 1);
    const src = (p: VmProjection) => model.layers[p.src];
    const wasmScatter = (p: VmProjection) => src(p).kind === "neuron" && src(p).spiking && p.fast.uniformWeight !== null && !p.delay && p.fast.post instanceof Uint16Array;
    const round8 = (n: number) => (n + 7) & ~7;
    const bytes = (p: VmProjection) => round8(2 * p.fast.post.length) + round8(4 * p.indptr.length) + round8(4 * this.batch * src(p).size);
    const extra = model.layers.map(() => 0);
    for (const p of model.projections) if (wasmScatter(p)) extra[p.dst] += bytes(p);
    this.states = model.layers.map((l, i) => makeState(l, this.batch, D[i], extra[i]));
    const at = this.states.map((s) => s.kernel?.extra ?? 0);
    this.wasmRows = model.projections.map((p) => {
      const k = this.states[p.dst].kernel, sk = this.states[p.src].kernel;
      if (!k || !wasmScatter(p)) return undefined;
      const post = at[p.dst], indptr = post + round8(2 * p.fast.post.length), scratch = indptr + round8(4 * p.indptr.length);
      at[p.dst] += bytes(p);
      new Uint16Array(k.memory, post, p.fast.post.length).set(p.fast.post);
      new Int32Array(k.memory, indptr, p.indptr.length).set(p.indptr);
      const shared = sk?.memory === k.memory;
      return { indptr, post, spk: shared ? sk.spk : scratch, copy: shared ? null : new Int32Array(k.memory, scratch, this.batch * src(p).size) };
    });
    this.queues = slotQueues(model, this.states, opts.delivery ?? "auto");
    this.hasQueues = this.queues.map((r) => r.some((q) => q !== null));
    this.events = model.layers.map((l) => ({ binary: new Float64Array(l.size), graded: new Float64Array(l.size), inGradedCall: new Float64Array(l.size), gradedSteps: [] }));
    this.membraneUpdates = opts.membraneUpdates ? new Float64Array(model.layers.length) : null;
    this.active = distinguishesActivity(model.program.target) ? model.layers.map((l) => new Float64Array(l.kind === "neuron" ? activityUnits(l).length : 0)) : null;
    this.vLast = model.layers.map((l) => new Float64Array(opts.membraneUpdates && l.kind === "neuron" ? this.batch * l.size : 0));
    this.reached = new Float64Array(model.layers.length);
    this.lastGraded = new Uint8Array(model.layers.length);
    this.oneToOne = model.projections.map((p) => !p.rows && !p.delay && isOneToOne(p));
    this.spikesSoFar = new Float64Array(model.layers.length);
    this.spikeLog = model.layers.map(() => []);
    const tailed = (l: VmLayer) => l.kind === "input" && !feedsPooling(model, l.index);
    this.inputTail = model.layers.map((l) => (tailed(l) ? tail(model, l.index) : null));
    this.recordSet = new Set((opts.record ?? []).map((n) => this.layerIndex(n)));
    for (const i of this.recordSet) this.allocRecords(model.layers[i]);
    for (const l of model.layers) if (l.kind === "readout") this.outputs[l.name] = new Float64Array(this.steps * this.batch * l.size);
    if (opts.init) this.applyInit(opts.init);
  }

  /** Index of a layer by name (a PhasorError listing the layers otherwise). */
  layerIndex(name: string): number {
    const i = this.model.layers.findIndex((l) => l.name === name);
    if (i < 0) throw new PhasorError([{ code: "unknown-layer", path: [name], message: `no layer "${name}"; layers: ${this.model.layers.map((l) => l.name).join(", ")}` }]);
    return i;
  }

  /** Produces layer i's output at step t for neurons [start, end): input sample, neuron update or readout sum. */
  produce(i: number, t: number, start: number, end: number): void {
    const l = this.model.layers[i], s = this.states[i];
    if (l.kind === "input") return this.feed(i, t);
    if (this.hasQueues[i]) this.drain(i, t);
    if (l.kind === "readout") return this.readout(l, s, t);
    if (this.active) addActive(l, s, t, start, end, this.active[i]);
    updateNeurons(l, s, t, start, end, this.model.subtract);
    if (this.membraneUpdates) this.countMembraneUpdates(i, t, start, end, this.membraneUpdates);
  }

  /** Counts the v of neurons [start, end) that changed at step t (all of them at step 0) and keeps them for the next step. */
  private countMembraneUpdates(i: number, t: number, start: number, end: number, count: Float64Array): void {
    const v = this.states[i].v, last = this.vLast[i], N = this.model.layers[i].size;
    let n = 0;
    for (let b = 0; b < this.batch; b++)
      for (let j = b * N + start, e = b * N + end; j < e; j++) if (t === 0 || v[j] !== last[j]) { n++; last[j] = v[j]; }
    count[i] += n;
  }

  /**
   * Adds what is queued for step t into layer i's ring slot t mod D: before the slot is read, and before an
   * addition made at once into it (see scatter); what is queued after is added after, as without queues.
   */
  private drain(i: number, t: number): void {
    const s = this.states[i], slot = t % s.D;
    this.queues[i].forEach((q, r) => q?.drain(slot, s.ring[r][slot]));
  }

  /**
   * Clears layer i's spike lists before a step, and on neuron layers the outputs of the last
   * step's events (the only nonzero ones; the WebAssembly kernels and floatUpdate1 write `out` only for spikes).
   */
  clear(i: number): void {
    const s = this.states[i];
    if (this.model.layers[i].kind === "neuron")
      for (let b = 0; b < s.B; b++) for (let q = b * s.N, e = q + s.nspk[b]; q < e; q++) s.out[b * s.N + s.spk[q]] = 0;
    s.nspk.fill(0);
  }

  /**
   * An input layer's sample at step t in `out` (zeros as +0), its nonzero entries listed in `spk` and counted as
   * account counts them, in the same pass (an input layer has an event at most neurons every step).
   */
  private feed(i: number, t: number): void {
    const s = this.states[i], f = this.feeders.get(i), N = s.N, out = s.out, spk = s.spk;
    if (!f || t >= f.steps) { out.fill(0); return; }
    f.fill(t, out, s.B);
    const { binary, graded, inGradedCall } = this.events[i], guess = this.lastGraded[i] === 1, g = Number(guess);
    let calls = 0;
    for (let b = 0; b < s.B; b++) {
      let q = b * N;
      // Without branches on the values (input counts are random: a branch per test would be mispredicted):
      // each neuron written to spk, the list advanced past it where nonzero; counts added as 0 or 1.
      for (let k = 0, j = b * N; k < N; k++, j++) {
        // x + 0 is x, but +0 for -0.
        const x = out[j] + 0, nz = Number(x !== 0), one = Number(x === 1), gr = nz - one;
        out[j] = x;
        spk[q] = k; q += nz;
        binary[k] += one; graded[k] += gr;
        calls |= gr & Number(x !== -1);
        inGradedCall[k] += nz & g;
      }
      s.nspk[b] = q - b * N;
    }
    const gradedCall = calls !== 0;
    // Tells account this step is counted: 4 + 1 (the guess it counted with) + 2 (a graded call).
    this.lastGraded[i] = 4 + (guess ? 1 : 0) + (gradedCall ? 2 : 0);
  }

  private readout(l: VmLayer, s: LayerState, t: number): void {
    const r = s.ring[0][t % s.D], o = this.outputs[l.name];
    o.set(r, t * s.B * s.N);
    r.fill(0);
  }

  /** Counts, logs and records layer i after its update at step t (events of batch entry b in [from, to) of spk). */
  account(i: number, t: number): void {
    const l = this.model.layers[i], s = this.states[i], ev = this.events[i], tl = this.inputTail[i];
    // The full log takes [t, b, k]; an input layer's ring, its slot for step t (emptied first), [b, k].
    let log: number[] | null = l.spiking ? this.spikeLog[i] : null, step = true;
    if (tl) {
      log = tl.keep ? tl.events[t % tl.keep] : null; step = false;
      if (log) { log.length = 0; tl.steps[t % tl.keep] = t; }
    }
    let gradedCall = false;
    const { binary, graded, inGradedCall } = ev, spk = s.spk, out = s.out, N = s.N;
    // A layer whose last step was a graded call counts its events into inGradedCall as it goes
    // (taken back if this step is not one). An input layer's feed has counted them already (see feed).
    const mark = this.lastGraded[i], fed = mark >= 4, guess = fed ? (mark & 1) === 1 : mark === 1;
    if (fed) {
      gradedCall = (mark & 2) === 2;
      if (log)
        for (let b = 0; b < s.B; b++)
          for (let q = b * N, e = q + s.nspk[b]; q < e; q++) { if (step) log.push(t); log.push(b, spk[q]); }
    } else for (let b = 0; b < s.B; b++)
      for (let q = b * N, e = q + s.nspk[b]; q < e; q++) {
        const k = spk[q], x = out[b * N + k];
        if (x === 1) binary[k]++; else { graded[k]++; if (x !== -1) gradedCall = true; }
        if (guess) inGradedCall[k]++;
        if (log) { if (step) log.push(t); log.push(b, k); }
      }
    if (gradedCall) ev.gradedSteps.push(t);
    if (gradedCall !== guess) {
      const add = gradedCall ? 1 : -1;
      for (let b = 0; b < s.B; b++) for (let q = b * N, e = q + s.nspk[b]; q < e; q++) inGradedCall[spk[q]] += add;
    }
    this.lastGraded[i] = gradedCall ? 1 : 0;
    if (l.spiking) for (let b = 0; b < s.B; b++) this.spikesSoFar[i] += s.nspk[b];
    if (this.recordSet.has(i)) this.record(l, s, t);
  }

  /** Scatters layer src's events of batch b (spk entries [from, to)) along projection p, made at step t. */
  scatter(p: VmProjection, b: number, t: number, from: number, to: number): void {
    const queue = this.queues[p.dst][p.ring];
    if (queue) {
      // Into this step's own slot (no lag, no delays: an input's projection): the slot's queue first, then at once.
      if (!p.rows && !p.delay && p.lag === 0) { const sl = t % queue.D; queue.drain(sl, this.states[p.dst].ring[p.ring][sl]); }
      else return p.rows ? this.queueRows(queue, p, b, t, from, to) : p.delay ? this.queueDelayed(queue, p, b, t, from, to) : this.queueStored(queue, p, b, t, from, to);
    }
    if (p.rows) return this.scatterRows(p, b, t, from, to);
    if (p.delay) return this.scatterDelayed(p, b, t, from, to);
    const s = this.states[p.src], d = this.states[p.dst];
    const { indptr, weight } = p, { post, uniformWeight: w } = p.fast;
    const off = b * d.N, ring = d.ring[p.ring], D = d.D, base = t + p.lag, touched = d.touched?.[p.ring], rows = this.wasmRows[p.index];
    if (rows && d.kernel) {
      // In the destination's WebAssembly memory, every spike at once: the same additions (x = 1), in the same order.
      const at = b * s.N + from;
      if (rows.copy) rows.copy.set(s.spk.subarray(at, b * s.N + to), at);
      const slot = base % D;
      this.reached[p.dst] += d.kernel.fn.scatterRows(rows.spk + 4 * at, to - from, rows.indptr, rows.post, d.kernel.ring[p.ring][slot] + 8 * off, d.kernel.flag[p.ring][slot] + off, w!);
      return;
    }
    let reached = 0;
    const buf = ring[base % D], f = touched?.[base % D], spk = s.spk, out = s.out, at = b * s.N;
    if (!f && this.oneToOne[p.index]) {
      // Synapse k -> k only: the same additions without reading the row pointers and indices.
      if (w !== null) for (let q = from; q < to; q++) { const k = spk[at + q]; buf[off + k] += w * out[at + k]; }
      else for (let q = from; q < to; q++) { const k = spk[at + q]; buf[off + k] += weight[k] * out[at + k]; }
      this.reached[p.dst] += to - from;
      return;
    }
    for (let q = from; q < to; q++) {
      const k = spk[at + q], x = out[at + k], r0 = indptr[k], r1 = indptr[k + 1];
      reached += r1 - r0;
      // Flag each entry written, for the kernel that reads only flagged entries.
      if (f) {
        if (w !== null) { const wx = w * x; for (let m = r0; m < r1; m++) { const j = off + post[m]; buf[j] += wx; f[j] = 1; } }
        else for (let m = r0; m < r1; m++) { const j = off + post[m]; buf[j] += weight[m] * x; f[j] = 1; }
      } else if (w !== null) { const wx = w * x; for (let m = r0; m < r1; m++) buf[off + post[m]] += wx; }
      else for (let m = r0; m < r1; m++) buf[off + post[m]] += weight[m] * x;
    }
    this.reached[p.dst] += reached;
  }

  /**
   * The scatter along a projection with per-synapse delays: synapse m of a spike made at step t
   * adds to slot (t + lag + delay[m]) mod D, at flat offset slot x B N + b N + post[m] of the ring
   * (delay[m] <= maxDelay < D, so one subtraction wraps it). Same additions in the same order.
   */
  private scatterDelayed(p: VmProjection, b: number, t: number, from: number, to: number): void {
    const s = this.states[p.src], d = this.states[p.dst], { indptr, weight } = p, delay = p.delay!, post = p.fast.post;
    const S = d.B * d.N, DS = d.D * S, ring = d.flat[p.ring], f = d.flatTouched?.[p.ring];
    const o0 = ((t + p.lag) % d.D) * S + b * d.N, spk = s.spk, out = s.out, at = b * s.N;
    let reached = 0;
    for (let q = from; q < to; q++) {
      const k = spk[at + q], x = out[at + k], r0 = indptr[k], r1 = indptr[k + 1];
      reached += r1 - r0;
      if (f) {
        for (let m = r0; m < r1; m++) {
          let o = o0 + delay[m] * S;
          if (o >= DS) o -= DS;
          o += post[m]; ring[o] += weight[m] * x; f[o] = 1;
        }
      } else if (x === 1) {
        // A binary spike: weight x 1 is the weight itself, bit for bit.
        // The wrap without a branch: (DS - 1 - o) >> 31 is -1 where o >= DS.
        for (let m = r0; m < r1; m++) { const o = o0 + delay[m] * S; ring[o - (DS & ((DS - 1 - o) >> 31)) + post[m]] += weight[m]; }
      } else {
        for (let m = r0; m < r1; m++) { const o = o0 + delay[m] * S; ring[o - (DS & ((DS - 1 - o) >> 31)) + post[m]] += weight[m] * x; }
      }
    }
    this.reached[p.dst] += reached;
  }

  /** scatter's additions without delays, appended to the arrival slot's queue: value w x (or weight x x) at b N + post. */
  private queueStored(Q: SlotQueues, p: VmProjection, b: number, t: number, from: number, to: number): void {
    const s = this.states[p.src], d = this.states[p.dst], { indptr, weight } = p, { post, uniformWeight: w } = p.fast;
    const sl = (t + p.lag) % d.D, off = b * d.N, spk = s.spk, out = s.out, at = b * s.N, one = this.oneToOne[p.index];
    let reached = 0;
    // One-to-one: room for every event at once (a call per row of one synapse would cost more than the row).
    if (one) Q.room(to - from);
    for (let q = from; q < to; q++) {
      const k = spk[at + q], x = out[at + k], r0 = one ? k : indptr[k], r1 = one ? k + 1 : indptr[k + 1];
      reached += r1 - r0;
      if (!one) Q.room(r1 - r0);
      const A = Q.at, V = Q.val, wx = w === null ? 0 : w * x;
      let e = Q.tail[sl] * BLOCK + Q.pos[sl], end = Q.tail[sl] * BLOCK + BLOCK;
      for (let m = r0; m < r1; m++) {
        if (e === end) { Q.pos[sl] = BLOCK; e = Q.extend(sl); end = e + BLOCK; }
        A[e] = off + (one ? k : post[m]); V[e++] = w === null ? weight[m] * x : wx;
      }
      Q.pos[sl] = e - Q.tail[sl] * BLOCK;
    }
    this.reached[p.dst] += reached;
  }

  /** scatterDelayed's additions appended to the queue of each synapse's arrival slot (t + lag + delay[m]) mod D. */
  private queueDelayed(Q: SlotQueues, p: VmProjection, b: number, t: number, from: number, to: number): void {
    const s = this.states[p.src], d = this.states[p.dst], { indptr, weight } = p, delay = p.delay!, post = p.fast.post;
    const D = d.D, s0 = (t + p.lag) % D, off = b * d.N, spk = s.spk, out = s.out, at = b * s.N, pos = Q.pos, tail = Q.tail;
    let reached = 0;
    for (let q = from; q < to; q++) {
      const k = spk[at + q], x = out[at + k], r0 = indptr[k], r1 = indptr[k + 1];
      reached += r1 - r0;
      // Blocks for the whole row in the pool first, so that the arrays stay put in the loop.
      Q.room(r1 - r0);
      const A = Q.at, V = Q.val;
      for (let m = r0; m < r1; m++) {
        // The wrap without a branch (delays are random: a branch would be mispredicted often).
        const u = s0 + delay[m], sl = u - (D & ((D - 1 - u) >> 31));
        let n = pos[sl];
        if (n === BLOCK) { Q.extend(sl); n = 0; }
        const e = tail[sl] * BLOCK + n;
        pos[sl] = n + 1;
        A[e] = off + post[m]; V[e] = weight[m] * x;
      }
    }
    this.reached[p.dst] += reached;
  }

  /** scatterRows's additions appended to the queue of each synapse's arrival slot (as queueDelayed appends a stored row's). */
  private queueRows(Q: SlotQueues, p: VmProjection, b: number, t: number, from: number, to: number): void {
    const s = this.states[p.src], d = this.states[p.dst], { gen, gain, codes, scale, unit, dt } = p.rows!;
    const D = d.D, s0 = (t + p.lag) % D, off = b * d.N, spk = s.spk, out = s.out, at = b * s.N, pos = Q.pos, tail = Q.tail;
    let reached = 0;
    for (let q = from; q < to; q++) {
      const k = spk[at + q], x = out[at + k], n = gen.row(k), post = gen.post, w = gen.weight, delay = gen.delay;
      reached += n;
      Q.room(n);
      const A = Q.at, V = Q.val;
      for (let m = 0; m < n; m++) {
        const j = post[m], g = w[m] * gain[j], weight = codes ? roundHalfUp(g / scale) * unit : g;
        const u = s0 + (delay ? roundHalfUp(delay[m] / dt) : 0), sl = u - (D & ((D - 1 - u) >> 31));
        let e = pos[sl];
        if (e === BLOCK) { Q.extend(sl); e = 0; }
        pos[sl] = e + 1;
        e += tail[sl] * BLOCK;
        A[e] = off + j; V[e] = weight * x;
      }
    }
    this.reached[p.dst] += reached;
  }

  /** The scatter of a procedural projection: each spike's row generated, then added as scatterDelayed adds a stored row. */
  private scatterRows(p: VmProjection, b: number, t: number, from: number, to: number): void {
    const s = this.states[p.src], d = this.states[p.dst], { gen, gain, codes, scale, unit, dt } = p.rows!;
    const S = d.B * d.N, DS = d.D * S, ring = d.flat[p.ring], f = d.flatTouched?.[p.ring];
    const o0 = ((t + p.lag) % d.D) * S + b * d.N, spk = s.spk, out = s.out, at = b * s.N;
    let reached = 0;
    for (let q = from; q < to; q++) {
      const k = spk[at + q], x = out[at + k], n = gen.row(k), post = gen.post, w = gen.weight, delay = gen.delay;
      reached += n;
      if (delay && !f && !codes && x === 1) {
        // A binary spike into float weights: weight x 1 is the weight itself; (DS - 1 - o) >> 31 is -1 where o wraps.
        for (let m = 0; m < n; m++) {
          const j = post[m], o = o0 + roundHalfUp(delay[m] / dt) * S;
          ring[o - (DS & ((DS - 1 - o) >> 31)) + j] += w[m] * gain[j];
        }
        continue;
      }
      for (let m = 0; m < n; m++) {
        const g = w[m] * gain[post[m]], weight = codes ? roundHalfUp(g / scale) * unit : g;
        let o = o0;
        if (delay) { o += roundHalfUp(delay[m] / dt) * S; if (o >= DS) o -= DS; }
        o += post[m];
        ring[o] += weight * x;
        if (f) f[o] = 1;
      }
    }
    this.reached[p.dst] += reached;
  }

  /**
   * Records per step: v and the currents (i, or i0, i1, ...; Loihi's u is i) in model units,
   * spikes, and on integer layers the same state as the chip holds it (v_int, i_int, ...).
   */
  private allocRecords(l: VmLayer): void {
    const n = this.steps * this.batch * l.size, r: Record<string, Float64Array> = { v: new Float64Array(n) };
    const names = currentNames(l), integer = l.arith !== "float";
    for (const c of names) r[c] = new Float64Array(n);
    if (l.spiking) r.spike = new Float64Array(n);
    if (integer) for (const x of ["v", ...names]) r[`${x}_int`] = new Float64Array(n);
    this.records[l.name] = r;
  }

  private record(l: VmLayer, s: LayerState, t: number): void {
    const r = this.records[l.name], at = t * s.B * s.N, u = l.scale, names = currentNames(l);
    for (let j = 0; j < s.B * s.N; j++) {
      r.v[at + j] = s.v[j] * u;
      if (r.spike) r.spike[at + j] = s.out[j];
    }
    s.cur.forEach((c, p) => { const a = r[names[p]]; for (let j = 0; j < c.length; j++) a[at + j] = c[j] * u; });
    if (!r.v_int) return;
    r.v_int.set(s.v, at);
    s.cur.forEach((c, p) => r[`${names[p]}_int`].set(c, at));
  }

  private applyInit(init: NonNullable<VmOptions["init"]>): void {
    for (const [name, vars] of Object.entries(init)) {
      const i = this.layerIndex(name), l = this.model.layers[i], s = this.states[i];
      for (const [v, values] of Object.entries(vars)) {
        const dst = v === "v" ? s.v : v === "i" ? s.cur[0] : /^i\d+$/.test(v) ? s.cur[Number(v.slice(1))] : undefined;
        if (!dst) throw new PhasorError([{ code: "bad-init", path: [name, v], message: `layer ${name} has no state variable "${v}" (v${l.cuba ? ", i" + (l.ports > 1 ? "0..i" + (l.ports - 1) : "") : ""})` }]);
        const n = values.length, toCode = (x: number) => (l.arith === "float" ? x : Math.max(-l.smax, Math.min(l.smax, Math.round(x / l.scale))));
        if (n !== l.size && n !== dst.length) throw new PhasorError([{ code: "bad-init", path: [name, v], message: `init ${name}.${v} has ${n} values; expected ${l.size} or ${dst.length}` }]);
        for (let j = 0; j < dst.length; j++) dst[j] = toCode(values[j % n]);
      }
    }
  }
}

/**
 * Ring bytes of a network above which "auto" delivery queues, measured on the materialised microcircuit (float, 2-core
 * machine with 32 MB of L3; loop time of the same steps): rings of 1.7 MB (5%) and 8.8 MB (25%) are 2.0x and 1.5x faster
 * added at once; at 17 MB (50%) the two are even; at 36 MB (full scale) queuing is 1.08x faster.
 */
export const QUEUE_RING_BYTES = 16 * 2 ** 20;

/**
 * Per layer and ring, the slot queues scatters append to (see slot-queue.ts), or null: only rings of several
 * slots that no WebAssembly kernel reads.
 */
function slotQueues(model: VmModel, states: LayerState[], delivery: "auto" | "ring" | "queue"): (SlotQueues | null)[][] {
  if (!["auto", "ring", "queue"].includes(delivery))
    throw new PhasorError([{ code: "bad-option", path: ["delivery"], message: `delivery must be "auto", "ring" or "queue", got ${JSON.stringify(delivery)}` }]);
  const eligible = (s: LayerState) => !s.kernel && s.D > 1;
  const bytes = states.reduce((a, s) => a + s.flat.reduce((b, r) => b + r.byteLength, 0), 0);
  const queue = delivery === "queue" || (delivery === "auto" && bytes > QUEUE_RING_BYTES);
  return states.map((s) => s.flat.map((ring) => (queue && eligible(s) ? new SlotQueues(s.D, ring, s.B * s.N) : null)));
}

/** Whether row k of a stored projection is the single synapse k -> k, for every k. */
function isOneToOne(p: VmProjection): boolean {
  const n = p.indptr.length - 1, post = p.fast.post;
  if (post.length !== n || p.indptr[n] !== n) return false;
  for (let k = 0; k < n; k++) if (p.indptr[k] !== k || post[k] !== k) return false;
  return true;
}

/** Whether layer i feeds a convolution after sum pooling (whose NeuroBench operations need every step's events). */
function feedsPooling(model: VmModel, i: number): boolean {
  return model.outgoing[i].some((pi) => {
    const pr = model.program.projections[model.projections[pi].index];
    return !!(pr.conv ?? pr.csr?.from)?.pool;
  });
}

/** A ring of the last `keep` steps' events of layer i, keep being the longest lag of its projections. */
function tail(model: VmModel, i: number): EventTail {
  const keep = Math.max(0, ...model.outgoing[i].map((pi) => model.projections[pi].lag));
  return { keep, steps: new Int32Array(keep).fill(-1), events: Array.from({ length: keep }, () => []) };
}

/** Names of a layer's recorded currents: i, or i0, i1, ... */
function currentNames(l: VmLayer): string[] {
  return l.cuba ? Array.from({ length: l.ports }, (_, p) => (l.ports > 1 ? `i${p}` : "i")) : [];
}

/** Runs one whole layer at step t (produce, account, scatter along its outgoing projections). */
export function stepLayer(net: Network, i: number, t: number): void {
  const l = net.model.layers[i];
  net.clear(i);
  net.produce(i, t, 0, l.size);
  net.account(i, t);
  for (const pi of net.model.outgoing[i]) {
    const p = net.model.projections[pi];
    for (let b = 0; b < net.batch; b++) net.scatter(p, b, t, 0, net.states[i].nspk[b]);
  }
}
