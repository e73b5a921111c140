/**
 * %train: trains a spiking model on an event dataset with live Plotly loss and accuracy
 * curves (one output updated in place), interruptible (the run stops after the current step
 * and writes its checkpoint), returning the model (bind with --as).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import { checkWritable } from "../../lib/ir/io/files.js";
import type { EventDataset } from "../../lib/data/events.js";
import { shuffled } from "../../lib/data/batching.js";
import type { Split } from "../../lib/data/open.js";
import { activeBackend, describeBackend, useBackend } from "../../lib/train/backend.js";
import type { ModelConfig } from "../../lib/train/config.js";
import { SpikingModel, spikingModel } from "../../lib/train/model.js";
import { describeFit, fit } from "../../lib/train/trainer.js";
import { trainingCurves, type EpochPoint, type StepPoint } from "../../lib/plot/curves.js";
import { datasetOf } from "./dataset.js";
import { defineMagic, type MagicContext, type MagicInput } from "./types.js";
import { positive, positiveInt } from "./values.js";

interface TrainFlags {
  split: Split; model?: string; hidden: number; epochs: number; batch: number; steps: number; dtUs: number; lr: number; optimizer: string;
  loss?: string; seed: number; workers?: number; remat?: number; truncate?: number; val: number; checkpoint: string; resume?: boolean; plot: boolean; quiet?: boolean;
  cluster?: string;
}

/** Reads the parsed options (commander applied the defaults and parsers) into typed flags. */
function trainFlags(m: Record<string, unknown>): TrainFlags {
  const num = (k: string): number => Number(m[k]);
  const opt = (k: string): number | undefined => (m[k] === undefined ? undefined : Number(m[k]));
  const str = (k: string): string | undefined => (m[k] === undefined ? undefined : String(m[k]));
  const split = str("split");
  return {
    split: split === "test" || split === "valid" ? split : "train", model: str("model"), hidden: num("hidden"), epochs: num("epochs"), batch: num("batch"),
    steps: num("steps"), dtUs: num("dtUs"), lr: num("lr"), optimizer: str("optimizer") ?? "adam", loss: str("loss"), seed: num("seed"), workers: opt("workers"),
    remat: opt("remat"), truncate: opt("truncate"), val: num("val"), checkpoint: str("checkpoint") ?? "train-checkpoint.json", resume: m.resume === true,
    plot: m.plot !== false, quiet: m.quiet === true, cluster: str("cluster"),
  };
}

/** The model to train: a variable holding a SpikingModel or a ModelConfig, a .json config file, or a default LIF -> LI network for the dataset. */
function modelOf(o: TrainFlags, ds: EventDataset, ctx: MagicContext): SpikingModel {
  const [W, H, P] = ds.sensorSize;
  if (!o.model) {
    return spikingModel({
      inputs: W * H * P, dt: o.dtUs * 1e-6,
      layers: [{ name: "hidden", kind: "LIF", units: o.hidden, tau: 10e-3, v_threshold: 1 }, { name: "readout", kind: "LI", units: ds.classes.length, tau: 20e-3 }],
    }, { seed: o.seed, scale: 4 });
  }
  const v: unknown = o.model.endsWith(".json") ? JSON.parse(readFileSync(resolve(ctx.cwd, o.model), "utf8")) : ctx.getVariable(o.model);
  if (v instanceof SpikingModel) return v;
  if (typeof v === "object" && v !== null && Array.isArray((v as Partial<ModelConfig>).layers)) return spikingModel(v as ModelConfig, { seed: o.seed, scale: 4 });
  throw new PhasorError(`%train --model: "${o.model}" is neither a variable holding a SpikingModel or ModelConfig nor a .json model config`, "usage");
}

/** The %train magic. */
export const trainMagic = defineMagic({
  name: "train",
  summary: "train a spiking model on an event dataset with live loss/accuracy curves; returns the model",
  description:
    "DATA is what %dataset accepts (a name under $PHASOR_DATA, an .h5 file, a folder, or a variable holding a dataset). The model is --model (a variable holding a SpikingModel or ModelConfig, or a .json config) " +
    "or by default inputs -> --hidden LIF -> LI readout with one unit per class. The curves update in place while training. Interrupt stops after the current step and writes the checkpoint " +
    "(--checkpoint, rewritten atomically after every epoch; --resume continues from it). The output names the backend. Returns the model (bind with --as).",
  arguments: [{ name: "data", description: "dataset name, .h5 file, folder, or variable", required: true }],
  options: [
    { flags: "--split <split>", description: "training split", default: "train", choices: ["train", "test", "valid"] },
    { flags: "--model <source>", description: "variable holding a SpikingModel or ModelConfig, or a .json config" },
    { flags: "--hidden <n>", description: "hidden LIF units of the default model", default: 128, parse: positiveInt },
    { flags: "--epochs <n>", description: "epochs", default: 5, parse: positiveInt },
    { flags: "--batch <n>", description: "batch size (global, across workers)", default: 32, parse: positiveInt },
    { flags: "--steps <n>", description: "time steps per sample", default: 100, parse: positiveInt },
    { flags: "--dt-us <us>", description: "time window per step in microseconds", default: 1000, parse: positive },
    { flags: "--lr <rate>", description: "learning rate", default: 1e-3, parse: positive },
    { flags: "--optimizer <name>", description: "adam, sgd, momentum, rmsprop, adamax", default: "adam" },
    { flags: "--loss <name>", description: "ce-count, ce-max-membrane, ce-mean-membrane, mse-count (default by readout)" },
    { flags: "--seed <n>", description: "seed of initial weights, shuffling and the validation split", default: 0, parse: (v) => Number.parseInt(v, 10) },
    { flags: "--workers <n>", description: "data-parallel worker threads (default: train in this process); with --cluster, shards per round", parse: positiveInt },
    { flags: "--cluster <url>", description: "compute each round's shards on the workers of this Redis server (redis://HOST:PORT; phasor worker)" },
    { flags: "--remat <k>", description: "rematerialisation: keep state every k steps, recompute in the backward pass", parse: positiveInt },
    { flags: "--truncate <k>", description: "truncated BPTT window in steps", parse: positiveInt },
    { flags: "--val <fraction>", description: "fraction of samples held out for validation (0 for none)", default: 0.2, parse: Number },
    { flags: "--checkpoint <file>", description: "checkpoint file", default: "train-checkpoint.json" },
    { flags: "--resume", description: "continue from --checkpoint when it exists" },
    { flags: "--no-plot", description: "no live curves (print one line per epoch instead)" },
    { flags: "-q, --quiet", description: "show nothing (use with --as)" },
  ],
  modes: ["line"],
  examples: ["%train shd --epochs 10 --workers 2 --as model", "%train shd --cluster redis://127.0.0.1:6379 --workers 4", "%train data/shd_train.h5 --model cfg.json --remat 10", "%train ds --model net --lr 5e-3 --as net"],
  async run(input, ctx) {
    // In a kernel an interrupt ends the cell at once while the run finishes its current step and
    // writes its checkpoint: the next %train (e.g. --resume) waits for that, so it reads the new checkpoint.
    await inFlight;
    const run = train(input, ctx);
    inFlight = run.then(() => undefined, () => undefined);
    return run;
  },
});

/** The last %train run in this process, settled or not. */
let inFlight: Promise<void> = Promise.resolve();

async function train(input: MagicInput, ctx: MagicContext): Promise<SpikingModel> {
  const o = trainFlags(input.options);
  if (!(o.val >= 0 && o.val < 1)) throw new PhasorError(`%train --val: expected a fraction in [0, 1), got ${o.val}`, "usage");
  checkWritable(resolve(ctx.cwd, o.checkpoint), "%train --checkpoint"); // before the data loads and an epoch runs
  const ds = await datasetOf(String(input.args[0]), o.split, ctx);
  // Select the backend (and register the fused kernels) before any tensor exists: the model's variables live on it.
  if (!activeBackend()) await useBackend();
  const model = modelOf(o, ds, ctx);
  const order = shuffled(Array.from({ length: ds.length }, (_, i) => i), o.seed + 7919);
  const nVal = Math.floor(ds.length * o.val);
  const stepper = o.cluster ? (await import("../../lib/cluster/index.js")).clusterStepper({ cluster: o.cluster, workers: o.workers ?? 2 }) : undefined;
  const steps: StepPoint[] = [], epochs: EpochPoint[] = [];
  const plot = !o.quiet && o.plot !== false;
  const handle = plot ? ctx.display.plotly(trainingCurves([], [])) : undefined;
  let shown = 0;
  const redraw = () => { shown = performance.now(); handle?.update(trainingCurves(steps, epochs, { note: describeBackend() })); };
  const r = await fit(model, ds, {
    epochs: o.epochs, batchSize: o.batch, steps: o.steps, dtUs: o.dtUs, seed: o.seed, loss: o.loss, optimizer: { name: o.optimizer, lr: o.lr },
    workers: o.cluster ? undefined : o.workers, stepper, remat: o.remat, truncate: o.truncate, trainIndices: order.slice(nVal), validation: nVal ? { indices: order.slice(0, nVal) } : undefined,
    checkpoint: resolve(ctx.cwd, o.checkpoint), resume: o.resume, signal: ctx.signal,
    onStep: (s) => { steps.push({ step: s.step, loss: s.loss, accuracy: s.accuracy }); if (performance.now() - shown > 250) redraw(); },
    onEpoch: (e) => {
      epochs.push({ epoch: e.epoch, step: steps.length, valLoss: e.valLoss, valAccuracy: e.valAccuracy });
      if (plot) redraw();
      else if (!o.quiet) ctx.print(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, accuracy ${(e.accuracy * 100).toFixed(1)}%${e.valAccuracy !== undefined ? `, val ${(e.valAccuracy * 100).toFixed(1)}%` : ""} (${e.seconds.toFixed(1)} s)\n`);
    },
  });
  if (plot) redraw();
  if (!o.quiet) ctx.print(`${describeFit(r)}; checkpoint ${o.checkpoint}\n`);
  return r.model;
}
