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
  it("adds up slices that share one core (single-core targets) and lists their layers", () => {
    const f = meshUtilisation({ target: "xylo-audio2", coresTotal: 1, mesh: { width: 1, height: 1, coresPerRouter: 1 }, cores: [
      { core: 0, x: 0, y: 0, layer: "hid", utilisation: u(0.6) }, { core: 0, x: 0, y: 0, layer: "out", utilisation: u(0.3) },
    ] });
    expect((f.data[0].z as number[][])[0][0]).toBeCloseTo(0.9);
    expect((f.data[0].text as string[][])[0][0]).toMatch(/^core 0: hid, out<br>neurons 90%/);
    expect(JSON.parse(JSON.stringify(f))).toEqual(f); // plain JSON
  });
});
