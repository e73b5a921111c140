#!/usr/bin/env node
// Reading a dataset in shuffled order, sample by sample, as training does: the packed warehouse
// file (phasor data pack: one chunked, compressed HDF5) against the original files, in one run.
// N-MNIST layout (one .bin file per sample) always; SHD layout (HDF5 with vlen rows, written
// with Debian's python3-h5py) when h5py is there. Prints samples/s and the ratio packed/original,
// the median of --repeats passes, and the sizes on disk.
// Needs a build (`npm run build`, or PHASOR_DIST=dir of a build of lib/).
// usage: node bench/data-warehouse.js [--samples 2000] [--events 4000] [--repeats 3] [--keep DIR]
"use strict";
const { execFileSync } = require("node:child_process");
const { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const { parseArgs } = require("node:util");
const dist = process.env.PHASOR_DIST ?? resolve(__dirname, "../dist/lib");
const data = require(`${dist}/data/index.js`);

const { values } = parseArgs({ options: { samples: { type: "string", default: "2000" }, events: { type: "string", default: "4000" }, repeats: { type: "string", default: "3" }, keep: { type: "string" } } });
const N = Number(values.samples), E = Number(values.events), R = Number(values.repeats);
const root = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), "phasor-bench-data-"));

let seed = 12345;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);

/** N .bin files under Train/<digit>/ with about E events each over 300 ms. */
function writeNmnist(dir) {
  for (let i = 0; i < N; i++) {
    const d = i % 10, n = Math.floor(E * (0.5 + rnd()));
    const e = { t: new Float64Array(n), x: new Int32Array(n), y: new Int32Array(n), p: new Int8Array(n) };
    const t = Array.from({ length: n }, () => Math.floor(rnd() * 300000)).sort((a, b) => a - b);
    for (let k = 0; k < n; k++) { e.t[k] = t[k]; e.x[k] = Math.floor(rnd() * 34); e.y[k] = Math.floor(rnd() * 34); e.p[k] = rnd() < 0.5 ? 1 : 0; }
    mkdirSync(join(dir, "Train", String(d)), { recursive: true });
    writeFileSync(join(dir, "Train", String(d), `${String(i).padStart(6, "0")}.bin`), data.formatNmnistBin(e));
  }
}

const SHD = `
import sys, h5py, numpy as np
n, e = int(sys.argv[2]), int(sys.argv[3]); rng = np.random.default_rng(1)
with h5py.File(sys.argv[1], "w") as f:
    times = f.create_dataset("spikes/times", (n,), dtype=h5py.vlen_dtype(np.float16))
    units = f.create_dataset("spikes/units", (n,), dtype=h5py.vlen_dtype(np.uint16))
    for i in range(n):
        k = int(e * (0.5 + rng.random()))
        times[i] = np.sort(rng.uniform(0, 1, k)).astype(np.float16); units[i] = rng.integers(0, 700, k).astype(np.uint16)
    f.create_dataset("labels", data=(np.arange(n) % 20).astype(np.uint16))
`;

function haveH5py() {
  try { execFileSync("/usr/bin/python3", ["-c", "import h5py"], { stdio: "ignore" }); return true; } catch { return false; }
}

/** Samples per second reading every sample of `ds` once in a seeded shuffled order; the median of R passes. */
function rate(ds) {
  const order = data.shuffled(Array.from({ length: ds.length }, (_, i) => i), 7);
  const rates = [];
  for (let r = 0; r < R; r++) {
    let events = 0;
    const t0 = performance.now();
    for (const i of order) events += ds.get(i).events.t.length;
    rates.push(ds.length / ((performance.now() - t0) / 1000));
    if (events === 0) throw new Error("no events read");
  }
  return rates.sort((a, b) => a - b)[Math.floor(R / 2)];
}

function du(path) {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((a, f) => a + du(join(path, f)), 0) : s.size;
}

const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;

async function compare(name, id, originalPath, open) {
  const t0 = performance.now();
  const packed = await data.packDataset(originalPath, { name: `bench-${id}`, version: "1", out: join(root, `packed-${id}`) });
  const packS = (performance.now() - t0) / 1000;
  const original = await open();
  const p = await data.openPacked(packed.file, "train");
  const a = rate(original), b = rate(p);
  original.close(); p.close();
  console.log(`${name}: ${packed.samples} samples, ${packed.events} events; original ${mb(du(originalPath))}, packed ${mb(packed.bytes)} (chunks of ${packed.chunkEvents} events, packed in ${packS.toFixed(1)} s)`);
  console.log(`  shuffled reads: original ${a.toFixed(0)} samples/s, packed ${b.toFixed(0)} samples/s, ratio packed/original ${(b / a).toFixed(2)}`);
}

(async () => {
  console.log(`node ${process.version}, ${N} samples of about ${E} events, median of ${R} passes, files in ${root}`);
  const nm = join(root, "nmnist");
  if (!existsSync(nm)) writeNmnist(nm);
  await compare("N-MNIST layout (.bin per sample)", "nmnist", nm, async () => data.readNmnist({ path: nm, split: "train" }));
  if (haveH5py()) {
    const shd = join(root, "shd");
    mkdirSync(shd, { recursive: true });
    if (!existsSync(join(shd, "shd_train.h5"))) execFileSync("/usr/bin/python3", ["-c", SHD, join(shd, "shd_train.h5"), String(N), String(E)]);
    await compare("SHD layout (HDF5 vlen rows)", "shd", join(shd, "shd_train.h5"), () => data.readHeidelbergFile(join(shd, "shd_train.h5")));
  } else console.log("SHD layout: skipped (python3-h5py is not installed)");
  if (!values.keep) rmSync(root, { recursive: true, force: true });
})().catch((e) => { console.error(e); process.exit(1); });
