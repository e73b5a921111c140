/**
 * The 2-D mesh network-on-chip: one router per (x, y) with directed links to its neighbours.
 * Packets follow dimension-order (X then Y) routes; a multicast packet branches where its
 * destinations' next hops differ, a unicast source sends one packet per destination. Each link
 * takes `linkCycles` per packet (bandwidth) after a `hopCycles` traversal; packets queue while
 * it is busy (contention) and a queue longer than `depth` counts as a buffer overflow.
 */
import type { Target } from "../../target/types.js";
import { routerOf } from "../noc/routes.js";
import type { Kernel } from "./kernel.js";
import type { LinkStats } from "./report.js";

/** A spike (or end-of-phase token) travelling the mesh. */
export interface Packet {
  /** Source layer, neuron, batch entry, value and the step it was emitted in. */
  layer: number;
  k: number;
  b: number;
  value: number;
  step: number;
  /** An end-of-phase token from unit `unit` rather than a spike. */
  token: boolean;
  unit: number;
}

/** Mesh parameters in cycles: per hop east-west (hopCycles) and north-south, between cores sharing a router (within), per packet on a link. */
export interface MeshTiming { hopCycles: number; hopNSCycles?: number; withinCycles?: number; linkCycles: number; depth: number }

type Dir = "E" | "W" | "N" | "S";

/** The mesh: routes packets from a source core to destination cores and calls `deliver` at each. */
export class Mesh {
  readonly links = new Map<string, LinkStats & { free: number; departures: number[] }>();
  packets = 0;
  hops = 0;
  local = 0;
  overflows = 0;
  overflowSinceCheck = false;

  constructor(private readonly kernel: Kernel, private readonly t: Target, private readonly timing: MeshTiming, private readonly deliver: (core: number, p: Packet) => void) {}

  /** Sends `p` from core `src` to cores `dsts` (a destination equal to src is delivered at once). */
  send(src: number, dsts: readonly number[], p: Packet): void {
    const [sx, sy] = routerOf(this.t, src);
    const remote: number[] = [];
    for (const d of dsts) {
      if (d === src) { this.kernel.schedule(0, () => this.deliver(d, p)); continue; }
      const [dx, dy] = routerOf(this.t, d);
      if (dx === sx && dy === sy) { if (!p.token) this.local++; this.kernel.schedule(this.timing.withinCycles ?? 1, () => this.deliver(d, p)); } else remote.push(d);
    }
    if (!remote.length) return;
    if (this.t.mesh.multicast) { if (!p.token) this.packets++; this.route(sx, sy, remote, p); }
    else for (const d of remote) { if (!p.token) this.packets++; this.route(sx, sy, [d], p); }
  }

  /** At router (x, y): deliver what is local, forward the rest one hop per outgoing direction. */
  private route(x: number, y: number, dsts: number[], p: Packet): void {
    const groups = new Map<Dir, number[]>();
    for (const d of dsts) {
      const [dx, dy] = routerOf(this.t, d);
      if (dx === x && dy === y) { this.deliver(d, p); continue; }
      const dir: Dir = x < dx ? "E" : x > dx ? "W" : y < dy ? "N" : "S";
      const g = groups.get(dir);
      if (g) g.push(d); else groups.set(dir, [d]);
    }
    for (const [dir, g] of groups) this.transmit(x, y, dir, g, p);
  }

  private transmit(x: number, y: number, dir: Dir, dsts: number[], p: Packet): void {
    const router = y * this.t.mesh.width + x, key = `${router}${dir}`, now = this.kernel.now;
    let l = this.links.get(key);
    if (!l) { l = { router, x, y, port: dir, packets: 0, waitCycles: 0, maxQueue: 0, free: 0, departures: [] }; this.links.set(key, l); }
    const depart = Math.max(now, l.free);
    l.free = depart + this.timing.linkCycles;
    while (l.departures.length && l.departures[0] <= now) l.departures.shift();
    l.departures.push(depart);
    l.maxQueue = Math.max(l.maxQueue, l.departures.length);
    if (l.departures.length > this.timing.depth) { this.overflows++; this.overflowSinceCheck = true; }
    l.waitCycles += depart - now;
    if (!p.token) { l.packets++; this.hops++; }
    const nx = x + (dir === "E" ? 1 : dir === "W" ? -1 : 0), ny = y + (dir === "N" ? 1 : dir === "S" ? -1 : 0);
    const hop = dir === "N" || dir === "S" ? (this.timing.hopNSCycles ?? this.timing.hopCycles) : this.timing.hopCycles;
    this.kernel.at(depart + hop, () => this.route(nx, ny, dsts, p));
  }

  /** Link statistics without the internal queues. */
  stats(): LinkStats[] {
    return [...this.links.values()].map(({ free: _f, departures: _d, ...s }) => s).sort((a, b) => a.router - b.router || a.port.localeCompare(b.port));
  }
}
