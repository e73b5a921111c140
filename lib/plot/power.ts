/**
 * Power and energy figures: stacked bars of energy per layer by kind of operation, and a
 * per-core heatmap laid out on the mesh. Pure: an energy report in, Plotly JSON out.
 */
import { DEFAULT_CONFIG, PALETTE, type Figure, type Trace } from "./figure.js";

/** What the power figures read from a VM energy report (structurally; plot imports no VM code). */
export interface EnergyLike {
  target: string;
  perInference: number;
  averagePower: number;
  byLayer: Record<string, Record<string, number>>;
  byCore: Record<string, Record<string, number>>;
}

/** Where each core sits on the mesh. */
export interface CorePlace { id: number; x: number; y: number; layer?: string }

const J = (x: number) => x * 1e6; // joules -> µJ on the axes

/** Stacked bars: µJ per inference per layer, one stack per kind of operation. */
export function powerByLayer(e: EnergyLike, batch = 1): Figure {
  const layers = Object.keys(e.byLayer);
  const ops = [...new Set(layers.flatMap((l) => Object.keys(e.byLayer[l])))].filter((op) => layers.some((l) => e.byLayer[l][op] > 0));
  const data: Trace[] = ops.map((op, i) => ({ type: "bar", name: op, x: layers, y: layers.map((l) => J((e.byLayer[l][op] ?? 0) / batch)), marker: { color: PALETTE[i % PALETTE.length] } }));
  const summary = `power: ${layers.length} layers, ${J(e.perInference).toPrecision(4)} µJ per inference, ${(e.averagePower * 1e3).toPrecision(4)} mW average on ${e.target}`;
  return {
    data,
    layout: { title: { text: `Energy per inference by layer (${e.target})` }, barmode: "stack", xaxis: { title: { text: "layer" } }, yaxis: { title: { text: "energy (µJ)" } }, meta: { phasor: { kind: "power", summary, layers, ops } } },
    config: { ...DEFAULT_CONFIG },
  };
}

/** Heatmap of energy per core (µJ per inference) over the mesh (width x height routers; cores sharing a router are summed). */
export function coreHeatmap(e: EnergyLike, cores: CorePlace[], mesh: { width: number; height: number }, batch = 1): Figure {
  const z = Array.from({ length: mesh.height }, () => new Array<number>(mesh.width).fill(0));
  const text = Array.from({ length: mesh.height }, () => new Array<string>(mesh.width).fill(""));
  for (const c of cores) {
    const ops = e.byCore[String(c.id)] ?? {};
    const sum = Object.values(ops).reduce((a, b) => a + b, 0);
    z[c.y][c.x] += J(sum / batch);
    text[c.y][c.x] += `${text[c.y][c.x] ? "; " : ""}core ${c.id}${c.layer ? ` (${c.layer})` : ""}`;
  }
  const summary = `power heatmap: ${cores.length} cores on a ${mesh.width}x${mesh.height} mesh`;
  return {
    data: [{ type: "heatmap", z, text, hovertemplate: "(%{x}, %{y}) %{text}: %{z:.4g} µJ<extra></extra>", colorscale: "Viridis", colorbar: { title: { text: "µJ" } } }],
    layout: { title: { text: `Energy per core (${e.target})` }, xaxis: { title: { text: "x" }, dtick: 1 }, yaxis: { title: { text: "y" }, dtick: 1 }, meta: { phasor: { kind: "power-heatmap", summary } } },
    config: { ...DEFAULT_CONFIG },
  };
}
