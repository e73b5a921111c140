/**
 * A discrete-event kernel in the manner of SystemC: modules own ports, processes are
 * callbacks scheduled at a simulated time in cycles, and events at equal times run in the
 * order they were scheduled (a sequence number breaks ties), so every run is deterministic.
 */

/** A scheduled process activation. */
interface Activation { time: number; seq: number; fn: () => void }

/** The simulation kernel: a time-ordered queue of activations. */
export class Kernel {
  /** Current simulated time in cycles. */
  now = 0;
  /** Activations executed so far (simulated events). */
  executed = 0;
  private heap: Activation[] = [];
  private seq = 0;

  /** Schedules `fn` to run `delay` cycles from now (delay >= 0). */
  schedule(delay: number, fn: () => void): void {
    this.push({ time: this.now + Math.max(0, delay), seq: this.seq++, fn });
  }

  /** Schedules `fn` at absolute time `time` (not before now). */
  at(time: number, fn: () => void): void {
    this.push({ time: Math.max(this.now, time), seq: this.seq++, fn });
  }

  /** Runs until no activation is left; returns the time of the last one. */
  run(): number {
    while (this.heap.length) {
      const a = this.pop();
      this.now = a.time;
      this.executed++;
      a.fn();
    }
    return this.now;
  }

  /** Pending activations. */
  get pending(): number {
    return this.heap.length;
  }

  private less(a: Activation, b: Activation): boolean {
    // Stryker disable next-line EqualityOperator: sequence numbers are unique, so seq <= never meets equal ones
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private push(a: Activation): void {
    const h = this.heap;
    h.push(a);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Activation {
    const h = this.heap, top = h[0], last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** A named component attached to a kernel. */
export abstract class Module {
  constructor(readonly kernel: Kernel, readonly name: string) {}
}

/** A one-way port: `write` delivers a message to the bound process after a delay in cycles. */
export class Port<T> {
  private sink?: (msg: T) => void;
  constructor(private readonly kernel: Kernel, readonly name: string) {}
  /** Connects the port to the receiving process. */
  bind(sink: (msg: T) => void): void {
    this.sink = sink;
  }
  /** Sends `msg`, arriving `delay` cycles from now. */
  write(msg: T, delay = 0): void {
    const sink = this.sink;
    if (!sink) throw new Error(`port ${this.name} is not bound`);
    this.kernel.schedule(delay, () => sink(msg));
  }
}
