/**
 * The training and evaluation paths on warehouse files: lib/train's fit on a packed N-MNIST set
 * gives the same loss curve, step for step, as on the original .bin files; %dataset and %train
 * open a packed .h5 and NAME@VERSION from the cache, and %dataset --list shows catalog and cache.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Display } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { datasetMagic } from "../kernel/magics/dataset.js";
import { trainMagic } from "../kernel/magics/train.js";
import type { MagicContext, MagicSpec } from "../kernel/magics/types.js";
import type { EventDataset } from "../lib/data/events.js";
import { readNmnist } from "../lib/data/nmnist.js";
import { openPacked } from "../lib/data/pack-read.js";
import { fetchDataset } from "../lib/data/warehouse.js";
import { packDataset } from "../lib/data/warehouse-pack.js";
import { useBackend } from "../lib/train/backend.js";
import type { ModelConfig } from "../lib/train/config.js";
import { spikingModel } from "../lib/train/model.js";
import { evaluate, fit } from "../lib/train/trainer.js";
import { writeNmnist } from "./data-warehouse-helpers.js";

const work = mkdtempSync(join(tmpdir(), "phasor-wh-train-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const src = join(work, "nmnist");
writeNmnist(src, { classes: 4, perClass: 12, events: [150, 400], seed: 21 });

const cfg: ModelConfig = {
  inputs: 34 * 34 * 2, dt: 10e-3,
  layers: [{ name: "hidden", kind: "LIF", units: 16, tau: 20e-3, v_threshold: 0.5 }, { name: "readout", kind: "LI", units: 4, tau: 40e-3 }],
};
const batch = { batchSize: 8, steps: 30, dtUs: 10_000 };

async function train(ds: EventDataset, test: EventDataset) {
  const m = spikingModel(cfg, { seed: 5, scale: 6 });
  const r = await fit(m, ds, { ...batch, epochs: 2, seed: 9, optimizer: { name: "adam", lr: 1e-2 } });
  const ev = evaluate(m, test, { ...batch, loss: "ce-max-membrane" });
  m.dispose();
  return { losses: r.stepLosses, ev };
}

describe("training on a packed dataset", () => {
  it("gives the same loss curve and evaluation as on the original N-MNIST files", async () => {
    await useBackend("cpu");
    const r = await packDataset(src, { name: "nm-train", version: "1", out: join(work, "packed") });
    const original = await train(readNmnist({ path: src }), readNmnist({ path: src, split: "test" }));
    const packed = await train(await openPacked(r.file, "train"), await openPacked(r.file, "test"));
    expect(original.losses.length).toBe(12);
    expect(new Set(original.losses).size).toBeGreaterThan(1);
    expect(packed.losses).toEqual(original.losses);
    expect(packed.ev).toEqual(original.ev);
  }, 120_000);
});

/** A context that records printed text and figures. */
function recorder() {
  let printed = "";
  const shown: unknown[] = [];
  const display = { plotly: (f: unknown) => { shown.push(f); return { displayId: "x", update: () => undefined }; } } as Partial<Display> as Display;
  const ctx: MagicContext = {
    display, cwd: work, signal: new AbortController().signal, setVariable: () => undefined, getVariable: () => undefined,
    page: () => undefined, print: (t) => { printed += t; }, magics: () => [],
  };
  return { ctx, shown, printed: () => printed };
}

const run = (spec: MagicSpec, line: string, ctx: MagicContext) => spec.run({ ...parseArgs(spec, line, false), line }, ctx);

describe("%dataset and %train on warehouse files", () => {
  it("%dataset opens a packed .h5 and shows its licence and provenance", async () => {
    const r = recorder();
    const ds = (await run(datasetMagic, "packed/nm-train-1.h5 --split test --sample 2", r.ctx)) as EventDataset;
    expect(ds.length).toBe(48);
    expect(r.printed()).toMatch(/^Neuromorphic MNIST \(N-MNIST\): 48 samples, 10 classes, sensor 34 x 34 x 2 .*\npacked nm-train@1 \(test\): licence not stated, 96 source files with sha256, phasor /);
    expect(r.shown.length).toBe(1);
  });

  it("%dataset NAME@VERSION opens the cached copy; --list shows catalog and cache", async () => {
    const dir = join(work, "cache");
    await fetchDataset("nm-train@1", { dir, catalogs: [join(work, "packed", "catalog.json")] }); // file: URLs, relative to the catalog
    const r = recorder();
    const ds = (await run(datasetMagic, `nm-train@1 --dir ${dir} --split train -q`, r.ctx)) as EventDataset;
    expect(ds.length).toBe(48);
    const l = recorder();
    await run(datasetMagic, `--list --dir ${dir}`, l.ctx);
    expect(l.printed()).toMatch(/^dataset +title +licence +size +cached +verified\n/);
    expect(l.printed()).toMatch(/\nnm-train@1 +Neuromorphic MNIST \(N-MNIST\) +not stated +[\d.]+ [kM]B +yes +sha256\n/);
    expect(l.printed()).toMatch(/\nshd@1 +Spiking Heidelberg Digits \(SHD\) +CC-BY-4\.0 +\? +no +-\n/);
  });

  it("%train trains on a packed file", async () => {
    await useBackend("cpu");
    const r = recorder();
    await run(trainMagic, "packed/nm-train-1.h5 --hidden 8 --epochs 1 --batch 16 --steps 10 --dt-us 20000 --no-plot --checkpoint ck.json", r.ctx);
    expect(r.printed()).toMatch(/epoch 1: /);
  }, 60_000);
});
