import { describe, expect, it } from "vitest";
import { raster, type SpikeEvent } from "./raster.js";
import { summarise } from "./figure.js";

const twoNodes = {
  fc1: [[0, 0], [2, 3], [9, 1]] as SpikeEvent[],
  out: [[1, 0], [5, 1]] as SpikeEvent[],
};

function spikesOf(n: number, neurons: number, steps: number): SpikeEvent[] {
  return Array.from({ length: n }, (_, i): SpikeEvent => [i % steps, (i * 7) % neurons]);
}

describe("raster as markers", () => {
  it("stacks nodes with offsets, labels each block, and keeps local indices for hover", () => {
    const fig = raster(twoNodes, { steps: 10 });
    expect(fig.data.map((t) => t.type)).toEqual(["scattergl", "scattergl"]);
    expect(fig.data.map((t) => t.name)).toEqual(["fc1", "out"]);
    expect(fig.data[0].y).toEqual([0, 3, 1]);
    expect(fig.data[1].y).toEqual([4, 5]); // fc1 has 4 neurons (index 3 seen), so out starts at 4
    expect(fig.data[1].customdata).toEqual([0, 1]);
    const yaxis = fig.layout.yaxis as { tickvals: number[]; ticktext: string[] };
    expect(yaxis.ticktext).toEqual(["fc1", "out"]);
    expect(yaxis.tickvals).toEqual([1.5, 4.5]);
    expect(fig.layout.shapes).toHaveLength(1);
    expect(summarise(fig)).toBe("raster: 5 spikes from 2 nodes over 10 steps");
  });

  it("uses declared sizes and node order for the offsets", () => {
    const fig = raster(twoNodes, { sizes: { fc1: 100, out: 10 }, nodes: ["out", "fc1"] });
    expect(fig.data.map((t) => t.name)).toEqual(["out", "fc1"]);
    expect(fig.data[1].y).toEqual([10, 13, 11]);
    expect((fig.layout.yaxis as { range: number[] }).range).toEqual([-0.5, 109.5]);
  });

  it("shows milliseconds when dt (seconds) is given, without float noise", () => {
    const fig = raster([[3, 0], [7, 2]], { dt: 1e-4 });
    expect(fig.data[0].x).toEqual([0.3, 0.7]);
    expect(fig.data[0].y).toEqual([0, 2]);
    expect(fig.data[0].customdata).toBeUndefined();
    expect(summarise(fig)).toBe("raster: 2 spikes from 1 node over 8 steps (0.8 ms)");
    expect((fig.layout.xaxis as { title: { text: string } }).title.text).toBe("time (ms)");
  });

  it("puts ticks on whole neuron indices only: a one-neuron raster has the single tick 0", () => {
    const one = raster({ lif: [[2, 0], [5, 0]] }, { dt: 1e-3 }).layout.yaxis as Record<string, unknown>;
    expect(one).toMatchObject({ range: [-0.5, 0.5], tickmode: "linear", tick0: 0, dtick: 1 });
    expect((one.title as { text: string }).text).toBe("lif neuron index");
    const ticks = (n: number) => (raster({ lif: [[0, n - 1]] }).layout.yaxis as { dtick: number }).dtick;
    expect([ticks(1), ticks(8), ticks(20), ticks(120)]).toEqual([1, 1, 5, 20]);
  });

  it("is plain JSON (no typed arrays), so it survives the wire unchanged", () => {
    const fig = raster(twoNodes, { dt: 1e-3 });
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
  });

  it("draws an empty raster for no spikes", () => {
    const fig = raster({ fc1: [] }, { steps: 50 });
    expect(fig.data[0].x).toEqual([]);
    expect(summarise(fig)).toBe("raster: 0 spikes from 1 node over 50 steps");
  });
});

describe("raster as a density heatmap", () => {
  it("switches to a heatmap just above maxPoints, and says so", () => {
    expect(raster(spikesOf(10, 5, 20), { maxPoints: 10 }).data[0].type).toBe("scattergl");
    const fig = raster(spikesOf(11, 5, 20), { maxPoints: 10, steps: 20 });
    expect(fig.data).toHaveLength(1);
    expect(fig.data[0].type).toBe("heatmap");
    expect(summarise(fig)).toMatch(/^raster: 11 spikes from 1 node over 20 steps; drawn as a density heatmap .*more than 10 spikes/);
    expect(JSON.stringify(fig.layout.title)).toContain("density");
  });

  it("switches by default above 200000 spikes", () => {
    expect(raster(spikesOf(200_000, 1000, 1000)).data[0].type).toBe("scattergl");
    const fig = raster(spikesOf(200_001, 1000, 1000));
    expect(fig.data[0].type).toBe("heatmap");
    const z = fig.data[0].z as number[][];
    expect(z.flat().reduce((a, b) => a + b, 0)).toBe(200_001);
  });

  it("counts spikes per (time bin, neuron bin) across stacked nodes", () => {
    const spikes = { a: [[0, 0], [1, 1], [3, 0]] as SpikeEvent[], b: [[9, 1], [9, 1]] as SpikeEvent[] };
    const fig = raster(spikes, { mode: "heatmap", steps: 10, timeBins: 5, neuronBins: 2, sizes: { a: 2, b: 2 } });
    const t = fig.data[0];
    // 2 steps and 2 neurons per bin: rows are [a0,a1] and [b0,b1]
    expect(t.z).toEqual([
      [2, 1, 0, 0, 0],
      [0, 0, 0, 0, 2],
    ]);
    expect(t.x).toEqual([0.5, 2.5, 4.5, 6.5, 8.5]);
    expect(t.y).toEqual([0.5, 2.5]);
    expect(summarise(fig)).toContain("2 steps × 2 neurons per bin, as asked");
    expect((fig.layout.yaxis as { ticktext: string[] }).ticktext).toEqual(["a", "b"]);
  });
});

describe("raster input checks", () => {
  it("names the node and the bad spike", () => {
    expect(() => raster({ fc1: [[0, -1]] })).toThrow(/node "fc1" spike 0 is \[0,-1\]/);
    expect(() => raster({ fc1: [[0.5, 1]] })).toThrow(RangeError);
  });

  it("refuses an index beyond the declared size, and unknown nodes", () => {
    expect(() => raster({ fc1: [[0, 5]] }, { sizes: { fc1: 5 } })).toThrow(/index 5 but size 5/);
    expect(() => raster(twoNodes, { nodes: ["fc2"] })).toThrow(/no spikes for node "fc2"; nodes present: fc1, out/);
    expect(() => raster(twoNodes, { steps: 5 })).toThrow(/step 9 but steps is 5/);
  });

  it("draws one batch sample of [step, batch, index] triples, and says which", () => {
    const fig = raster({ fc1: [[0, 0, 2], [1, 1, 3], [2, 1, 0]] }, { sample: 1 });
    expect(fig.data[0].x).toEqual([1, 2]);
    expect(fig.data[0].y).toEqual([3, 0]);
    expect(summarise(fig)).toBe("raster: 2 spikes from 1 node over 3 steps, batch sample 1");
  });
});
