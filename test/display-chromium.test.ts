/**
 * The offline text/html fallback of Plotly figures, loaded from file:// in headless Chromium:
 * two figures in one page as nbconvert writes outputs (only the first carries plotly.js),
 * under a fake AMD `define`, under the real require.js, through the real `jupyter nbconvert`,
 * and the REPL's standalone page. Each plot div must end up with its traces drawn.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { chromium, type BrowserContext } from "playwright-core";
import { createDisplay, resetPlotlyInlining, writeStandaloneHtml, type MimeBundle } from "../kernel/display.js";
import { amdSafeScript } from "../kernel/display/plotly-html.js";
import { raster } from "../lib/plot/raster.js";
import { traces } from "../lib/plot/traces.js";

const CHROMIUM = "/usr/bin/chromium";
const REQUIRE_JS = "/usr/share/javascript/requirejs/require.min.js";
const requireAll = process.env.PHASOR_REQUIRE_ALL === "1";
const haveChromium = existsSync(CHROMIUM);
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Skips (or, under PHASOR_REQUIRE_ALL=1, fails) when a tool is missing. */
function need(ctx: TestContext, ok: boolean, message: string): void {
  if (ok) return;
  if (requireAll) throw new Error(`${message} (PHASOR_REQUIRE_ALL=1)`);
  console.warn(`skipped: ${message}`);
  ctx.skip(message);
}

let dir = "";
let browser: BrowserContext | undefined;
let outputs: MimeBundle[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "phasor-chromium-"));
  resetPlotlyInlining();
  outputs = [];
  const display = createDisplay({ display: (data) => outputs.push(data), update: () => {}, clear: () => {} });
  display.plotly(raster({ fc1: [[0, 0], [3, 2], [7, 1]], out: [[5, 0]] }, { dt: 1e-3 }));
  // Two neurons' lines and the threshold line: 3 traces.
  display.plotly(traces({ "fc1.v[0]": [0, 0.4, 0.8, 1.2, 0], "fc1.v[1]": [0, 0.2, 0.4, 0.6, 0.8] }, { threshold: 1 }));
  if (haveChromium) {
    browser = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: CHROMIUM, headless: true, args: FLAGS });
    // Offline: anything that is not a local file is refused (nbconvert pages name CDNs for MathJax).
    await browser.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()));
  }
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PlotReport {
  traces: number[];
  errors: string[];
  define: string;
}

/** Opens a file and waits until `count` plot divs have been drawn, or 20 s pass. */
async function plotsIn(file: string, count: number): Promise<PlotReport> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await page
      .waitForFunction((n) => document.querySelectorAll(".js-plotly-plot").length >= n, count, { timeout: 20_000 })
      .catch(() => undefined);
    const traces = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".js-plotly-plot"), (el) => ((el as HTMLElement & { data?: unknown[] }).data ?? []).length));
    const define = await page.evaluate(() => {
      const d: unknown = (window as Window & { define?: unknown }).define;
      return typeof d === "function" ? ("amd" in d && d.amd ? "amd" : "function") : typeof d;
    });
    return { traces, errors, define };
  } finally {
    await page.close();
  }
}

function htmlOf(bundle: MimeBundle): string {
  return String(bundle["text/html"]);
}

/** Two outputs' text/html one after another, as nbconvert's templates place them. */
function notebookPage(head: string): string {
  const cells = outputs.map((b, i) => `<div class="jp-OutputArea-output" data-mime-type="text/html" id="out${i}">\n${htmlOf(b)}\n</div>`);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n${head}\n</head><body>\n${cells.join("\n")}\n</body></html>\n`;
}

describe("Plotly HTML fallback in headless Chromium", () => {
  it("only the first of two figures carries plotly.js", () => {
    expect(htmlOf(outputs[0]).length).toBeGreaterThan(1_000_000);
    expect(htmlOf(outputs[1]).length).toBeLessThan(10_000);
  });

  it("draws both figures of one page under a global AMD define, which it leaves alone", async (ctx) => {
    need(ctx, haveChromium, `${CHROMIUM} not found: install the Debian package \`chromium\``);
    const fakeDefine =
      `<script>window.defineCalls = 0; window.define = function () { window.defineCalls++; }; window.define.amd = { jQuery: true };</script>`;
    const file = join(dir, "fake-define.html");
    writeFileSync(file, notebookPage(fakeDefine));
    const report = await plotsIn(file, 2);
    expect(report.errors).toEqual([]);
    expect(report.traces).toEqual([2, 3]);
    expect(report.define).toBe("amd"); // restored after plotly.js ran
    const page = await browser!.newPage();
    await page.goto(pathToFileURL(file).href);
    expect(await page.evaluate(() => (window as Window & { defineCalls?: number }).defineCalls)).toBe(0);
    await page.close();
  });

  it("draws both figures under the real require.js", async (ctx) => {
    need(ctx, haveChromium, `${CHROMIUM} not found: install the Debian package \`chromium\``);
    need(ctx, existsSync(REQUIRE_JS), `${REQUIRE_JS} not found: install the Debian package \`libjs-requirejs\``);
    const file = join(dir, "requirejs.html");
    writeFileSync(file, notebookPage(`<script src="${pathToFileURL(REQUIRE_JS).href}"></script>`));
    const report = await plotsIn(file, 2);
    expect(report.errors).toEqual([]);
    expect(report.traces).toEqual([2, 3]);
    expect(report.define).toBe("amd");
  });

  it("keeps require.js from swallowing a UMD bundle that would call define()", async (ctx) => {
    need(ctx, haveChromium, `${CHROMIUM} not found: install the Debian package \`chromium\``);
    need(ctx, existsSync(REQUIRE_JS), `${REQUIRE_JS} not found: install the Debian package \`libjs-requirejs\``);
    // The pattern of many UMD bundles (and of older plotly.js): register with AMD when a loader is present.
    const umd = `(function (root, f) { if (typeof define === "function" && define.amd) define([], f); else root.Plotly = f(); })` +
      `(this, function () { return { newPlot: function (el, data) { el.classList.add("js-plotly-plot"); el.data = data; } }; });`;
    const file = join(dir, "umd.html");
    const loader = `<script src="${pathToFileURL(REQUIRE_JS).href}"></script>`;
    writeFileSync(file, notebookPage(loader).replace(htmlOf(outputs[0]), amdSafeScript(umd) + htmlOf(outputs[1])));
    const report = await plotsIn(file, 2);
    expect(report.errors).toEqual([]); // unguarded, require.js throws "Mismatched anonymous define() module"
    expect(report.traces).toEqual([3, 3]);
    expect(report.define).toBe("amd");
  });

  it("draws both figures in the HTML that `jupyter nbconvert --to html` writes", async (ctx) => {
    need(ctx, haveChromium, `${CHROMIUM} not found: install the Debian package \`chromium\``);
    const nbconvert = hasNbconvert();
    need(ctx, nbconvert, "`jupyter nbconvert` not found: install the Debian package `jupyter-nbconvert`");
    const ipynb = join(dir, "figures.ipynb");
    writeFileSync(ipynb, JSON.stringify(notebookWith(outputs)));
    execFileSync("jupyter", ["nbconvert", "--to", "html", "--output-dir", dir, ipynb], { stdio: "pipe", timeout: 120_000 });
    const html = join(dir, "figures.html");
    const report = await plotsIn(html, 2);
    expect(report.errors).toEqual([]);
    expect(report.traces).toEqual([2, 3]);
    if (readFileSync(html, "utf8").includes("require.min.js")) expect(report.define).toBe("amd"); // Debian's template loads require.js
  });

  it("draws the REPL's standalone page", async (ctx) => {
    need(ctx, haveChromium, `${CHROMIUM} not found: install the Debian package \`chromium\``);
    const file = writeStandaloneHtml(outputs[1], dir)!;
    const report = await plotsIn(file, 1);
    expect(report.errors).toEqual([]);
    expect(report.traces).toEqual([3]);
  });
});

function hasNbconvert(): boolean {
  try {
    execFileSync("jupyter", ["nbconvert", "--version"], { stdio: "pipe", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** An nbformat 4 notebook with one code cell per display_data output. */
function notebookWith(bundles: MimeBundle[]): Record<string, unknown> {
  const cells = bundles.map((data, i) => ({
    cell_type: "code", execution_count: i + 1, id: `cell${i}`, metadata: {}, source: `display.plotly(fig${i})`,
    outputs: [{ output_type: "display_data", data, metadata: {} }],
  }));
  return {
    nbformat: 4, nbformat_minor: 5, cells,
    metadata: { kernelspec: { name: "phasor", display_name: "Phasor (TypeScript)", language: "typescript" }, language_info: { name: "typescript" } },
  };
}
