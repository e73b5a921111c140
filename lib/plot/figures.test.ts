/**
 * Every figure builder in lib/plot, found by listing the modules: each axis a trace uses has a
 * title with a unit (or says it counts an index, or names categories), every colour bar too,
 * no title carries internal detail, and shared quantities are named and coloured alike.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AXIS, SEQUENTIAL, isFigure, titleText, type Figure } from "./figure.js";
import { raster } from "./raster.js";
import { traces } from "./traces.js";
import { trainingCurves } from "./curves.js";
import { eventFrame } from "./frame.js";
import { meshUtilisation } from "./mesh.js";
import { coreHeatmap, powerByLayer, type EnergyLike } from "./power.js";
import { congestionHeatmap, coreStateFigure, latencyPerStep, paretoFigure, type SweepPoint } from "./cycles.js";

const energy: EnergyLike = {
  target: "loihi", perInference: 2e-6, averagePower: 1e-3, seconds: 2e-3, timeSource: "counts",
  byLayer: { lif1: { synOp: 1e-6, neuronUpdate: 5e-7 }, lif2: { synOp: 2e-7, neuronUpdate: null } },
  byCore: { "0": { synOp: 1e-6 }, "1": { synOp: null }, "4": { synOp: 3e-7 } },
};
const places = [{ id: 0, x: 0, y: 0, layer: "lif1" }, { id: 1, x: 0, y: 0, layer: "lif1" }, { id: 4, x: 1, y: 0, layer: "lif2" }];
const sweep = (spread: number): SweepPoint[] =>
  [[40, 8], [50, 6], [75, 4], [230, 2]].map(([us, cores], i) => ({ label: `c${i}`, latency: us * 1e-6, energy: 2.268e-6 * (1 + spread * i / 3), cores }));

/** One or more figures from every exported builder, by name; a new builder must be added here. */
const SAMPLES: Record<string, () => Figure[]> = {
  raster: () => [
    raster({ lif: [[0, 0], [3, 0]] }, { dt: 1e-3 }), raster({ a: [[0, 1]], b: [[2, 0]] }), raster([[0, 0], [1, 1]], { mode: "heatmap" }),
  ],
  traces: () => [
    traces({ "lif.v[0]": [0, 1], "lif.i[0]": [1, 0], "lif.spike[0]": [0, 1] }, { dt: 1e-3, threshold: 1, reset: 0 }), traces({ v: [0, 1] }),
  ],
  trainingCurves: () => [trainingCurves([{ step: 1, loss: 1, accuracy: 0.5 }], [{ epoch: 1, step: 1, valLoss: 1, valAccuracy: 0.5 }], { note: "backend: wasm" })],
  eventFrame: () => [eventFrame({ data: [0, 1, 2, 3], rows: 2, columns: 2 })],
  meshUtilisation: () => [meshUtilisation({
    target: "loihi", coresTotal: 8, mesh: { width: 2, height: 1, coresPerRouter: 4 },
    cores: [{ core: 0, x: 0, y: 0, layer: "a", utilisation: { neurons: 0.5, synapses: 0.1, fanIn: 0, fanOut: 0 } }],
  })],
  powerByLayer: () => [powerByLayer(energy)],
  coreHeatmap: () => [coreHeatmap(energy, places, { width: 2, height: 2 })],
  latencyPerStep: () => [latencyPerStep([100, 300, 200], 1e8)],
  congestionHeatmap: () => [congestionHeatmap([{ x: 0, y: 0, port: "E", packets: 3, waitCycles: 7 }], { width: 2, height: 2 })],
  paretoFigure: () => [paretoFigure(sweep(0.003)), paretoFigure(sweep(10))],
  coreStateFigure: () => [coreStateFigure({ layer: "lif1", core: 2, start: 16, v: [0.1, 0.2], currents: [[0, 1]] }, 9)],
};

/** Exported functions that do not build a figure. */
const NOT_FIGURES = new Set([
  "summarise", "titleText", "isFigure", "decimate", "recordColumns", "paretoFront", "meshHeatmap", "cellNumber",
  "columnsOf", "panelsOf", "neuronKey", "levelOf", "panelTraces", "panelLayout", "neuronMenu",
  "clampFraction", "percent", "progressText", "progressHtml", "escapeHtml",
]);

/** A numeric axis states its unit in parentheses; an index axis says so; a category axis names its categories. */
function titled(axis: Record<string, unknown> | undefined): string {
  const text = (axis?.title as { text?: string } | undefined)?.text ?? "";
  if (/\([^()]+\)$/.test(text) || /\bindex$/.test(text)) return "ok";
  if (text && (axis?.type === "category" || Array.isArray(axis?.ticktext))) return "ok";
  return `"${text}" has no unit`;
}

/** Axis layout keys used by the figure's traces ("x2" -> "xaxis2"). */
function usedAxes(f: Figure): string[] {
  const ids = new Set(f.data.flatMap((t) => [String(t.xaxis ?? "x"), String(t.yaxis ?? "y")]));
  return [...ids].map((id) => `${id[0]}axis${id.slice(1)}`).sort();
}

function allFigures(): Array<[string, Figure]> {
  return Object.entries(SAMPLES).flatMap(([name, make]) => make().map((f, i): [string, Figure] => [`${name}#${i}`, f]));
}

describe("every figure builder", () => {
  it("has a sample here (new builders are found by listing lib/plot)", async () => {
    const modules = readdirSync(__dirname).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts");
    const exported: string[] = [];
    for (const m of modules) {
      const mod = (await import(join(__dirname, m))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) if (typeof value === "function") exported.push(name);
    }
    expect(exported.filter((n) => !NOT_FIGURES.has(n) && !(n in SAMPLES))).toEqual([]);
    expect(Object.keys(SAMPLES).filter((n) => !exported.includes(n))).toEqual([]);
  });

  it.each(allFigures())("%s: a unit on every axis and colour bar", (_, f) => {
    expect(isFigure(f)).toBe(true);
    for (const key of usedAxes(f)) expect([key, titled(f.layout[key] as Record<string, unknown>)]).toEqual([key, "ok"]);
    for (const t of f.data.filter((t) => t.type === "heatmap")) {
      const bar = ((t.colorbar as { title?: { text?: string } } | undefined)?.title?.text) ?? "";
      expect(bar).toMatch(/\([^()]+\)$/);
    }
  });

  it.each(allFigures())("%s: a title without internal detail", (_, f) => {
    const title = titleText(f.layout);
    expect(title.length).toBeGreaterThan(0);
    expect(title).not.toMatch(/backend|skipped|wasm|tensorflow|chip time/i);
  });

  it("names the mesh axes, time axes and heatmap colours the same way everywhere", () => {
    const meshes = [...SAMPLES.meshUtilisation(), ...SAMPLES.coreHeatmap(), ...SAMPLES.congestionHeatmap()];
    for (const f of meshes) {
      expect([titled(f.layout.xaxis as Record<string, unknown>), (f.layout.xaxis as { title: { text: string } }).title.text]).toEqual(["ok", AXIS.meshX]);
      expect((f.layout.yaxis as { title: { text: string } }).title.text).toBe(AXIS.meshY);
      expect(f.data[0].colorscale).toEqual(SEQUENTIAL);
      expect(f.data[0].texttemplate).toBe("%{text}"); // values written in the cells
      expect((f.layout.shapes as unknown[]).length).toBeGreaterThan(0); // lines between routers
    }
    const time = (f: Figure) => (f.layout.xaxis as { title: { text: string } }).title.text;
    expect(time(SAMPLES.raster()[0])).toBe(AXIS.timeMs);
    expect(time(SAMPLES.traces()[0])).toBe(AXIS.timeMs);
    expect(time(SAMPLES.raster()[1])).toBe(AXIS.timeSteps);
    expect(time(SAMPLES.latencyPerStep()[0])).toBe(AXIS.timeSteps);
    for (const f of [...SAMPLES.raster(), ...SAMPLES.eventFrame()]) {
      for (const t of f.data.filter((t) => t.type === "heatmap")) expect(t.colorscale).toEqual(SEQUENTIAL);
    }
  });
});
