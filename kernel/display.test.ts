import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { raster } from "../lib/plot/raster.js";
import {
  PLOTLY_MIME, createDisplay, resetPlotlyInlining, toMimeBundle, writeStandaloneHtml,
  type DisplaySink, type MimeBundle,
} from "./display.js";

type Sent = { kind: "display" | "update"; data: MimeBundle; metadata: Record<string, unknown>; id?: string } | { kind: "clear"; wait: boolean };

function recordingSink(): { sink: DisplaySink; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    sink: {
      display: (data, metadata, id) => sent.push({ kind: "display", data, metadata, id }),
      update: (data, metadata, id) => sent.push({ kind: "update", data, metadata, id }),
      clear: (wait) => sent.push({ kind: "clear", wait }),
    },
  };
}

const PLOTLY_BUNDLE_MARK = "window.Plotly"; // the UMD bundle ends with `window.Plotly = Plotly`
const fig = { data: [{ type: "scatter", x: new Float32Array([1, 2]), y: [3, 4] }], layout: { title: { text: "t" } } };

beforeEach(() => resetPlotlyInlining());

describe("toMimeBundle", () => {
  it("leaves plain values to the caller", () => {
    for (const v of [undefined, null, 3, "s", { a: 1 }, { data: [], extra: 1 }, [1]]) expect(toMimeBundle(v)).toBeUndefined();
  });

  it("uses an object's own display method", () => {
    const obj = { [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<i>x</i>", "text/plain": "x" }) };
    expect(toMimeBundle(obj)).toEqual({ "text/html": "<i>x</i>", "text/plain": "x" });
    class Neuron {
      v = 0.5;
      [Symbol.for("Jupyter.display")](): MimeBundle {
        return { "text/plain": `Neuron(v=${this.v})` };
      }
    }
    expect(toMimeBundle(new Neuron())).toEqual({ "text/plain": "Neuron(v=0.5)" });
  });

  it("refuses a display method that returns no bundle, or a Promise", () => {
    expect(() => toMimeBundle({ [Symbol.for("Jupyter.display")]: () => "html" })).toThrow(/must return a MIME bundle/);
    expect(() => toMimeBundle({ [Symbol.for("Jupyter.display")]: async () => ({}) })).toThrow(/not a Promise/);
  });

  it("sends a Plotly figure as Plotly JSON, offline HTML and a text summary", () => {
    const b = toMimeBundle(raster({ fc1: [[0, 1]] }))!;
    expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"].sort());
    expect(b["text/plain"]).toBe("raster: 1 spikes from 1 node over 1 step");
    expect((b[PLOTLY_MIME] as { data: unknown[] }).data).toHaveLength(1);
  });

  it("inlines plotly.js in the first figure of a session only", () => {
    const first = toMimeBundle(fig)!["text/html"] as string;
    const second = toMimeBundle(fig)!["text/html"] as string;
    expect(first.length).toBeGreaterThan(1_000_000);
    expect(first.includes(PLOTLY_BUNDLE_MARK)).toBe(true);
    expect(/<script[^>]*\ssrc=/i.test(first)).toBe(false); // nothing fetched: no CDN, works offline
    expect(second.length).toBeLessThan(5_000);
    expect(second).not.toContain("plotly.js v");
    expect(second).toContain("Plotly.newPlot");
  });

  it("converts typed arrays to JSON arrays and keeps </script> in data from closing the element", () => {
    const b = toMimeBundle({ ...fig, layout: { title: { text: "</script><script>alert(1)</script>" } } })!;
    expect((b[PLOTLY_MIME] as { data: Array<{ x: unknown }> }).data[0].x).toEqual([1, 2]);
    const html = b["text/html"] as string;
    expect(html.match(/<\/script>/gi)).toHaveLength(2); // the loader's and the figure's own
    expect(html).toContain("\\u003c/script>");
  });

  it("completes a bare Plotly bundle returned by an object's display method", () => {
    const b = toMimeBundle({ [Symbol.for("Jupyter.display")]: () => ({ [PLOTLY_MIME]: fig }) })!;
    expect(typeof b["text/html"]).toBe("string");
    expect(b["text/plain"]).toBe('figure "t": 1 trace (scatter)');
  });
});

describe("createDisplay", () => {
  it("sends each kind of output with a display id, and updates by handle or id", () => {
    const { sink, sent } = recordingSink();
    const display = createDisplay(sink);
    const h = display.html("<b>bold</b> &amp; more");
    display.markdown("# hi");
    display.json({ w: new Float64Array([0.5]) });
    display.text("plain");
    display("a string");
    display(new Map([["k", 1]]));
    display.update(h, "replaced");
    h.update({ [Symbol.for("Jupyter.display")]: () => ({ "text/plain": "own" }) });
    display.clear(true);
    display.display({ "text/csv": "a,b" }, { raw: true, displayId: "mine", metadata: { m: 1 } });
    expect(sent.map((s) => s.kind)).toEqual(["display", "display", "display", "display", "display", "display", "update", "update", "clear", "display"]);
    const data = sent.map((s) => (s.kind === "clear" ? s.wait : s.data));
    expect(data[0]).toEqual({ "text/html": "<b>bold</b> &amp; more", "text/plain": "bold & more" });
    expect(data[1]).toEqual({ "text/markdown": "# hi", "text/plain": "# hi" });
    expect(data[2]).toEqual({ "application/json": { w: [0.5] }, "text/plain": '{\n  "w": [\n    0.5\n  ]\n}' });
    expect(data[3]).toEqual({ "text/plain": "plain" });
    expect(data[4]).toEqual({ "text/plain": "a string" });
    expect(data[5]).toEqual({ "text/plain": "Map(1) { 'k' => 1 }" });
    expect(sent[6]).toMatchObject({ data: { "text/plain": "replaced" }, id: h.displayId });
    expect(sent[7]).toMatchObject({ data: { "text/plain": "own" }, id: h.displayId });
    expect(data[8]).toBe(true);
    expect(sent[9]).toMatchObject({ data: { "text/csv": "a,b" }, metadata: { m: 1 }, id: "mine" });
    const ids = sent.flatMap((s) => (s.kind === "display" ? [s.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("plotly() inlines plotly.js once, unless asked again", () => {
    const { sink, sent } = recordingSink();
    const display = createDisplay(sink);
    display.plotly(fig);
    display.plotly(fig);
    display.plotly(fig, { inline: true });
    const sizes = sent.map((s) => (s.kind === "display" ? String(s.data["text/html"]).length : 0));
    expect(sizes[0]).toBeGreaterThan(1_000_000);
    expect(sizes[1]).toBeLessThan(5_000);
    expect(sizes[2]).toBeGreaterThan(1_000_000);
    expect(() => display.plotly({ nope: 1 } as never)).toThrow(/expected a Plotly figure/);
  });

  it("progress sends only visible changes, then a finished bar, then nothing", () => {
    const { sink, sent } = recordingSink();
    const p = createDisplay(sink).progress("training");
    for (let i = 0; i <= 10_000; i++) p.update(i / 10_000);
    p.done("done");
    p.update(0.2);
    const updates = sent.filter((s) => s.kind === "update");
    expect(sent[0].kind).toBe("display");
    expect(updates.length).toBeGreaterThanOrEqual(20); // 30-char bar: a change every ~3%
    expect(updates.length).toBeLessThanOrEqual(131); // at most one per bar cell or percent
    expect(updates.every((u) => u.kind === "update" && u.id === p.displayId)).toBe(true);
    const last = updates[updates.length - 1];
    expect(last.kind === "update" && last.data["text/plain"]).toBe("training [##############################] done");
    expect(last.kind === "update" && String(last.data["text/html"])).toContain("width:100.0%");
  });
});

describe("display.table", () => {
  it("escapes HTML in headers and cells and aligns the text twin", () => {
    const { sink, sent } = recordingSink();
    createDisplay(sink).table([{ "<node>": "fc1 & <b>", spikes: 12 }, { "<node>": "out", spikes: 3, extra: "x" }]);
    const first = sent[0];
    const b = first.kind === "display" ? first.data : {};
    const html = String(b["text/html"]);
    expect(html).toContain("<th>&lt;node&gt;</th><th>spikes</th><th>extra</th>");
    expect(html).toContain("<td>fc1 &amp; &lt;b&gt;</td>");
    expect(html).not.toContain("<b>");
    expect(html).toContain('<td style="text-align:right">12</td>');
    expect(b["text/plain"]).toBe(["<node>     spikes  extra", "---------  ------  -----", "fc1 & <b>      12", "out             3  x"].join("\n"));
  });

  it("takes explicit columns with array rows, and cuts long tables with a note", () => {
    const { sink, sent } = recordingSink();
    const rows = Array.from({ length: 12 }, (_, i) => [i, `n${i}`]);
    createDisplay(sink).table({ columns: ["id", "name"], rows }, { maxRows: 10 });
    const first = sent[0];
    const b = first.kind === "display" ? first.data : {};
    expect(String(b["text/html"]).match(/<tr>/g)).toHaveLength(11); // header + 10 rows
    expect(String(b["text/html"])).toContain("… 2 more rows not shown");
    expect(String(b["text/plain"]).split("\n")).toHaveLength(13);
  });
});

describe("writeStandaloneHtml", () => {
  const dir = mkdtempSync(join(tmpdir(), "phasor-display-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a complete page with plotly.js inlined, under a new name each time", () => {
    const bundle = toMimeBundle(fig)!;
    toMimeBundle(fig); // the session's copy is spent; the standalone page must still inline its own
    const a = writeStandaloneHtml(toMimeBundle(fig)!, dir)!;
    const b = writeStandaloneHtml(bundle, dir)!;
    expect(a).not.toBe(b);
    expect(readdirSync(dir)).toHaveLength(2);
    const page = readFileSync(a, "utf8");
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page.includes(PLOTLY_BUNDLE_MARK)).toBe(true);
    expect(page).toContain("<title>t</title>");
    expect(a).toMatch(/[/\\]t-\d{14}-[0-9a-f]{6}\.html$/);
  });

  it("writes HTML bundles and declines text-only ones", () => {
    const path = writeStandaloneHtml({ "text/html": "<p>hello</p>" }, join(dir, "sub"))!;
    expect(readFileSync(path, "utf8")).toContain("<p>hello</p>");
    expect(writeStandaloneHtml({ "text/plain": "x" }, dir)).toBeUndefined();
  });
});
