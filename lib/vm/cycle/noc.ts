/**
 * The 2-D mesh with bounded buffers (docs/cycle-models.md, "The mesh"): per directed link a
 * FIFO of `depth` packets sending one packet every `serial` ticks, `latency` ticks to the next
 * router; only a buffer's head moves on, and only when the next buffer or the core's input
 * queue has room, so a full buffer stops the link before it and, back along the route, the
 * sender (backpressure). Routes are dimension-order (X then Y); a multicast packet branches
 * where its destinations' next hops differ. Times are integer ticks.
 */
import type { Target } from "../../target/types.js";
import { HOST, routerOf } from "../noc/routes.js";
import type { Kernel } from "./kernel.js";
import type { LinkStats } from "./report.js";

/** A message travelling the mesh: a spike's (or an end-of-phase token's) copy for one or more destination cores. */
export interface Packet {
  /** Destination cores and the synapses the message reaches on each (parallel arrays). */
  dsts: number[];
  syn: number[];
  /** An end-of-phase token of unit `unit` rather than a spike. */
  token: boolean;
  unit: number;
}

/** Something that takes packets: a link buffer or a core's input queue. */
export interface Sink {
  /** Takes `p` at `now` and returns true, or returns false and arranges for `retry` to run when it may have room. */
  offer(p: Packet, now: number, retry: () => void): boolean;
}

type Dir = 0 | 1 | 2 | 3;
const PORT = ["E", "W", "N", "S"] as const;

/** Counts shared by the mesh's parts. */
export interface MeshCounts { packets: number; hops: number; stalls: number; stalledSinceCheck: boolean }

/** A directed link (or a router's local port to one core) with its FIFO buffer. */
export class Link implements Sink {
  private readonly fifo: Packet[] = [];
  private readonly ready: number[] = [];
  private readonly entered: number[] = [];
  private head = 0;
  private occ = 0;
  private free = 0;
  private readonly waiters: Array<() => void> = [];
  readonly stats: LinkStats & { waitTicks: number };
  private readonly tryHead = () => this.forward();

  constructor(private readonly mesh: Mesh, readonly x: number, readonly y: number, readonly dir: Dir | -1,
    private readonly latency: number, private readonly serial: number, private readonly depth: number, private readonly to?: number) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: a local port's stats are never read (Mesh.stats lists mesh links only)
    const port = dir === -1 ? "L" : PORT[dir];
    this.stats = { router: y * mesh.t.mesh.width + x, x, y, port, packets: 0, waitCycles: 0, maxQueue: 0, waitTicks: 0 };
  }

  offer(p: Packet, now: number, retry: () => void): boolean {
    if (this.occ >= this.depth) { this.mesh.stall(); this.waiters.push(retry); return false; }
    this.occ++;
    const s = Math.max(now, this.free);
    this.free = s + this.serial;
    this.fifo.push(p); this.ready.push(s + this.latency); this.entered.push(now);
    if (this.occ > this.stats.maxQueue) this.stats.maxQueue = this.occ;
    if (!p.token) { this.stats.packets++; if (this.dir >= 0) this.mesh.counts.hops++; }
    if (this.fifo.length - this.head === 1) this.mesh.kernel.at(s + this.latency, this.tryHead);
    return true;
  }

  /** The head, arrived at the next router, moves on to every next sink it needs; the slot frees once all have taken it. */
  private forward(): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a guard; a link has one pending wake at most, and only while it holds a head
    if (this.head >= this.fifo.length) return;
    const k = this.mesh.kernel, now = k.now, p = this.fifo[this.head];
    const [nx, ny] = this.next();
    // Stryker disable next-line ConditionalExpression: a local port's packet has the one destination `to` on this router, where route() ejects it too
    const rest = this.dir < 0 ? this.mesh.eject(p, this.to!, now, this.tryHead) : this.mesh.route(p, nx, ny, now, this.tryHead);
    if (rest) { this.fifo[this.head] = rest; return; }
    this.stats.waitTicks += now - this.ready[this.head] + (this.ready[this.head] - this.latency - this.entered[this.head]);
    this.head++;
    this.occ--;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator,BlockStatement: when to compact only changes memory
    if (this.head > 64 && this.head * 2 > this.fifo.length) {
      this.fifo.splice(0, this.head); this.ready.splice(0, this.head); this.entered.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.fifo.length) k.at(Math.max(now, this.ready[this.head]), this.tryHead);
    const w = this.waiters.shift();
    if (w) w();
  }

  private next(): [number, number] {
    const d = this.dir;
    const { x, y } = this;
    // Stryker disable next-line ConditionalExpression,ArrayDeclaration: the last branch is a local port's, whose next router forward() never reads
    return d === 0 ? [x + 1, y] : d === 1 ? [x - 1, y] : d === 2 ? [x, y + 1] : d === 3 ? [x, y - 1] : [x, y];
  }
}

/** Mesh parameters in ticks. */
export interface MeshTiming { hop: number; hopNS: number; within: number; serial: number; depth: number }

/** The mesh: links created as used, a local port per destination core, the cores' input queues as sinks. */
export class Mesh {
  readonly counts: MeshCounts = { packets: 0, hops: 0, stalls: 0, stalledSinceCheck: false };
  private readonly links = new Map<number, Link>();
  private readonly local = new Map<number, Link>();
  private readonly xy = new Map<number, [number, number]>();

  constructor(readonly kernel: Kernel, readonly t: Target, private readonly timing: MeshTiming, private readonly inputs: (core: number) => Sink) {}

  /** Router of a core (cached). */
  at(core: number): [number, number] {
    let r = this.xy.get(core);
    // Stryker disable next-line ConditionalExpression: a cache; computing the router again gives the same
    if (!r) { r = routerOf(this.t, core); this.xy.set(core, r); }
    return r;
  }

  stall(): void {
    this.counts.stalls++;
    this.counts.stalledSinceCheck = true;
  }

  /** Hands a message from core `src` on (a local port for a core on the same router, else the first link); returns the part not taken. */
  inject(src: number, p: Packet, now: number, retry: () => void): Packet | null {
    const [x, y] = this.at(src);
    return this.route(p, x, y, now, retry, true);
  }

  /**
   * At router (x, y): hands `p` on towards each of its destinations (a local port at the source
   * router, the core's input queue at a destination router, else the next link). Returns null
   * when every part was taken, else the part still waiting (`retry` will run when it may move).
   */
  route(p: Packet, x: number, y: number, now: number, retry: () => void, source = false): Packet | null {
    if (p.dsts.length === 1) return this.step1(p, p.dsts[0], x, y, now, retry, source) ? null : p;
    const groups = new Map<number, { dsts: number[]; syn: number[] }>();
    for (let i = 0; i < p.dsts.length; i++) {
      const d = p.dsts[i], [dx, dy] = this.at(d), key = dx === x && dy === y ? -1 - d : this.dirTo(x, y, dx, dy);
      let g = groups.get(key);
      if (!g) { g = { dsts: [], syn: [] }; groups.set(key, g); }
      g.dsts.push(d); g.syn.push(p.syn[i]);
    }
    const left: Packet = { dsts: [], syn: [], token: p.token, unit: p.unit };
    let blocked = false;
    for (const [, g] of groups) {
      const part: Packet = { dsts: g.dsts, syn: g.syn, token: p.token, unit: p.unit };
      if (!blocked && this.step1(part, g.dsts[0], x, y, now, retry, source)) continue;
      blocked = true;
      left.dsts.push(...g.dsts); left.syn.push(...g.syn);
    }
    return blocked ? left : null;
  }

  /** Hands a packet whose destinations share one next step on (toward `d`). */
  private step1(p: Packet, d: number, x: number, y: number, now: number, retry: () => void, source: boolean): boolean {
    const [dx, dy] = this.at(d);
    if (dx === x && dy === y) return source ? this.localPort(d, x, y).offer(p, now, retry) : this.eject(p, d, now, retry) === null;
    return this.link(x, y, this.dirTo(x, y, dx, dy)).offer(p, now, retry);
  }

  /** Hands `p` to core d's input queue. */
  eject(p: Packet, d: number, now: number, retry: () => void): Packet | null {
    return this.inputs(d).offer(p, now, retry) ? null : p;
  }

  private dirTo(x: number, y: number, dx: number, dy: number): Dir {
    // Stryker disable next-line EqualityOperator: called for another router only, so y = dy never comes with x = dx
    return x < dx ? 0 : x > dx ? 1 : y < dy ? 2 : 3;
  }

  private link(x: number, y: number, dir: Dir): Link {
    // Stryker disable next-line ArithmeticOperator: any one-to-one renaming of the links' keys (these all are) keeps every link apart
    const key = (y * this.t.mesh.width + x) * 4 + dir;
    let l = this.links.get(key);
    if (!l) {
      const hop = dir >= 2 ? this.timing.hopNS : this.timing.hop;
      l = new Link(this, x, y, dir, hop, this.timing.serial, this.timing.depth);
      this.links.set(key, l);
    }
    return l;
  }

  private localPort(d: number, x: number, y: number): Link {
    let l = this.local.get(d);
    if (!l) { l = new Link(this, x, y, -1, this.timing.within, 0, this.timing.depth, d); this.local.set(d, l); }
    return l;
  }

  /** Link statistics (mesh links only), wait in cycles. */
  stats(R: number): LinkStats[] {
    return [...this.links.values()].map((l) => { const { waitTicks, ...s } = l.stats; return { ...s, waitCycles: waitTicks / R }; })
      .sort((a, b) => a.router - b.router || a.port.localeCompare(b.port));
  }
}

export { HOST };
