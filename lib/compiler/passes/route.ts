/**
 * Routing: one key per source core; dimension-order (X then Y) paths to every destination
 * core, merged into a multicast tree where the target's routers branch packets (one packet
 * per destination otherwise). Tables are checked against the routers' entry limits; a
 * single-core target has no router and gets none.
 */
import { IssueList } from "../../ir/errors.js";
import type { Target } from "../../target/types.js";
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
}

/** Builds routes and tables for the placed slices. */
export function route(s: CompileState): CompileState {
  const t = s.target, S = s.slices!.length, at = s.placement!, issues = new IssueList();
  const { traffic, spikes } = sliceTraffic(s);
  const tables = new Map<number, RouterTable>();
  const routes: Route[] = [];
  let spikeHops = 0, unicastHops = 0, packets = 0, total = 0;
  for (let a = 0; a < S; a++) {
    total += spikes[a];
    const dst: number[] = [];
    for (let b = 0; b < S; b++) if (traffic[a * S + b] > 0) { dst.push(at[b]); packets += traffic[a * S + b]; unicastHops += traffic[a * S + b] * hops(t, at[a], at[b]); }
    const uniq = [...new Set(dst)].sort((x, y) => x - y);
    if (uniq.length > t.core.fanOut) issues.add("fan-out", [s.slices![a].layer], `core ${at[a]} (${s.slices![a].layer}[${s.slices![a].start}..]) sends to ${uniq.length} cores; ${t.name} allows ${t.core.fanOut}`);
    // A single-core chip (Xylo) has no router: its synapses are rows of its weight memories, so no tables.
    const links = t.mapping === "single-core" ? 0 : addTree(t, at[a], uniq, tables);
    routes.push({ srcCore: at[a], dstCores: uniq, links });
    spikeHops += t.mesh.multicast ? spikes[a] * links : rowHops(t, traffic, at, a, S);
  }
  for (const tb of tables.values()) if (tb.entries.length > t.mesh.tableEntries) issues.add("routing-table", [`router(${tb.x},${tb.y})`], `router (${tb.x}, ${tb.y}) needs ${tb.entries.length} routing entries; ${t.name} allows ${t.mesh.tableEntries}`);
  issues.throwIfAny();
  const list = [...tables.values()].sort((x, y) => x.router - y.router);
  return { ...s, routing: { routes, tables: list, spikes: total, packets, spikeHops, unicastHops } };
}

function rowHops(t: Target, traffic: Float64Array, at: Int32Array, a: number, S: number): number {
  let h = 0;
  for (let b = 0; b < S; b++) h += traffic[a * S + b] * hops(t, at[a], at[b]);
  return h;
}

/** Adds the X-then-Y tree from `src` to `dsts` to the tables; returns its number of links. */
function addTree(t: Target, src: number, dsts: number[], tables: Map<number, RouterTable>): number {
  const links = new Set<string>();
  const ports = new Map<number, Set<string>>();
  const addPort = (router: number, p: string) => { if (!ports.has(router)) ports.set(router, new Set()); ports.get(router)!.add(p); };
  const [sx, sy] = coreXY(t, src);
  for (const d of dsts) {
    const [dx, dy] = coreXY(t, d);
    let x = sx, y = sy;
    while (x !== dx || y !== dy) {
      const r = y * t.mesh.width + x;
      const p = x < dx ? "E" : x > dx ? "W" : y < dy ? "N" : "S";
      addPort(r, p);
      if (x !== dx) x += x < dx ? 1 : -1; else y += y < dy ? 1 : -1;
      links.add(`${r}${p}`);
    }
    addPort(dy * t.mesh.width + dx, `C${d}`);
  }
  for (const [r, ps] of ports) {
    if (!tables.has(r)) tables.set(r, { router: r, x: r % t.mesh.width, y: Math.floor(r / t.mesh.width), entries: [] });
    tables.get(r)!.entries.push({ key: src, ports: [...ps].sort() });
  }
  return t.mesh.multicast ? links.size : dsts.reduce((a, d) => a + hops(t, src, d), 0);
}
