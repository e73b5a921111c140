/**
 * Power and energy figures: stacked bars of energy per layer by kind of operation, and a
 * per-core heatmap laid out on the mesh. Pure: an energy report in, Plotly JSON out. A figure
 * without a published constant behind it is never drawn as a number: its kind of operation
 * (or core) is left out and named "n/a" with the reason in an annotation and in meta.phasor.na.
 */
import { DEFAULT_CONFIG, PALETTE, type Figure, type Trace } from "./figure.js";

/** Energies by kind of operation; null where the constant behind it is unpublished. */
type Ops = Record<string, number | null | undefined>;

/** What the power figures read from a VM energy report (structurally; plot imports no VM code). */
export interface EnergyLike {
  target: string;
  perInference: number | null;
  averagePower: number | null;
  /** Chip time per inference and how it was obtained (the time base of the power). */
  seconds?: number | null;
  timeSource?: string;
  /** Why figures are n/a, one line each. */
  na?: { total?: string; dynamic?: string; static?: string; time?: string; power?: string };
  byLayer: Record<string, Ops>;
  byCore: Record<string, Ops>;
}

/** Where each core sits on the mesh. */
export interface CorePlace { id: number; x: number; y: number; layer?: string }

const J = (x: number) => x * 1e6; // joules -> µJ on the axes
const num = (x: number | null, scale: number, unit: string) => (x === null ? "n/a" : `${(x * scale).toPrecision(4)} ${unit}`);

/** A time in s, ms, µs or ns, or "n/a". */
function duration(x: number | null): string {
  if (x === null) return "n/a";
  const [unit, k] = ([["s", 1], ["ms", 1e3], ["µs", 1e6], ["ns", 1e9]] as const).find(([, k]) => x * k >= 1 || k === 1e9)!;
  return `${(x * k).toPrecision(4)} ${unit}`;
}

/** The summary line: energy, average power and the chip time it rests on, "n/a" with the reason. */
function summaryOf(e: EnergyLike, what: string): string {
  const time = e.seconds === undefined ? "" : ` over ${duration(e.seconds)} of chip time${e.timeSource ? ` (${e.timeSource})` : ""}`;
  const why = e.na?.total ?? e.na?.power ?? e.na?.time;
  return `${what}, ${num(e.perInference, 1e6, "µJ")} per inference, ${num(e.averagePower, 1e3, "mW")} average${time} on ${e.target}${why ? `; n/a: ${why}` : ""}`;
}

/** Stacked bars: µJ per inference per layer, one stack per kind of operation; kinds without a published constant are listed as n/a, not drawn. */
export function powerByLayer(e: EnergyLike, batch = 1): Figure {
  const layers = Object.keys(e.byLayer);
  const all = [...new Set(layers.flatMap((l) => Object.keys(e.byLayer[l])))];
  const na = all.filter((op) => layers.some((l) => e.byLayer[l][op] === null));
  const ops = all.filter((op) => !na.includes(op) && layers.some((l) => (e.byLayer[l][op] ?? 0) > 0));
  const data: Trace[] = ops.map((op, i) => ({
    type: "bar", name: op, x: layers, y: layers.map((l) => J((e.byLayer[l][op] ?? 0) / batch)), marker: { color: PALETTE[i % PALETTE.length] },
  }));
  const reason = e.na?.dynamic ?? e.na?.total ?? "no published figure";
  const note = { text: `n/a (no published figure): ${na.join(", ")}`, xref: "paper", yref: "paper", x: 0, y: 1.08, showarrow: false, align: "left" };
  const notes = na.length ? [note] : [];
  const summary = summaryOf(e, `power: ${layers.length} layers`);
  return {
    data,
    layout: {
      title: { text: `Energy per inference by layer (${e.target}; power over chip time)` }, barmode: "stack", annotations: notes,
      xaxis: { title: { text: "layer" } }, yaxis: { title: { text: "energy per inference (µJ)" } },
      meta: { phasor: { kind: "power", summary, layers, ops, na: na.map((op) => ({ op, reason })) } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

/** Heatmap of energy per core (µJ per inference) over the mesh; a core whose energy rests on an unpublished constant is n/a (no colour). */
export function coreHeatmap(e: EnergyLike, cores: CorePlace[], mesh: { width: number; height: number }, batch = 1): Figure {
  const z = Array.from({ length: mesh.height }, () => new Array<number | null>(mesh.width).fill(0));
  const text = Array.from({ length: mesh.height }, () => new Array<string>(mesh.width).fill(""));
  let naCores = 0;
  for (const c of cores) {
    const ops = Object.values(e.byCore[String(c.id)] ?? {});
    const sum = ops.some((x) => x === null) ? null : ops.reduce<number>((a, b) => a + (b ?? 0), 0);
    if (sum === null) naCores++;
    const cell = z[c.y][c.x];
    z[c.y][c.x] = sum === null || cell === null ? null : cell + J(sum / batch);
    text[c.y][c.x] += `${text[c.y][c.x] ? "; " : ""}core ${c.id}${c.layer ? ` (${c.layer})` : ""}${sum === null ? " n/a" : ""}`;
  }
  const why = naCores ? `; ${naCores} core(s) n/a: ${e.na?.total ?? "no published figure"}` : "";
  const summary = `power heatmap: ${cores.length} cores on a ${mesh.width}x${mesh.height} mesh${why}`;
  return {
    data: [{ type: "heatmap", z, text, hovertemplate: "(%{x}, %{y}) %{text}: %{z:.4g} µJ<extra></extra>", colorscale: "Viridis", colorbar: { title: { text: "µJ" } } }],
    layout: { title: { text: `Energy per core (${e.target})` }, xaxis: { title: { text: "x" }, dtick: 1 }, yaxis: { title: { text: "y" }, dtick: 1 }, meta: { phasor: { kind: "power-heatmap", summary, naCores } } },
    config: { ...DEFAULT_CONFIG },
  };
}
