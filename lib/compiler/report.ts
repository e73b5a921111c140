/** The resource report: cores, per-core utilisation, routing, traffic, quantisation error, host split. */
import type { Target } from "../target/types.js";
import type { SystemTraffic } from "./passes/route.js";

/** Per-core use as fractions of the core's limits. */
export interface CoreReport {
  core: number; x: number; y: number; layer: string; neurons: number; synapses: number; fanIn: number; fanOut: number; routingEntries: number;
  utilisation: { neurons: number; synapses: number; fanIn: number; fanOut: number };
}

/** A projection crossing the host/chip split. */
export interface HostChannel {
  projection: string; direction: "host->chip" | "chip->host"; synapses: number;
  /** Spike events sent across per run. */
  spikes: number;
}

/** Per-layer summary. */
export interface LayerReport {
  name: string; model: string; partition: string; neurons: number; cores: number; synapses: number;
  weightError: number | null; decayError: number | null;
  /** The chip's own codes where its profile has named fields (Loihi: du, dv, vth, bias, weight_exp), in one line. */
  codes?: string;
  /** Chip layers: the order the partitioner cut the layer in ("neuron order", or "receptive fields (...)", see docs/cycle-models.md). */
  packing?: string;
}

/** Everything the compiler measured. */
export interface ResourceReport {
  target: string;
  coresUsed: number;
  coresTotal: number;
  mesh: { width: number; height: number; coresPerRouter: number };
  cores: CoreReport[];
  layers: LayerReport[];
  routing: { entries: number; maxPerRouter: number; limit: number };
  traffic: { spikes: number; packets: number; spikeHops: number; unicastHops: number; multicast: boolean; source: "spike counts given" | "1 spike per neuron (no counts given)" };
  /** The host/chip split: host layers, the channels between the partitions, and the spike events crossing them (per run, same counts as `traffic`). */
  host: { layers: string[]; channels: HostChannel[]; spikes: { toHost: number; toChip: number } };
  /** Timing/energy constants without a published figure (estimates using them are incomplete). */
  unverifiedConstants: string[];
  /** ProceduralProjections: kept as a rule (procedural) or stored (materialised), with the reason. */
  connectivity?: Array<{ projection: string; mode: "materialised" | "procedural"; synapses: number; reason: string }>;
  /** A multi-chip system: chips in use and their utilisation, packets per inter-chip link (per run, same counts as `traffic`). */
  system?: SystemTraffic & { chip: string; expected: boolean };
}

/** Constants of a target without a published figure (kind "unpublished", or a legacy UNVERIFIED source), as paths for the report's caveats. */
export function unverified(t: Target): string[] {
  const out: string[] = [];
  for (const [group, consts] of [["timing", t.timing], ["energy", t.energy]] as const)
    for (const [k, v] of Object.entries(consts)) if (v && typeof v === "object" && "source" in v && (v.kind === "unpublished" || v.source.startsWith("UNVERIFIED"))) out.push(`${group}.${k}`);
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** A plain-text report for terminals and notebooks. */
export function formatReport(r: ResourceReport): string {
  const lines = [`target ${r.target}: ${r.coresUsed} of ${r.coresTotal} cores (${r.mesh.width}x${r.mesh.height} mesh, ${r.mesh.coresPerRouter} per router)`, ""];
  lines.push(table(["layer", "model", "partition", "neurons", "cores", "synapses", "weight err", "decay err"], r.layers.map((l) => [l.name, l.model, l.partition, `${l.neurons}`, `${l.cores}`, `${l.synapses}`, l.weightError === null ? "-" : l.weightError.toExponential(2), l.decayError === null ? "-" : l.decayError.toExponential(2)])));
  lines.push("", table(["core", "x,y", "layer", "neurons", "synapses", "fan-in", "fan-out", "routes"], r.cores.map((c) => [`${c.core}`, `${c.x},${c.y}`, c.layer, `${c.neurons} (${pct(c.utilisation.neurons)})`, `${c.synapses} (${pct(c.utilisation.synapses)})`, `${c.fanIn} (${pct(c.utilisation.fanIn)})`, `${c.fanOut}`, `${c.routingEntries}`])));
  lines.push("", `routing: ${r.routing.entries} ${r.routing.entries === 1 ? "entry" : "entries"}, at most ${r.routing.maxPerRouter} per router (limit ${r.routing.limit})`);
  lines.push(`traffic (${r.traffic.source}): ${r.traffic.spikes} spikes, ${r.traffic.packets} packets, ${r.traffic.spikeHops} spike-hops (${r.traffic.multicast ? "multicast" : "unicast"}), ${r.traffic.unicastHops} unicast hops`);
  if (r.host.layers.length) {
    lines.push(`host partition: ${r.host.layers.join(", ")}; ${r.host.spikes.toHost} spikes chip->host, ${r.host.spikes.toChip} host->chip`);
    if (r.host.channels.length) lines.push(table(["channel", "direction", "synapses", "spikes"], r.host.channels.map((c) => [c.projection, c.direction, `${c.synapses}`, `${c.spikes}`])));
  }
  if (r.system) lines.push("", ...systemLines(r.system));
  const packed = r.layers.filter((l) => l.packing && l.packing !== "neuron order");
  if (packed.length) lines.push("", ...packed.map((l) => `${l.name}: packed by ${l.packing}`));
  const coded = r.layers.filter((l) => l.codes);
  if (coded.length) lines.push("", ...coded.map((l) => `${l.name}: ${l.codes}`));
  if (r.unverifiedConstants.length) lines.push(`caveat: no published figure (0 used) for ${r.unverifiedConstants.join(", ")}`);
  return lines.join("\n");
}

/** Chips in use with their utilisation, and the packets on each inter-chip link. */
function systemLines(x: NonNullable<ResourceReport["system"]>): string[] {
  const how = x.expected ? "expected packets (from projection rules)" : "packets";
  return [
    `system: ${x.chipsUsed} of ${x.chipsTotal} ${x.chip} chips in use; ${x.interChipPackets.toFixed(0)} ${how} cross chip links`,
    table(["chip", "cores", "neurons"], x.chips.map((c) => [`${c.chip}`, `${c.cores} (${pct(c.utilisation.cores)})`, `${c.neurons} (${pct(c.utilisation.neurons)})`])),
    ...(x.links.length ? ["", table(["link", "kind", "packets"], x.links.map((l) => [`${l.from} -> ${l.to}`, l.kind, l.packets.toFixed(0)]))] : []),
  ];
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
  return [fmt(head), fmt(w.map((n) => "-".repeat(n))), ...rows.map(fmt)].join("\n");
}
