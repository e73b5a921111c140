/**
 * %train and %dataset through their real argument parser with a recording context: live
 * curves are one output updated in place, the result is the model, an interrupt leaves a
 * loadable checkpoint, and %dataset summarises a dataset and shows an event frame heatmap.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Display, DisplayHandle } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { datasetMagic } from "../kernel/magics/dataset.js";
import { trainMagic } from "../kernel/magics/train.js";
import type { MagicContext, MagicSpec } from "../kernel/magics/types.js";
import { arrayDataset, events, type EventSample } from "../lib/data/events.js";
import { formatNmnistBin } from "../lib/data/nmnist.js";
import { Rng } from "../lib/ir/random.js";
import { summarise, type Figure } from "../lib/plot/figure.js";
import { useBackend } from "../lib/train/backend.js";
import { loadCheckpoint } from "../lib/train/checkpoint.js";
import { SpikingModel } from "../lib/train/model.js";

const dir = mkdtempSync(join(tmpdir(), "phasor-magic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A context that records figures (by display id), updates and printed text. */
function recorder(vars: Record<string, unknown>, onUpdate?: () => void) {
  const shown: Figure[] = [], updates: Figure[] = [];
  let printed = "";
  const controller = new AbortController();
  const handle: DisplayHandle = { displayId: "curves", update: (v) => { updates.push(v as Figure); onUpdate?.(); } };
  const display = { plotly: (f: Figure) => { shown.push(f); return handle; } } as Partial<Display> as Display;
  const ctx: MagicContext = {
    display, cwd: dir, signal: controller.signal, setVariable: (n, v) => { vars[n] = v; }, getVariable: (n) => vars[n],
    page: () => undefined, print: (t) => { printed += t; }, magics: () => [],
  };
  return { ctx, shown, updates, controller, printed: () => printed };
}

const run = (spec: MagicSpec, line: string, ctx: MagicContext) => spec.run({ ...parseArgs(spec, line, false), line }, ctx);

function bands(n: number): EventSample[] {
  const rng = new Rng(4);
  return Array.from({ length: n }, (_, i) => {
    const t = Array.from({ length: 40 }, () => Math.floor(rng.random() * 20_000)).sort((a, b) => a - b);
    return { label: i % 2, events: events({ t, x: t.map(() => (i % 2) * 8 + Math.floor(rng.random() * 8)) }) };
  });
}

describe("%train", () => {
  const vars: Record<string, unknown> = { ds: arrayDataset(bands(40), [16, 1, 1]) };

  it("trains with live curves updated in place and returns the model", async () => {
    await useBackend("cpu");
    const r = recorder(vars);
    const model = await run(trainMagic, "ds --hidden 16 --epochs 2 --batch 8 --steps 20 --lr 1e-2 --checkpoint a.json", r.ctx);
    expect(model).toBeInstanceOf(SpikingModel);
    expect(r.shown.length).toBe(1); // one output, then only updates
    expect(r.updates.length).toBeGreaterThanOrEqual(2);
    const last = r.updates[r.updates.length - 1];
    expect(summarise(last)).toMatch(/^training: 8 steps, .*validation accuracy .* after epoch 2 \(backend: cpu\)/);
    expect(r.printed()).toMatch(/epoch 2: .*backend: cpu, in process/);
    expect(loadCheckpoint(join(dir, "a.json")).epoch).toBe(2);
  }, 60_000);

  it("stops on interrupt after the current step and leaves a loadable checkpoint", async () => {
    await useBackend("cpu");
    let r: ReturnType<typeof recorder> | undefined;
    r = recorder(vars, () => r?.controller.abort());
    const model = await run(trainMagic, "ds --hidden 16 --epochs 50 --batch 8 --steps 20 --checkpoint b.json", r.ctx);
    expect(model).toBeInstanceOf(SpikingModel);
    expect(r.printed()).toMatch(/interrupted/);
    const c = loadCheckpoint(join(dir, "b.json"));
    expect(c.epoch).toBe(0);
    expect(Object.keys(c.weights)).toEqual(["hidden.weight", "readout.weight"]);
  }, 60_000);

  it("names a bad --model clearly", async () => {
    await expect(run(trainMagic, "ds --model nothing", recorder(vars).ctx)).rejects.toThrow(/--model: "nothing" is neither/);
  });
});

describe("%dataset", () => {
  it("summarises a dataset variable and shows channels against time for a one-row sensor", async () => {
    const r = recorder({ ds: arrayDataset(bands(6), [16, 1, 1]) });
    await run(datasetMagic, "ds --sample 1 --bins 10", r.ctx);
    expect(r.printed()).toMatch(/^arrays: 6 samples, 2 classes, sensor 16 x 1 x 1 \(16 inputs\)\nsample 1: label 1 \(1\), 40 events/);
    expect(r.shown.length).toBe(1);
    expect(summarise(r.shown[0])).toBe("event frame: 10 x 16, 40 events, at most " + String(Math.max(...(r.shown[0].data[0].z as number[][]).flat())) + " per cell");
  });

  it("opens an N-MNIST folder by path and shows a pixel frame over both polarities", async () => {
    const root = join(dir, "nm");
    mkdirSync(join(root, "Train", "3"), { recursive: true });
    writeFileSync(join(root, "Train", "3", "00001.bin"), formatNmnistBin(events({ t: [10, 20, 30], x: [1, 1, 5], y: [2, 2, 7], p: [0, 1, 1] })));
    const r = recorder({});
    const ds = await run(datasetMagic, "nm", r.ctx);
    expect(r.printed()).toMatch(/^N-MNIST: 1 samples, 10 classes, sensor 34 x 34 x 2/);
    const z = r.shown[0].data[0].z as number[][];
    expect(z.length).toBe(34);
    expect(z[2][1]).toBe(2); // both polarities at (1, 2)
    expect(z[7][5]).toBe(1);
    expect(ds).toBeDefined();
  });

  it("names the expected files when a dataset is missing", async () => {
    const saved = process.env.PHASOR_DATA;
    process.env.PHASOR_DATA = join(dir, "nowhere");
    try {
      await expect(run(datasetMagic, "shd", recorder({}).ctx)).rejects.toThrow(/shd_train\.h5.*zenkelab/);
    } finally {
      if (saved === undefined) delete process.env.PHASOR_DATA; else process.env.PHASOR_DATA = saved;
    }
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
  });
});
