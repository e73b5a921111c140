/**
 * Routing: one key per source core; dimension-order (X then Y) paths to every destination
 * core, merged into a multicast tree where the target's routers branch packets (one packet
 * per destination otherwise). Tables are checked against the routers' entry limits; a
 * single-core target has no router and gets none. On a system, the packets crossing each
 * chip-to-chip (and board-to-board) link are summed per pair of neighbouring chips.
 */
import { IssueList } from "../../ir/errors.js";
import type { Target } from "../../target/types.js";
import { chipOfCore, linkKind, systemOf } from "../../target/system.js";
import type { CompileState } from "../state.js";
import { coreXY, hops } from "./place.js";
import { sliceTraffic } from "./traffic.js";

/** Route of one source core's packets. */
export interface Route {
  srcCore: number;
  dstCores: number[];
  /** Links traversed by one packet (tree size for multicast, sum of path lengths for unicast). */
  links: number;
}

/** A router's table: per source key, the output ports (N, S, E, W, or local core "C<id>"). */
export interface RouterTable {
  router: number;
  x: number;
  y: number;
  entries: Array<{ key: number; ports: string[] }>;
}

/** Packets over the links from one chip to a neighbouring one, per run. */
export interface ChipLinkTraffic { from: number; to: number; kind: "chip" | "board"; packets: number }

/** A system's traffic: packets per inter-chip link and in all, chips in use. */
export interface SystemTraffic {
  chipsUsed: number;
  chipsTotal: number;
  /** Packets crossing a chip (or board) boundary, summed over links (a packet crossing two boundaries counts twice). */
  interChipPackets: number;
  links: ChipLinkTraffic[];
  /** Per chip in use: cores and neurons held, as counts and fractions of the chip's. */
  chips: Array<{ chip: number; cores: number; neurons: number; utilisation: { cores: number; neurons: number } }>;
}

/** Routing result with traffic totals. */
export interface Routing {
  routes: Route[];
  tables: RouterTable[];
  /** Spikes emitted by chip neurons, packets delivered, and link traversals (spike-hops). */
  spikes: number;
  packets: number;
  spikeHops: number;
  /** Hops if every packet were sent unicast (placement quality independent of multicast). */
  unicastHops: number;
  /** True when some traffic is an expectation from a projection's rule (procedural synapses not stored). */
  expected?: boolean;
  system?: SystemTraffic;
}

const PORTS = ["E", "W", "N", "S"] as const;

/** Builds routes and tables for the placed slices. */
export function route(s: CompileState): CompileState {
  const t = s.target, S = s.slices!.length, at = s.placement!, issues = new IssueList();
  const traffic = sliceTraffic(s);
  const tables = new Map<number, RouterTable>();
  const routes: Route[] = [];
  const chipLinks = systemOf(t) ? new Map<string, ChipLinkTraffic>() : undefined;
  let spikeHops = 0, unicastHops = 0, packets = 0, total = 0;
  for (let a = 0; a < S; a++) {
    total += traffic.spikes[a];
    const dst: number[] = [];
    for (const [b, w] of traffic.rows[a]) if (w > 0) { dst.push(at[b]); packets += w; unicastHops += w * hops(t, at[a], at[b]); }
    const uniq = [...new Set(dst)].sort((x, y) => x - y);
    if (uniq.length > t.core.fanOut) issues.add("fan-out", [s.slices![a].layer], `core ${at[a]} (${s.slices![a].layer}[${s.slices![a].start}..]) sends to ${uniq.length} cores; ${t.name} allows ${t.core.fanOut}`);
    // A single-core chip (Xylo) has no router: its synapses are rows of its weight memories, so no tables.
    const links = t.mapping === "single-core" ? 0 : addTree(t, at[a], uniq, tables);
    routes.push({ srcCore: at[a], dstCores: uniq, links });
    spikeHops += t.mesh.multicast ? traffic.spikes[a] * links : rowHops(t, traffic.rows[a], at, a);
    if (chipLinks) countChipLinks(t, at, a, traffic.rows[a], traffic.spikes[a], chipLinks);
  }
  for (const tb of tables.values()) if (tb.entries.length > t.mesh.tableEntries) issues.add("routing-table", [`router(${tb.x},${tb.y})`], `router (${tb.x}, ${tb.y}) needs ${tb.entries.length} routing entries; ${t.name} allows ${t.mesh.tableEntries}`);
  issues.throwIfAny();
  const list = [...tables.values()].sort((x, y) => x.router - y.router);
  const routing: Routing = { routes, tables: list, spikes: total, packets, spikeHops, unicastHops };
  if (traffic.expected) routing.expected = true;
  if (chipLinks) routing.system = systemTraffic(t, at, s.slices!.map((x) => x.count), chipLinks);
  return { ...s, routing };
}

function rowHops(t: Target, row: Map<number, number>, at: Int32Array, a: number): number {
  let h = 0;
  for (const [b, w] of row) h += w * hops(t, at[a], at[b]);
  return h;
}

/** One step of an X-then-Y walk: the port taken from (x, y) towards (dx, dy). */
function port(x: number, y: number, dx: number, dy: number): number {
  return x < dx ? 0 : x > dx ? 1 : y < dy ? 2 : 3;
}

/** Adds the X-then-Y tree from `src` to `dsts` to the tables; returns its number of links. */
function addTree(t: Target, src: number, dsts: number[], tables: Map<number, RouterTable>): number {
  const links = new Set<number>();
  const ports = new Map<number, Set<string>>();
  const addPort = (router: number, p: string) => { let m = ports.get(router); if (!m) ports.set(router, (m = new Set())); m.add(p); };
  const [sx, sy] = coreXY(t, src);
  for (const d of dsts) {
    const [dx, dy] = coreXY(t, d);
    let x = sx, y = sy;
    while (x !== dx || y !== dy) {
      const r = y * t.mesh.width + x, p = port(x, y, dx, dy);
      addPort(r, PORTS[p]);
      if (x !== dx) x += x < dx ? 1 : -1; else y += y < dy ? 1 : -1;
      links.add(r * 4 + p);
    }
    addPort(dy * t.mesh.width + dx, `C${d}`);
  }
  for (const [r, ps] of ports) {
    if (!tables.has(r)) tables.set(r, { router: r, x: r % t.mesh.width, y: Math.floor(r / t.mesh.width), entries: [] });
    tables.get(r)!.entries.push({ key: src, ports: [...ps].sort() });
  }
  return t.mesh.multicast ? links.size : dsts.reduce((a, d) => a + hops(t, src, d), 0);
}

/** Adds the packets of source slice a to every inter-chip link its routes cross (multicast: its spikes once per tree link). */
function countChipLinks(t: Target, at: Int32Array, a: number, row: Map<number, number>, spikes: number, out: Map<string, ChipLinkTraffic>): void {
  const [sx, sy] = coreXY(t, at[a]), tree = new Set<number>();
  const add = (x: number, y: number, p: number, packets: number) => {
    const axis = p < 2 ? "x" : "y", lo = p === 0 ? x : p === 1 ? x - 1 : p === 2 ? y : y - 1;
    const kind = linkKind(t, axis, lo);
    if (kind === "mesh") return;
    const nx = p === 0 ? x + 1 : p === 1 ? x - 1 : x, ny = p === 2 ? y + 1 : p === 3 ? y - 1 : y;
    const from = chipAt(t, x, y), to = chipAt(t, nx, ny), key = `${from}>${to}`;
    const e = out.get(key) ?? { from, to, kind, packets: 0 };
    e.packets += packets;
    out.set(key, e);
  };
  for (const [b, w] of row) {
    if (!(w > 0)) continue;
    const [dx, dy] = coreXY(t, at[b]);
    let x = sx, y = sy;
    while (x !== dx || y !== dy) {
      const p = port(x, y, dx, dy), id = (y * t.mesh.width + x) * 4 + p;
      if (!t.mesh.multicast) add(x, y, p, w);
      else if (!tree.has(id)) { tree.add(id); add(x, y, p, spikes); }
      if (x !== dx) x += x < dx ? 1 : -1; else y += y < dy ? 1 : -1;
    }
  }
}

/** Chip number of the chip holding router (x, y). */
function chipAt(t: Target, x: number, y: number): number {
  const s = systemOf(t)!;
  const cx = Math.floor(x / s.chipMesh.width), cy = Math.floor(y / s.chipMesh.height);
  const boardsWide = t.mesh.width / s.chipMesh.width / s.chips.width;
  const bx = Math.floor(cx / s.chips.width), by = Math.floor(cy / s.chips.height);
  return (by * boardsWide + bx) * s.chips.width * s.chips.height + (cy % s.chips.height) * s.chips.width + (cx % s.chips.width);
}

function systemTraffic(t: Target, at: Int32Array, neurons: number[], links: Map<string, ChipLinkTraffic>): SystemTraffic {
  const s = systemOf(t)!, list = [...links.values()].sort((p, q) => p.from - q.from || p.to - q.to);
  const per = new Map<number, { cores: Set<number>; neurons: number }>();
  at.forEach((c, k) => {
    const chip = chipOfCore(t, c), e = per.get(chip) ?? { cores: new Set<number>(), neurons: 0 };
    e.cores.add(c); e.neurons += neurons[k];
    per.set(chip, e);
  });
  const chips = [...per.entries()].sort((p, q) => p[0] - q[0]).map(([chip, e]) => ({
    chip, cores: e.cores.size, neurons: e.neurons,
    utilisation: { cores: e.cores.size / s.coresPerChip, neurons: e.neurons / (s.coresPerChip * t.core.neurons) },
  }));
  return { chipsUsed: chips.length, chipsTotal: t.cores / s.coresPerChip, interChipPackets: list.reduce((a, l) => a + l.packets, 0), links: list, chips };
}
