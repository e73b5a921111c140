import { describe, expect, it } from "vitest";
import { meshUtilisation, type MeshReport } from "./mesh.js";

const u = (neurons: number, synapses = 0, fanIn = 0, fanOut = 0) => ({ neurons, synapses, fanIn, fanOut });

describe("meshUtilisation", () => {
  it("puts each core at its router, cores sharing a router in a block, unused cores blank", () => {
    const r: MeshReport = { target: "loihi", coresTotal: 128, mesh: { width: 8, height: 4, coresPerRouter: 4 }, cores: [
      { core: 0, x: 0, y: 0, layer: "a", utilisation: u(0.5) },
      { core: 3, x: 0, y: 0, layer: "a", utilisation: u(0.1, 0.9) },
      { core: 9, x: 2, y: 0, layer: "b", utilisation: u(0.25) },
    ] };
    const f = meshUtilisation(r);
    const z = f.data[0].z as (number | null)[][];
    expect(z).toHaveLength(8); // 4 router rows x 2
    expect(z[0]).toHaveLength(16); // 8 router columns x 2
    expect(z[0][0]).toBe(0.5); // core 0: slot 0 of router (0,0)
    expect(z[1][1]).toBe(0.9); // core 3: slot 3, the tighter of neurons and synapses
    expect(z[0][5]).toBe(0.25); // core 9: router 2, slot 1
    expect(z[0][1]).toBeNull();
    expect(f.layout.meta?.phasor?.summary).toBe("mesh: 3 of 128 cores used on loihi (8x4 routers, 4 per router); peak utilisation 90% (core 3)");
    expect(meshUtilisation(r, { metric: "neurons" }).data[0].z).toEqual(expect.arrayContaining([expect.arrayContaining([0.1])]));
  });
  it("labels every core, writes the used ones' utilisation, and draws lines between routers", () => {
    const r: MeshReport = { target: "loihi", coresTotal: 6, mesh: { width: 2, height: 1, coresPerRouter: 4 }, cores: [
      { core: 5, x: 1, y: 0, layer: "a", utilisation: u(0.25) },
    ] };
    const f = meshUtilisation(r);
    const t = f.data[0];
    expect(t.texttemplate).toBe("%{text}");
    expect(t.text).toEqual([["c0", "c1", "c4", "c5<br>25%"], ["c2", "c3", "", ""]]); // cores 6 and 7 do not exist
    const shapes = f.layout.shapes as Array<{ x0: number; x1: number; y0: number; y1: number }>;
    expect(shapes.filter((s) => s.x0 === s.x1).map((s) => s.x0)).toEqual([-0.5, 1.5, 3.5]); // around both routers
    expect(shapes.filter((s) => s.y0 === s.y1).map((s) => s.y0)).toEqual([-0.5, 1.5]);
    expect(f.layout.plot_bgcolor).toBe("#ffffff"); // unused cores are white, not grey
    const rects = (f.layout.shapes as Array<{ type: string; x0: number; y0: number }>).filter((s) => s.type === "rect");
    expect(rects.map((s) => [s.x0 + 0.47, s.y0 + 0.47])).toEqual([[3, 0]]); // the used core outlined
  });
  it("adds up slices that share one core (single-core targets) and lists their layers", () => {
    const f = meshUtilisation({ target: "xylo-audio2", coresTotal: 1, mesh: { width: 1, height: 1, coresPerRouter: 1 }, cores: [
      { core: 0, x: 0, y: 0, layer: "hid", utilisation: u(0.6) }, { core: 0, x: 0, y: 0, layer: "out", utilisation: u(0.3) },
    ] });
    expect((f.data[0].z as number[][])[0][0]).toBeCloseTo(0.9);
    expect((f.data[0].hovertext as string[][])[0][0]).toMatch(/^core 0: hid, out<br>neurons 90%/);
    expect((f.data[0].text as string[][])[0][0]).toBe("c0<br>90%");
    expect(JSON.parse(JSON.stringify(f))).toEqual(f); // plain JSON
  });
});
