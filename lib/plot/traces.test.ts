import { describe, expect, it } from "vitest";
import { decimate, recordColumns, traces } from "./traces.js";
import { summarise, type Figure } from "./figure.js";

const lines = (f: Figure) => f.data.filter((t) => t.mode === "lines" && !/threshold|reset/.test(String(t.name)));
const named = (f: Figure, re: RegExp) => f.data.filter((t) => re.test(String(t.name)));
const axisTitle = (f: Figure, key: string) => (f.layout[key] as { title: { text: string } }).title.text;

describe("traces", () => {
  it("draws one line per neuron over steps, leaving the step column as x", () => {
    const fig = traces({ step: [10, 11, 12], "fc1.v[0]": new Float64Array([0, 0.5, 1]), "fc1.v[1]": [1, 0, -1] });
    expect(lines(fig).map((t) => t.name)).toEqual(["neuron 0", "neuron 1"]);
    expect(fig.data[0].x).toEqual([10, 11, 12]);
    expect(fig.data[0].y).toEqual([0, 0.5, 1]);
    expect(Array.isArray(fig.data[0].y)).toBe(true);
    expect(summarise(fig)).toBe("traces: 2 neurons over 3 steps (fc1.v)");
  });

  it("puts a unit on the time and state axes", () => {
    const fig = traces({ "lif.v[0]": [0, 1, 2] }, { dt: 1e-3 });
    expect(fig.data[0].x).toEqual([0, 1, 2]);
    expect(axisTitle(fig, "xaxis")).toBe("time (ms)");
    expect(axisTitle(fig, "yaxis")).toBe("membrane v (model units)");
    expect(axisTitle(traces({ "lif.v[0]": [0] }, { units: "mV" }), "yaxis")).toBe("membrane v (mV)");
    expect(axisTitle(traces({ "lif.v[0]": [0] }), "xaxis")).toBe("time (steps)");
  });

  it("draws the threshold and the reset as labelled lines across the membrane panel", () => {
    const fig = traces({ "lif.v[0]": [0, 0.6, 0], "lif.v[1]": [0, 0.2, 0.4] }, { dt: 1e-3, threshold: { lif: [1] }, reset: { lif: 0 } });
    const [th] = named(fig, /^threshold/);
    const [reset] = named(fig, /^reset/);
    expect(th).toMatchObject({ name: "threshold 1", x: [0, 2], y: [1, 1], yaxis: "y", line: { dash: "dash" } });
    expect(reset).toMatchObject({ name: "reset 0", y: [0, 0] });
    expect(fig.layout.meta?.phasor).toMatchObject({ threshold: [1], reset: [0] });
  });

  it("draws a line per neuron in its colour when thresholds differ, hidden and shown with the neuron", () => {
    const fig = traces({ "n.v[0]": [0], "n.v[1]": [0], "n.v[2]": [0] }, { threshold: { n: [1, 1, 2] }, visibleNeurons: 2 });
    const th = named(fig, /threshold/);
    expect(th.map((t) => (t.y as number[])[0])).toEqual([1, 1, 2]);
    expect((th[2].line as { color: string }).color).toBe("#2ca02c"); // the third neuron's colour
    expect(th.map((t) => t.visible)).toEqual([true, true, false]);
    expect(th.map((t) => t.legendgroup)).toEqual(["n[0]", "n[1]", "n[2]"]);
  });

  it("marks spikes on the membrane trace at the threshold, not as a second line", () => {
    const fig = traces({ "lif.v[0]": [0.5, 0, 0.7], "lif.spike[0]": [0, 1, 0] }, { dt: 2e-3, threshold: 1 });
    const spikes = named(fig, /spikes$/);
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ mode: "markers", x: [2], y: [1], yaxis: "y", legendgroup: "lif[0]" });
    expect(lines(fig)).toHaveLength(1); // the spike column is not drawn as a line
    expect(summarise(fig)).toContain("1 spike marked");
    const bare = named(traces({ "lif.v[0]": [0.5, 0.2], "lif.spike[0]": [0, 1] }), /spikes$/)[0];
    expect(bare.y).toEqual([0.2]); // without a threshold, on the trace itself
  });

  it("gives each node and variable its own panel, sharing the time axis", () => {
    const fig = traces({ "a.v[0]": [0, 1], "a.i[0]": [2, 3], "b.v[0]": [4, 5] }, { threshold: { a: 1, b: 2 } });
    expect(fig.data.filter((t) => t.mode === "lines" && t.name?.includes("[")).map((t) => t.yaxis)).toEqual(["y", "y2", "y3"]);
    expect(axisTitle(fig, "yaxis2")).toBe("synaptic current i (model units)");
    expect(fig.data.every((t) => t.xaxis === "x")).toBe(true);
    expect(named(fig, /^threshold/).map((t) => t.yaxis)).toEqual(["y", "y3"]); // membrane panels only
    const domains = ["yaxis", "yaxis2", "yaxis3"].map((k) => (fig.layout[k] as { domain: number[] }).domain);
    expect(domains[0][0]).toBeGreaterThan(domains[1][1]); // stacked, the first on top
    expect((fig.layout.annotations as Array<{ text: string }>).map((a) => a.text)).toEqual(["<b>a</b> · membrane v", "<b>a</b> · synaptic current i", "<b>b</b> · membrane v"]);
  });

  it("shows at most visibleNeurons neurons at first and a menu for the others", () => {
    const records = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`lif.v[${i}]`, [i]]));
    const fig = traces(records, { visibleNeurons: 10 });
    expect(lines(fig).filter((t) => t.visible === true)).toHaveLength(10);
    const menu = (fig.layout.updatemenus as Array<{ buttons: Array<{ label: string; args: Array<{ visible: boolean[] }> }> }>)[0];
    expect(menu.buttons.map((b) => b.label)).toEqual(["neurons 1–10 of 25", "neurons 11–20 of 25", "neurons 21–25 of 25", "all 25 neurons"]);
    expect(menu.buttons[2].args[0].visible.filter(Boolean)).toHaveLength(5);
    expect(summarise(fig)).toContain("10 shown at first");
    expect(traces(records).data.filter((t) => t.visible === true)).toHaveLength(5); // the default
    expect(traces({ "lif.v[0]": [0] }).layout.updatemenus).toBeUndefined();
  });

  it("leaves neurons past maxNeurons out and says so", () => {
    const records = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`lif.v[${i}]`, [i]]));
    const fig = traces(records, { maxNeurons: 5 });
    expect(fig.data).toHaveLength(5);
    expect(summarise(fig)).toContain("25 more neurons left out");
  });

  it("starts on a window of about twenty spikes per neuron when they fire densely", () => {
    const n = 1000, spike = Array.from({ length: n }, (_, t) => (t % 10 === 9 ? 1 : 0)); // 100 spikes
    const fig = traces({ "lif.v[0]": new Float64Array(n), "lif.spike[0]": spike }, { dt: 1e-3 });
    expect((fig.layout.xaxis as { range: number[] }).range).toEqual([0, 200]);
    expect(summarise(fig)).toContain("first 200 of 1000 ms shown");
    const sparse = traces({ "lif.v[0]": new Float64Array(n), "lif.spike[0]": spike.map((s, t) => (t < 100 ? s : 0)) }, { dt: 1e-3 });
    expect((sparse.layout.xaxis as { range?: number[] }).range).toBeUndefined();
  });

  it("refuses an unknown column, naming the ones present", () => {
    expect(() => traces({ a: [1] }, { columns: ["b"] })).toThrow(/no column "b"; columns present: a/);
  });

  it("decimates long traces keeping every bucket's extremes (a one-step spike survives)", () => {
    const n = 100_000;
    const v = new Float64Array(n);
    v[54_321] = 5;
    v[12_345] = -3;
    const fig = traces({ v }, { maxPointsPerTrace: 1000 });
    const y = fig.data[0].y as number[];
    const x = fig.data[0].x as number[];
    expect(y.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...y)).toBe(5);
    expect(Math.min(...y)).toBe(-3);
    expect(x[y.indexOf(5)]).toBe(54_321);
    expect(x).toEqual([...x].sort((a, b) => a - b));
    expect(summarise(fig)).toContain("decimated");
  });

  it("keeps short traces whole", () => {
    expect(decimate([0, 1, 2], [5, 6, 7], 10)).toEqual({ x: [0, 1, 2], y: [5, 6, 7] });
  });

  it("takes the simulator's [steps, batch, neurons] records, named as the CSV names columns", () => {
    // 3 steps, batch 2, 2 neurons: value = 100 * t + 10 * b + k
    const v = Float64Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 4) + 10 * (Math.floor(i / 2) % 2) + (i % 2));
    const cols = recordColumns({ fc1: { v } }, { steps: 3, batch: 2, sample: 1 });
    expect(Object.keys(cols)).toEqual(["fc1.v[0]", "fc1.v[1]"]);
    expect(Array.from(cols["fc1.v[1]"])).toEqual([11, 111, 211]);
    expect(() => recordColumns({ out: { i: new Float64Array([7, 8, 9]) } }, { steps: 3, batch: 2 })).toThrow(/3 values, not steps × batch × neurons/);
    const single = recordColumns({ out: { i: new Float64Array([7, 8, 9]) } }, { steps: 3 });
    expect(Object.keys(single)).toEqual(["out.i"]);
    expect(traces(single).data[0].y).toEqual([7, 8, 9]);
  });
});
