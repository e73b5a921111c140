/**
 * Power and energy figures: stacked bars of energy per layer by kind of operation, and a
 * per-core heatmap laid out on the mesh. Pure: an energy report in, Plotly JSON out. A figure
 * without a published constant behind it is never drawn as a number: its kind of operation
 * (or core) is left out and named "n/a" with the reason in an annotation and in meta.phasor.na.
 */
import { AXIS, DEFAULT_CONFIG, PALETTE, type Figure, type Trace } from "./figure.js";
import { cellNumber, meshHeatmap } from "./grid.js";

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
      title: { text: `Event energy per inference by layer (${e.target})` }, barmode: "stack", annotations: notes,
      xaxis: { title: { text: AXIS.layer }, type: "category" }, yaxis: { title: { text: AXIS.energy } },
      meta: { phasor: { kind: "power", summary, layers, ops, na: na.map((op) => ({ op, reason })) } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

/**
 * Heatmap of energy per inference (µJ) on the mesh, one cell per router (its cores added up), the
 * value written in it; a router whose energy rests on an unpublished constant is n/a (no colour).
 */
export function coreHeatmap(e: EnergyLike, cores: CorePlace[], mesh: { width: number; height: number }, batch = 1): Figure {
  const z = Array.from({ length: mesh.height }, () => new Array<number | null>(mesh.width).fill(null));
  const ids = Array.from({ length: mesh.height }, () => Array.from({ length: mesh.width }, () => [] as number[]));
  const hover = Array.from({ length: mesh.height }, () => new Array<string>(mesh.width).fill(""));
  const na = new Set<string>();
  let naCores = 0;
  for (const c of cores) {
    const ops = Object.values(e.byCore[String(c.id)] ?? {});
    const sum = ops.some((x) => x === null) ? null : ops.reduce<number>((a, b) => a + (b ?? 0), 0);
    if (sum === null) {
      naCores++;
      na.add(`${c.x},${c.y}`);
    }
    z[c.y][c.x] = na.has(`${c.x},${c.y}`) ? null : (z[c.y][c.x] ?? 0) + J((sum ?? 0) / batch);
    ids[c.y][c.x].push(c.id);
    hover[c.y][c.x] += `${hover[c.y][c.x] ? "; " : ""}core ${c.id}${c.layer ? ` (${c.layer})` : ""}${sum === null ? " n/a" : ""}`;
  }
  const text = ids.map((row, y) => row.map((list, x) => cellText(list, z[y][x], na.has(`${x},${y}`))));
  for (let y = 0; y < mesh.height; y++) {
    for (let x = 0; x < mesh.width; x++) {
      const cores = hover[y][x] ? `: ${hover[y][x]}` : ": no cores used";
      hover[y][x] = `router (${x}, ${y})${cores}<br>${text[y][x].replace(/^.*<br>/, "") || "–"}`;
    }
  }
  const why = naCores ? `; ${naCores} core(s) n/a: ${e.na?.total ?? "no published figure"}` : "";
  const summary = `power heatmap: ${cores.length} cores on a ${mesh.width}x${mesh.height} mesh${why}`;
  const outline = cores.map((c): [number, number] => [c.x, c.y]);
  const grid = meshHeatmap({ width: mesh.width, height: mesh.height, z, text, hover, colorbar: AXIS.energy, outline });
  return {
    data: [grid.trace],
    layout: {
      ...grid.layout, title: { text: `Energy per inference on the mesh (${e.target})` },
      meta: { phasor: { kind: "power-heatmap", summary, naCores } },
    },
    config: { ...DEFAULT_CONFIG },
  };
}

/** A router's cell: its cores (c4, or c4–c7) and their energy in µJ, or n/a. */
function cellText(ids: number[], value: number | null, na: boolean): string {
  if (!ids.length) return "";
  const lo = Math.min(...ids), hi = Math.max(...ids);
  const label = lo === hi ? `c${lo}` : `c${lo}–c${hi}`;
  return `${label}<br>${na ? "n/a" : `${cellNumber(value ?? 0)} µJ`}`;
}
