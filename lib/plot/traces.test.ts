import { describe, expect, it } from "vitest";
import { decimate, recordColumns, traces } from "./traces.js";
import { summarise } from "./figure.js";

describe("traces", () => {
  it("draws one line per column over steps, leaving the step column as x", () => {
    const fig = traces({ step: [10, 11, 12], "fc1.v[0]": new Float64Array([0, 0.5, 1]), "fc1.v[1]": [1, 0, -1] });
    expect(fig.data.map((t) => t.name)).toEqual(["fc1.v[0]", "fc1.v[1]"]);
    expect(fig.data[0].x).toEqual([10, 11, 12]);
    expect(fig.data[0].y).toEqual([0, 0.5, 1]);
    expect(Array.isArray(fig.data[0].y)).toBe(true);
    expect(summarise(fig)).toBe("traces: 2 columns over 3 steps (fc1.v[0], fc1.v[1])");
  });

  it("uses milliseconds with dt, and draws threshold lines", () => {
    const fig = traces({ v: [0, 1, 2] }, { dt: 1e-3, threshold: 1 });
    expect(fig.data[0].x).toEqual([0, 1, 2]);
    const shapes = fig.layout.shapes as Array<{ y0: number; y1: number; xref: string }>;
    expect(shapes).toHaveLength(1);
    expect(shapes[0]).toMatchObject({ y0: 1, y1: 1, xref: "paper" });
  });

  it("draws per-column thresholds only for the columns that have one", () => {
    const fig = traces({ a: [0], b: [0], c: [0] }, { threshold: { a: 1, c: 2 } });
    const shapes = fig.layout.shapes as Array<{ y0: number; line: { color: string } }>;
    expect(shapes.map((s) => s.y0)).toEqual([1, 2]);
    expect(shapes[1].line.color).toBe("#2ca02c"); // c is the third column: third colour
  });

  it("caps the number of columns and says so", () => {
    const records = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`v[${i}]`, [i]]));
    const fig = traces(records, { maxColumns: 5 });
    expect(fig.data).toHaveLength(5);
    expect(summarise(fig)).toContain("showing 5 of 30 columns");
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
