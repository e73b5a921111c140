#!/usr/bin/env node
/**
 * Regenerates the README's figure gallery: executes the notebooks (nbconvert and the phasor
 * kernel, installed into a temp prefix; each run in a temp copy of notebooks/), picks figures
 * from their outputs, renders each to PNG with plotly.js in headless Chromium, writes them to
 * docs/gallery/ and the gallery table between the markers in README.md.
 *
 *   npm run build && node scripts/gallery.js
 *
 * Needs Debian's jupyter nbconvert (python3-nbconvert) and /usr/bin/chromium (chromium).
 */
"use strict";
const { spawnSync } = require("node:child_process");
const { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { chromium } = require("playwright-core");

const root = join(__dirname, "..");
const CHROMIUM = "/usr/bin/chromium";
/** The flags test/display-chromium.test.ts uses: headless, no network services. */
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const WIDTH = 820, HEIGHT = 440;

/** What the gallery shows: a figure of a notebook, found by its text/plain summary. */
const GALLERY = [
  { notebook: "01-quickstart", match: /^raster: .*1 node/, file: "quickstart-raster.png", caption: "Spike raster of a 20-neuron LIF layer under Poisson input (`%sim`)" },
  { notebook: "01-quickstart", match: /^traces: /, file: "membrane-traces.png", caption: "Its membrane potential: 5 of 20 neurons (a menu picks the others), threshold, reset and spikes (`%sim --record`)" },
  { notebook: "02-lif-dynamics", match: /^figure "One LIF neuron/, file: "lif-dynamics.png", caption: "One LIF neuron: Euler vs exact, reset to zero vs subtract, three time steps" },
  { notebook: "03-train", match: /^training: /, file: "training-curves.png", caption: "Live training curves from `%train` on a synthetic SHD-format dataset" },
  { notebook: "03-train", match: /^event frame: /, file: "shd-sample.png", caption: "A synthetic SHD-format sample, channels against time (`%dataset`)" },
  { notebook: "04-compile-and-map", match: /^mesh: .*tiny-chip/, file: "mesh-utilisation.png", caption: "Core utilisation on the mesh of a custom target (`%compile`)" },
  { notebook: "04-compile-and-map", match: /^mesh: .*on loihi/, file: "mesh-loihi.png", caption: "The same network on Loihi's 128 cores, each core labelled, used ones with their utilisation (`%compile`)" },
  { notebook: "05-vm-and-power", match: /^latency: /, file: "latency.png", caption: "Latency per timestep at the target's clock, on the cycle-accurate VM (`%vm cycles`)" },
  { notebook: "05-vm-and-power", match: /^congestion: /, file: "congestion.png", caption: "Link congestion on the mesh (`%vm cycles`)" },
  { notebook: "05-vm-and-power", match: /^power: /, file: "power-by-layer.png", caption: "Energy of the synaptic, neuron and routing events per inference, by layer (`%power`)" },
  { notebook: "05-vm-and-power", match: /^power heatmap: /, file: "power-heatmap.png", caption: "Energy per inference of each router's cores on the mesh, static power included (`%power`)" },
  { notebook: "06-architecture-sweep", match: /^sweep: /, file: "pareto.png", caption: "Energy against latency of a generic-mesh sweep, Pareto front in red; a spread under 25% is drawn as % above the lowest (`%sweep`)" },
];

const PLOTLY = "application/vnd.plotly.v1+json";
const text = (v) => (Array.isArray(v) ? v.join("") : String(v ?? ""));

function sh(cmd, args, opts) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r;
}

/** Executes one notebook in a temp copy of notebooks/; returns the executed notebook. */
function execute(work, env, notebook) {
  const dir = join(work, notebook);
  cpSync(join(root, "notebooks"), dir, { recursive: true });
  const started = Date.now();
  sh("/usr/bin/python3", ["-m", "jupyter", "nbconvert", "--execute", "--ExecutePreprocessor.kernel_name=phasor", "--ExecutePreprocessor.timeout=240", "--to", "notebook", "--output", "executed.ipynb", `${notebook}.ipynb`], { cwd: dir, env });
  console.log(`executed ${notebook} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return JSON.parse(readFileSync(join(dir, "executed.ipynb"), "utf8"));
}

function figures(nb) {
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[PLOTLY]).map((o) => ({ summary: text(o.data["text/plain"]), figure: o.data[PLOTLY] }));
}

function galleryTable() {
  const cells = GALLERY.map((g) => `<a href="docs/gallery/${g.file}"><img src="docs/gallery/${g.file}" width="400" alt="${g.caption.replace(/`/g, "")}"></a><br>${g.caption.replace(/`([^`]+)`/g, "<code>$1</code>")} · <a href="notebooks/${g.notebook}.ipynb">${g.notebook}</a>`);
  let md = "<table>\n";
  for (let i = 0; i < cells.length; i += 2) md += `<tr><td>${cells[i]}</td><td>${cells[i + 1] ?? ""}</td></tr>\n`;
  return md + "</table>";
}

async function main() {
  for (const [what, ok] of [["jupyter nbconvert", existsSync("/usr/bin/python3")], [CHROMIUM, existsSync(CHROMIUM)], ["dist/ (npm run build)", existsSync(join(root, "dist/cli/main.js"))]]) {
    if (!ok) throw new Error(`${what} is missing`);
  }
  const work = mkdtempSync(join(tmpdir(), "phasor-gallery-"));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const prefix = join(work, "prefix");
    sh(process.execPath, [join(root, "bin/phasor.js"), "install", "--prefix", prefix]);
    const env = { ...process.env, JUPYTER_PATH: join(prefix, "share/jupyter"), JUPYTER_DATA_DIR: join(work, "data"), JUPYTER_RUNTIME_DIR: join(work, "runtime"), PHASOR_HISTORY_FILE: join(work, "history.jsonl") };
    const executed = {};
    for (const n of new Set(GALLERY.map((g) => g.notebook))) executed[n] = figures(execute(work, env, n));

    const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT } });
    await page.route("**/*", (route) => route.abort()); // offline: nothing but what is set here
    await page.setContent(`<!doctype html><html><body style="margin:0"><div id="plot"></div></body></html>`);
    await page.addScriptTag({ content: readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8") });
    const out = join(root, "docs/gallery");
    mkdirSync(out, { recursive: true });
    for (const g of GALLERY) {
      const found = executed[g.notebook].find((f) => g.match.test(f.summary));
      if (!found) throw new Error(`${g.notebook}: no figure whose summary matches ${g.match} (summaries: ${executed[g.notebook].map((f) => f.summary).join(" | ")})`);
      const png = await page.evaluate(async ({ fig, w, h }) => {
        const div = document.getElementById("plot");
        const layout = { ...fig.layout, width: w, height: h };
        await window.Plotly.newPlot(div, fig.data, layout, { staticPlot: true });
        const url = await window.Plotly.toImage(div, { format: "png", width: w, height: h, scale: 1 });
        window.Plotly.purge(div);
        return url.replace(/^data:image\/png;base64,/, "");
      }, { fig: found.figure, w: WIDTH, h: HEIGHT });
      const bytes = Buffer.from(png, "base64");
      writeFileSync(join(out, g.file), bytes);
      console.log(`wrote docs/gallery/${g.file} (${(bytes.length / 1024).toFixed(0)} KiB) from ${g.notebook}: ${found.summary}`);
    }
    const readmeFile = join(root, "README.md");
    const readme = readFileSync(readmeFile, "utf8");
    const start = "<!-- gallery:start -->", end = "<!-- gallery:end -->";
    const a = readme.indexOf(start), b = readme.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md has no ${start} ... ${end} markers`);
    writeFileSync(readmeFile, readme.slice(0, a + start.length) + "\n" + galleryTable() + "\n" + readme.slice(b));
    console.log("updated the gallery in README.md");
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
