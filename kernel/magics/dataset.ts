/** %dataset: open an event dataset by name, path or variable; summarise it and show one sample as an event frame heatmap. */
import { resolve } from "node:path";
import { isPhasorError, PhasorError } from "../../lib/ir/errors.js";
import type { EventDataset, EventSample } from "../../lib/data/events.js";
import { describeDataset, isEventDataset, openDataset, type Split } from "../../lib/data/open.js";
import { toFrame } from "../../lib/data/transforms.js";
import { isPackedFile, openPacked, type PackedDataset } from "../../lib/data/pack-read.js";
import { formatDatasetRows, inWarehouse, isWarehouseRef, listDatasets, openWarehouse } from "../../lib/data/warehouse-list.js";
import { eventFrame, type FrameGrid, type FrameOptions } from "../../lib/plot/frame.js";
import { defineMagic, type MagicContext } from "./types.js";
import { positiveInt } from "./values.js";

interface DatasetFlags { split: Split; sample: number; bins: number; plot: boolean; quiet?: boolean; list?: boolean; catalog?: string; dir?: string }

/**
 * The dataset a magic argument names: a cell variable holding one, NAME@VERSION from the warehouse
 * cache, a packed .h5, else a name or path for openDataset (a name missing there but fetched into
 * the warehouse opens from the cache).
 */
export async function datasetOf(spec: string, split: Split, ctx: MagicContext, dir?: string): Promise<EventDataset> {
  const v = /^[A-Za-z_$][\w$]*$/.test(spec) ? ctx.getVariable(spec) : undefined;
  if (v !== undefined) {
    if (!isEventDataset(v)) throw new PhasorError(`"${spec}" is a variable but not an event dataset (open one with %dataset ... --as ${spec})`, "usage");
    return v;
  }
  if (isWarehouseRef(spec)) return openWarehouse(spec, split, { dir });
  const path = resolve(ctx.cwd, spec);
  if (spec.endsWith(".h5") && (await isPackedFile(path))) return openPacked(path, split);
  try {
    return await openDataset(spec, split, ctx.cwd);
  } catch (e) {
    if (isPhasorError(e) && e.code === "dataset-missing" && inWarehouse(spec, { dir })) return openWarehouse(spec, split, { dir });
    throw e;
  }
}

/** One line on a packed dataset's origin: licence, source files, converter. */
function provenanceLine(ds: EventDataset): string {
  const info = (ds as Partial<PackedDataset>).info;
  if (!info) return "";
  return `packed ${info.name}@${info.version} (${(ds as PackedDataset).split}): licence ${info.license ?? "not stated"}, ` +
    `${info.sources.length} source files with sha256, ${info.converter}\n`;
}

/** A sample as a heatmap grid: time bins x channels for a one-row sensor (SHD), else pixel counts over both polarities. */
export function sampleGrid(ds: EventDataset, s: EventSample, bins: number): { grid: FrameGrid; opts: FrameOptions } {
  const [W, H, P] = ds.sensorSize;
  const e = s.events;
  const span = e.t.length ? e.t[e.t.length - 1] - e.t[0] : 0;
  if (H * P === 1) {
    // `bins` windows from the first event that hold the last one too (Tonic's n_time_bins leaves it out).
    const tw = (span + 1) / bins, t0 = e.t.length ? e.t[0] : 0;
    const f = e.t.length ? toFrame(e, ds.sensorSize, { time_window: tw, start_time: t0, end_time: t0 + (bins + 0.5) * tw }) : { data: new Float32Array(bins * W) };
    return { grid: { data: f.data, rows: bins, columns: W }, opts: { xTitle: "channel index", yTitle: "time (ms)", yScale: tw / 1000, flipY: false } };
  }
  const f = toFrame(e, ds.sensorSize, { n_event_bins: 1 });
  const counts = new Float32Array(W * H);
  for (let p = 0; p < P; p++) for (let k = 0; k < W * H; k++) counts[k] += f.data[p * W * H + k];
  return { grid: { data: counts, rows: H, columns: W }, opts: { xTitle: "x (pixel)", yTitle: "y (pixel)" } };
}

/** The %dataset magic. */
export const datasetMagic = defineMagic({
  name: "dataset",
  summary: "open an event dataset (SHD, SSC, N-MNIST, DVS Gesture, an SHD-layout .h5), summarise it, show an event frame",
  description:
    "SOURCE is a dataset name (shd, ssc, nmnist, dvsgesture: looked up under $PHASOR_DATA/<name>/, else in the warehouse cache), NAME@VERSION fetched with `phasor data fetch`, " +
    "a packed .h5 (`phasor data pack`) or one in SHD's layout, a dataset folder, or a variable holding a dataset. --list shows the catalog and the cache. " +
    "A missing dataset is an error naming the files expected and where to download them; nothing is downloaded. Shows one sample as a heatmap (channels against time for SHD/SSC, pixel counts for cameras). Returns the dataset (bind with --as).",
  arguments: [{ name: "source", description: "dataset name, NAME@VERSION (warehouse), .h5 file, folder, or variable", required: false }],
  options: [
    { flags: "--split <split>", description: "which split", default: "train", choices: ["train", "test", "valid"] },
    { flags: "--sample <i>", description: "sample to show", default: 0, parse: (v) => Number.parseInt(v, 10) },
    { flags: "--bins <n>", description: "time bins of the heatmap for one-row sensors (SHD/SSC)", default: 50, parse: positiveInt },
    { flags: "--no-plot", description: "do not draw the heatmap" },
    { flags: "-q, --quiet", description: "show nothing (use with --as)" },
    { flags: "--list", description: "list the catalog's datasets and what the warehouse cache holds (sizes, checks, licences)" },
    { flags: "--catalog <url>", description: "with --list: another catalog (URL or path)" },
    { flags: "--dir <dir>", description: "the warehouse cache folder (default $PHASOR_WAREHOUSE, else ~/.cache/phasor/data)" },
  ],
  modes: ["line"],
  examples: ["%dataset shd --as shd", "%dataset data/shd_train.h5 --sample 3", "%dataset nmnist --split test --as test", "%dataset --list", "%dataset shd@1"],
  async run(input, ctx) {
    const o = input.options as Partial<DatasetFlags>;
    const dir = o.dir === undefined ? undefined : resolve(ctx.cwd, o.dir);
    if (o.list) {
      const rows = await listDatasets({ catalogs: o.catalog ? [o.catalog] : [], dir, cwd: ctx.cwd });
      if (!o.quiet) ctx.print(formatDatasetRows(rows));
      return rows;
    }
    if (input.args[0] === undefined) throw new PhasorError("%dataset: give a SOURCE (name, NAME@VERSION, .h5 file, folder or variable), or --list", "usage");
    const ds = await datasetOf(String(input.args[0]), o.split ?? "train", ctx, dir);
    if (o.quiet) return ds;
    const i = o.sample ?? 0;
    if (!(Number.isInteger(i) && i >= 0 && i < ds.length)) throw new PhasorError(`%dataset --sample: ${i} is not a sample index 0..${ds.length - 1}`, "usage");
    const s = ds.get(i);
    const e = s.events;
    const ms = e.t.length ? (e.t[e.t.length - 1] - e.t[0]) / 1000 : 0;
    ctx.print(`${describeDataset(ds)}\n${provenanceLine(ds)}sample ${i}: label ${s.label} (${ds.classes[s.label] ?? "?"}), ${e.t.length} events over ${ms.toFixed(1)} ms\n`);
    if (o.plot !== false && e.t.length) {
      const { grid, opts } = sampleGrid(ds, s, o.bins ?? 50);
      ctx.display.plotly(eventFrame(grid, { ...opts, title: `${ds.name} sample ${i}: ${ds.classes[s.label] ?? s.label}` }));
    }
    return ds;
  },
});
