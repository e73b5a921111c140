import { describe, expect, it } from "vitest";
import { congestionHeatmap, latencyPerStep, paretoFigure, type SweepPoint } from "./cycles.js";
import { summarise } from "./figure.js";

const points = (energies: number[]): SweepPoint[] =>
  energies.map((uj, i) => ({ label: `c${i}`, latency: (40 + 60 * i) * 1e-6, energy: uj * 1e-6, cores: 8 - 2 * i }));
const yTitle = (f: ReturnType<typeof paretoFigure>) => (f.layout.yaxis as { title: { text: string } }).title.text;

describe("paretoFigure", () => {
  it("shows a small energy spread as % above the lowest, and writes the spread on the figure", () => {
    const f = paretoFigure(points([2.2703, 2.2693, 2.2688, 2.2683]));
    expect(yTitle(f)).toBe("energy above the lowest, 2.268 µJ (%)");
    const y = f.data.flatMap((t) => t.y as number[]);
    expect(Math.min(...y)).toBe(0);
    expect(Math.max(...y)).toBeCloseTo(100 * (2.2703 / 2.2683 - 1), 9);
    expect(JSON.stringify(f.layout.annotations)).toContain("energy spread 0.088% (2.268–2.27 µJ)");
    expect(summarise(f)).toContain("energy spread 0.088%");
    const hover = f.data[1].customdata as number[]; // hover keeps µJ
    [2.2703, 2.2693, 2.2688, 2.2683].forEach((uj, i) => expect(hover[i]).toBeCloseTo(uj, 9));
  });

  it("keeps absolute µJ when energies differ by 25% or more; log only past a factor of 20", () => {
    expect(yTitle(paretoFigure(points([2.57, 2.86])))).toBe("energy above the lowest, 2.57 µJ (%)"); // 11%
    const wide = paretoFigure(points([1, 1.3, 3, 4]));
    expect(yTitle(paretoFigure(points([1, 1.25])))).toBe("energy per inference (µJ)");
    expect(yTitle(wide)).toBe("energy per inference (µJ)");
    expect((wide.layout.yaxis as { type: string }).type).toBe("linear");
    expect((paretoFigure(points([1, 10, 100, 1000])).layout.yaxis as { type: string }).type).toBe("log");
    expect(wide.layout.annotations).toEqual([]);
  });
});

describe("latency and congestion", () => {
  it("draws latency from zero with the mean as a named line", () => {
    const f = latencyPerStep([100, 300], 1e8);
    expect((f.layout.yaxis as { rangemode: string }).rangemode).toBe("tozero");
    expect(f.data[1]).toMatchObject({ name: "mean 2.00 µs", y: [2, 2] });
  });

  it("writes each router's count in its cell", () => {
    const f = congestionHeatmap([{ x: 1, y: 0, port: "E", packets: 3, waitCycles: 7 }, { x: 1, y: 0, port: "N", packets: 1, waitCycles: 5 }], { width: 2, height: 1 });
    expect(f.data[0].z).toEqual([[0, 12]]);
    expect(f.data[0].text).toEqual([["0", "12"]]);
    expect(f.data[0].zmax).toBe(12);
  });
});
