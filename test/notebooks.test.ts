/**
 * Every notebooks/*.ipynb runs headless through `jupyter nbconvert --execute` with the phasor
 * kernel (issues 3 and 8): executed `--to notebook`, no output is an error; executed a second
 * time in a fresh copy, every output is identical to the first run's apart from lines that
 * report times or durations (reproducibility); that second executed notebook, exported to HTML
 * and loaded from file:// in headless Chromium, draws each Plotly figure with its traces. Each
 * run works in a temp copy of notebooks/ so the files a notebook writes stay out of the
 * repository. Without Debian's nbconvert or Chromium these skip with the package to install,
 * unless PHASOR_REQUIRE_ALL=1, when they fail.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext } from "playwright-core";
import { need, phasorBin, repoRoot, systemPython } from "./support.js";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const NOTEBOOKS = join(repoRoot, "notebooks");
const notebooks = readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort();
/** One nbconvert run (kernel start, every cell, export); generous for a loaded 2-core machine. */
const NBCONVERT_TIMEOUT_MS = 300_000;
const CELL_TIMEOUT_S = 240;

function nbconvertWorks(): boolean {
  if (!existsSync(systemPython)) return false;
  const r = spawnSync(systemPython, ["-m", "jupyter", "nbconvert", "--version"], { stdio: "ignore", timeout: 60_000 });
  return r.status === 0;
}

const haveNbconvert = need(
  `jupyter nbconvert (${systemPython} -m jupyter nbconvert)`, nbconvertWorks(),
  "apt-get install python3-nbconvert jupyter-nbconvert",
);
const haveChromium = need(`headless Chromium (${CHROMIUM})`, existsSync(CHROMIUM), "apt-get install chromium");

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/** Runs a command with a hard deadline: the whole process group is killed when it passes. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    p.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    p.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => {
      out += `\n[test] killed after ${timeoutMs} ms`;
      try {
        process.kill(-p.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

interface Output {
  output_type: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}

let work = "";
let env: NodeJS.ProcessEnv = {};
let browser: BrowserContext | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "phasor-notebooks-"));
  if (haveNbconvert) {
    const prefix = join(work, "prefix");
    const r = spawnSync(process.execPath, [phasorBin, "install", "--prefix", prefix], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`phasor install --prefix failed: ${r.stdout}${r.stderr}`);
    env = {
      JUPYTER_PATH: join(prefix, "share", "jupyter"),
      JUPYTER_DATA_DIR: join(work, "data"),
      JUPYTER_RUNTIME_DIR: join(work, "runtime"),
      PHASOR_HISTORY_FILE: join(work, "history.jsonl"),
    };
  }
  if (haveChromium) {
    browser = await chromium.launchPersistentContext(join(work, "profile"), { executablePath: CHROMIUM, headless: true, args: FLAGS });
    // Offline: anything that is not a local file is refused, so the figure must not need a CDN.
    await browser.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()));
  }
});

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh copy of notebooks/ for one run, so generated files land in the temp dir. */
function copyOfNotebooks(tag: string): string {
  const dir = join(work, tag);
  cpSync(NOTEBOOKS, dir, { recursive: true });
  return dir;
}

async function nbconvert(dir: string, notebook: string, extra: string[]): Promise<Run> {
  return run(
    systemPython,
    ["-m", "jupyter", "nbconvert", "--execute", "--ExecutePreprocessor.kernel_name=phasor",
      `--ExecutePreprocessor.timeout=${CELL_TIMEOUT_S}`, ...extra, notebook],
    dir, env, NBCONVERT_TIMEOUT_MS,
  );
}

/**
 * A line that reports a time or a duration: "done in 1.2 s" (progress bars), %time's "Wall
 * time: 3.1 ms", %timeit's "1.2 ms ± 30 µs per loop", an epoch's "(4.1 s)". Only these lines
 * may differ between two runs; their numbers are masked before comparing.
 */
const TIMING_LINE = /\b(done in|wall time|cpu times|per loop|elapsed|took)\b|\(\d+(\.\d+)? ?(s|ms|µs)\)/i;

/** Masks the numbers of timing lines in a text. */
function maskTiming(text: string): string {
  return text
    .split("\n")
    .map((line) => (TIMING_LINE.test(line) ? line.replace(/\d+(\.\d+)?(e[-+]?\d+)?/gi, "#") : line))
    .join("\n");
}

const joined = (v: unknown): unknown => (Array.isArray(v) && v.every((x) => typeof x === "string") ? v.join("") : v);

/** Every output of every code cell in a comparable form: text joined, timing lines masked. */
function comparableOutputs(nb: { cells: Cell[] }): string[] {
  const mask = (v: unknown): unknown => {
    const j = joined(v);
    if (typeof j === "string") return maskTiming(j);
    if (Array.isArray(j)) return j.map(mask);
    if (typeof j === "object" && j !== null) return Object.fromEntries(Object.entries(j).map(([k, x]) => [k, mask(x)]));
    return j;
  };
  return nb.cells.filter((c) => c.cell_type === "code").map((c, i) => {
    const outs = (c.outputs ?? []).map((o) => ({ type: o.output_type, name: o.name, text: o.text, data: o.data, metadata: o.metadata, ename: o.ename, evalue: o.evalue }));
    return `cell ${i}: ${JSON.stringify(mask(outs), null, 1)}`;
  });
}

/** The first differing line of two outputs (the whole thing is too large to print: plotly.js is inlined). */
function firstDifference(a: string, b: string): string {
  const la = a.split("\n"), lb = b.split("\n");
  const k = la.findIndex((l, i) => l !== lb[i]);
  return k < 0 ? `lengths ${la.length} vs ${lb.length}` : `line ${k}:\n  first run:  ${la[k]?.slice(0, 400)}\n  second run: ${lb[k]?.slice(0, 400)}`;
}

function describeOutput(cell: Cell, o: Output): string {
  const src = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
  return `${o.ename}: ${o.evalue}\n--- in cell ---\n${src}\n--- traceback ---\n${(o.traceback ?? []).join("\n")}`;
}

describe.each(notebooks)("notebooks/%s", (notebook) => {
  const stem = notebook.replace(/\.ipynb$/, "");
  let plotlyOutputs = -1;
  let firstRun: { cells: Cell[] } | undefined;
  let secondRunDir: string | undefined;

  const execute = async (tag: string): Promise<{ dir: string; nb: { cells: Cell[] } }> => {
    const dir = copyOfNotebooks(`${stem}-${tag}`);
    const r = await nbconvert(dir, notebook, ["--to", "notebook", "--output", "executed.ipynb"]);
    expect(r.code, r.out).toBe(0);
    return { dir, nb: JSON.parse(readFileSync(join(dir, "executed.ipynb"), "utf8")) as { cells: Cell[] } };
  };

  it("executes --to notebook with no error outputs", async (ctx) => {
    if (!haveNbconvert) return ctx.skip("jupyter nbconvert missing: apt-get install python3-nbconvert jupyter-nbconvert");
    const { nb } = await execute("first");
    const code = nb.cells.filter((c) => c.cell_type === "code");
    expect(code.length).toBeGreaterThan(0);
    const errors = code.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => describeOutput(c, o)));
    expect(errors).toEqual([]);
    plotlyOutputs = code.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.["application/vnd.plotly.v1+json"] !== undefined).length;
    expect(plotlyOutputs, "figures sent as application/vnd.plotly.v1+json").toBeGreaterThan(0);
    // The reproducibility record of %phasor info: versions and seeds in an output's metadata.
    const records = code.flatMap((c) => c.outputs ?? []).map((o) => o.metadata?.phasor as { phasor?: string; seeds?: object } | undefined).filter((r) => r !== undefined);
    expect(records.length, "outputs of %phasor info (metadata.phasor)").toBeGreaterThan(0);
    expect(records[0]).toMatchObject({ phasor: expect.any(String), node: process.version, seeds: expect.any(Object) });
    firstRun = nb;
  }, NBCONVERT_TIMEOUT_MS + 30_000);

  it("executes a second time with identical outputs apart from timing lines", async (ctx) => {
    if (!haveNbconvert) return ctx.skip("jupyter nbconvert missing: apt-get install python3-nbconvert jupyter-nbconvert");
    if (!firstRun) return ctx.skip("the first run failed");
    const { dir, nb } = await execute("second");
    secondRunDir = dir;
    const a = comparableOutputs(firstRun), b = comparableOutputs(nb);
    expect(b.length, "code cells").toBe(a.length);
    for (const [i, x] of a.entries()) {
      if (x !== b[i]) expect.fail(`${notebook}: outputs of code ${firstDifference(x, b[i])}`);
    }
  }, NBCONVERT_TIMEOUT_MS + 30_000);

  it("exports to HTML, and headless Chromium draws every Plotly figure with traces", async (ctx) => {
    if (!haveNbconvert) return ctx.skip("jupyter nbconvert missing: apt-get install python3-nbconvert jupyter-nbconvert");
    // The second run's executed notebook, exported as nbconvert --execute --to html would (same exporter); else execute now.
    const dir = secondRunDir ?? copyOfNotebooks(`${stem}-html`);
    const source = secondRunDir ? "executed.ipynb" : notebook;
    const r = secondRunDir
      ? await run(systemPython, ["-m", "jupyter", "nbconvert", "--to", "html", "--output", stem, source], dir, env, NBCONVERT_TIMEOUT_MS)
      : await nbconvert(dir, notebook, ["--to", "html"]);
    expect(r.code, r.out).toBe(0);
    const html = join(dir, `${stem}.html`);
    expect(existsSync(html), r.out).toBe(true);
    if (!haveChromium) return ctx.skip(`${CHROMIUM} missing: apt-get install chromium`);

    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    try {
      await page.goto(pathToFileURL(html).href, { waitUntil: "load", timeout: 120_000 });
      // Every figure of the executed notebook, when the first test counted them; else at least one.
      const want = Math.max(1, plotlyOutputs);
      await page
        .waitForFunction((n) => document.querySelectorAll(".js-plotly-plot").length >= n, want, { timeout: 60_000 })
        .catch(() => undefined);
      const traces = await page.evaluate(() =>
        Array.from(document.querySelectorAll(".js-plotly-plot"), (el) => ((el as HTMLElement & { data?: unknown[] }).data ?? []).length));
      expect(pageErrors).toEqual([]);
      expect(traces.length, "plot elements in the page").toBeGreaterThanOrEqual(want);
      for (const [i, n] of traces.entries()) expect(n, `traces of plot ${i}`).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  }, NBCONVERT_TIMEOUT_MS + 240_000);
});
