import { describe, expect, it } from "vitest";
import { coreHeatmap, powerByLayer, type EnergyLike } from "./power.js";
import { titleText } from "./figure.js";

const e: EnergyLike = {
  target: "loihi", perInference: 2e-6, averagePower: 1e-3,
  byLayer: { a: { synOp: 1e-6 } }, byCore: { "0": { synOp: 1e-6 }, "1": { synOp: 2.5e-7 }, "4": { synOp: null } },
};

describe("power figures", () => {
  it("writes each router's cores and energy (µJ) in its cell, n/a without colour, empty routers blank", () => {
    const f = coreHeatmap(e, [{ id: 0, x: 0, y: 0 }, { id: 1, x: 0, y: 0 }, { id: 4, x: 1, y: 0 }], { width: 2, height: 2 });
    expect(f.data[0].z).toEqual([[1.25, null], [null, null]]);
    expect(f.data[0].text).toEqual([["c0–c1<br>1.25 µJ", "c4<br>n/a"], ["", ""]]);
    expect(f.data[0].zmin).toBe(0);
    expect(titleText(f.layout)).toBe("Energy per inference on the mesh (loihi)");
  });

  it("names the target in the bar chart's title and nothing else", () => {
    expect(titleText(powerByLayer(e).layout)).toBe("Event energy per inference by layer (loihi)"); // static power is per core
  });
});
