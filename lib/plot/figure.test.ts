import { describe, expect, it } from "vitest";
import { isFigure, summarise } from "./figure.js";
import { escapeHtml, percent, progressHtml, progressText } from "./progress.js";

describe("summarise", () => {
  it("describes a figure Phasor did not build by its title and trace types", () => {
    const fig = { data: [{ type: "bar" }, { type: "bar" }, {}], layout: { title: { text: "Energy" } } };
    expect(summarise(fig)).toBe('figure "Energy": 3 traces (2 bar, scatter)');
    expect(summarise({ data: [], layout: {} })).toBe("figure: 0 traces");
  });
});

describe("isFigure", () => {
  it("accepts data/layout/config/frames objects and nothing with other keys", () => {
    expect(isFigure({ data: [{ type: "scatter" }] })).toBe(true);
    expect(isFigure({ data: [], layout: {}, config: {}, frames: [] })).toBe(true);
    expect(isFigure({ data: [1, 2] })).toBe(false);
    expect(isFigure({ data: [], status: 200 })).toBe(false);
    expect(isFigure({ data: [], layout: "x" })).toBe(false);
    expect(isFigure([])).toBe(false);
  });
});

describe("progress", () => {
  it("clamps, never shows 100% before done, and shows the note when done", () => {
    expect(percent(Number.NaN)).toBe(0);
    expect(percent(0.999)).toBe(99);
    expect(percent(7)).toBe(100);
    expect(progressText({ label: "sim", fraction: 0.5 }, 10)).toBe("sim [#####.....]  50%");
    expect(progressText({ label: "sim", fraction: 0.2, done: true, note: "stopped" }, 4)).toBe("sim [####] stopped");
  });

  it("escapes the label in HTML", () => {
    expect(progressHtml({ label: "<b>x</b>", fraction: 0.25 })).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(escapeHtml(`a&b<c>"d"'e'`)).toBe("a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;");
  });
});
