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

/** A value in comparable form: text joined, timing lines masked, anything else as indented JSON. */
function comparable(v: unknown): string {
  const mask = (x: unknown): unknown => {
    const j = joined(x);
    if (typeof j === "string") return maskTiming(j);
    if (Array.isArray(j)) return j.map(mask);
    if (typeof j === "object" && j !== null) return Object.fromEntries(Object.entries(j).map(([k, y]) => [k, mask(y)]));
    return j;
  };
  const m = mask(v);
  return typeof m === "string" ? m : JSON.stringify(m, null, 1) ?? "undefined";
}

/** One output as named fields (`text`, `data["text/plain"]`, `metadata`, ...) in comparable form. */
function outputFields(o: Output): [string, string][] {
  const fields: [string, unknown][] = [["text", o.text], ["ename", o.ename], ["evalue", o.evalue], ["metadata", o.metadata]];
  for (const [mime, v] of Object.entries(o.data ?? {})) fields.push([`data["${mime}"]`, v]);
  return fields.filter(([, v]) => v !== undefined).map(([k, v]) => [k, comparable(v)]);
}

/** What an output is: `stream stdout`, `display_data (text/html, text/plain)`, `error`. */
function outputKind(o: Output): string {
  return `${o.output_type}${o.name ? ` ${o.name}` : ""}${o.data ? ` (${Object.keys(o.data).join(", ")})` : ""}`;
}

/** The first differing line of two texts (a whole output is too large to print: plotly.js is inlined). */
function firstDifference(a: string, b: string): string {
  const la = a.split("\n"), lb = b.split("\n");
  const k = la.findIndex((l, i) => l !== lb[i]);
  const at = k < 0 ? la.length : k;
  return `line ${at + 1}:\n    first run:  ${la[at]?.slice(0, 400) ?? "(no line)"}\n    second run: ${lb[at]?.slice(0, 400) ?? "(no line)"}`;
}

/**
 * How two executions of a notebook differ, one entry per differing code cell: the cell (its
 * number in the notebook and its first line), the output (index and kind), the field and
 * the first differing line of both runs. Timing lines are masked first.
 */
function notebookDifferences(first: { cells: Cell[] }, second: { cells: Cell[] }): string[] {
  const diffs: string[] = [];
  first.cells.forEach((cell, n) => {
    if (cell.cell_type !== "code") return;
    const other = second.cells[n];
    const src = (Array.isArray(cell.source) ? cell.source.join("") : cell.source).split("\n")[0];
    const where = `cell ${n} (${src.slice(0, 80)})`;
    const a = cell.outputs ?? [], b = other?.outputs ?? [];
    for (let j = 0; j < Math.max(a.length, b.length); j++) {
      if (!a[j] || !b[j]) {
        const kinds = (os: Output[]) => os.map(outputKind).join("; ") || "none";
        diffs.push(`${where}: ${a.length} outputs in the first run, ${b.length} in the second\n    first run:  ${kinds(a)}\n    second run: ${kinds(b)}`);
        return;
      }
      const fa = new Map(outputFields(a[j])), fb = new Map(outputFields(b[j]));
      const field = [...new Set([...fa.keys(), ...fb.keys()])].find((k) => fa.get(k) !== fb.get(k));
      if (field === undefined) continue;
      const label = `${where}, output ${j} [${outputKind(a[j])}], ${field}`;
      diffs.push(`${label}, ${firstDifference(fa.get(field) ?? "(absent)", fb.get(field) ?? "(absent)")}`);
      return;
    }
  });
  if (first.cells.length !== second.cells.length) diffs.push(`${first.cells.length} cells in the first run, ${second.cells.length} in the second`);
  return diffs;
}

function describeOutput(cell: Cell, o: Output): string {
  const src = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
  return `${o.ename}: ${o.evalue}\n--- in cell ---\n${src}\n--- traceback ---\n${(o.traceback ?? []).join("\n")}`;
}

describe("comparing two executions of a notebook", () => {
  const code = (source: string, outputs: Output[]): Cell => ({ cell_type: "code", source, outputs });
  const bar = (label: string, s: string): Output => ({ output_type: "display_data", data: { "text/plain": `${label} [####] done in ${s} s`, "text/html": "<div></div>" } });
  const run = (label: string, s: string): { cells: Cell[] } => ({
    cells: [
      { cell_type: "markdown", source: "# title" },
      code("const x = 1;\nx", [{ output_type: "execute_result", data: { "text/plain": "1" } }]),
      code("%hw run prog --poisson 40 --steps 200\n", [bar(label, s), { output_type: "stream", name: "stdout", text: ["a\n", "b\n"] }]),
    ],
  });

  it("ignores timing lines and names the cell, output, field and line that differ", () => {
    expect(notebookDifferences(run("board", "1.2"), run("board", "3.4"))).toEqual([]);
    expect(notebookDifferences(run("board", "1.2"), run("step 200 of 200", "0.5"))).toEqual([
      'cell 2 (%hw run prog --poisson 40 --steps 200), output 0 [display_data (text/plain, text/html)], data["text/plain"], line 1:\n' +
        "    first run:  board [####] done in # s\n    second run: step # of # [####] done in # s",
    ]);
  });

  it("names a cell whose outputs differ in number, and a differing stream line", () => {
    const b = run("board", "1");
    b.cells[2].outputs = b.cells[2].outputs!.slice(0, 1);
    expect(notebookDifferences(run("board", "1"), b)).toEqual([
      "cell 2 (%hw run prog --poisson 40 --steps 200): 2 outputs in the first run, 1 in the second\n" +
        "    first run:  display_data (text/plain, text/html); stream stdout\n    second run: display_data (text/plain, text/html)",
    ]);
    const c = run("board", "1");
    c.cells[2].outputs![1] = { output_type: "stream", name: "stdout", text: "a\nc\n" };
    expect(notebookDifferences(run("board", "1"), c)).toEqual([
      "cell 2 (%hw run prog --poisson 40 --steps 200), output 1 [stream stdout], text, line 2:\n    first run:  b\n    second run: c",
    ]);
  });
});

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
    const diffs = notebookDifferences(firstRun, nb);
    if (diffs.length) expect.fail(`${notebook}: the second execution differs from the first in\n  ${diffs.join("\n  ")}`);
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
