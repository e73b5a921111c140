/**
 * A packed event dataset (phasor data pack) as the inputs of a batch run: sample k of a split
 * becomes NAME-k.npy, its events framed into the Program's steps (one window of the Program's
 * dt per step, from t = 0, counts clipped to spikes as %train frames them), and its label the
 * batch's label for that name.
 */
import { basename, extname } from "node:path";
import { PhasorError } from "../ir/errors.js";
import { numel } from "../ir/graph.js";
import { formatNpy } from "../ir/io/index.js";
import type { Program } from "../compiler/program.js";
import { openPacked } from "../data/pack-read.js";
import { toFrame } from "../data/transforms.js";

/** The batch's virtual input files, how to read each, and the labels by name. */
export interface PackedInputs {
  files: string[];
  read(file: string): Uint8Array;
  labels: Map<string, number>;
}

/** Frames each sample of `path` (a split, or all) for `p`'s input layer; `steps` fixes T (default: each sample's own length). */
export async function packedInputs(path: string, p: Program, o: { split?: string; steps?: number } = {}): Promise<PackedInputs> {
  const ds = await openPacked(path, o.split);
  const inputs = p.layers.filter((l) => l.kind === "input");
  if (inputs.length !== 1)
    throw new PhasorError(`a batch over a packed dataset needs a program with one input layer; it has ${inputs.length}`, "inputs");
  const [W, H, P] = ds.sensorSize, shape = inputs[0].shape;
  if (numel(shape) !== W * H * P)
    throw new PhasorError([{ code: "bad-shape", path: ["--inputs"], message: `${path}: samples of sensor ${W} x ${H} x ${P} (${W * H * P} inputs) do not fit input layer "${inputs[0].name}" of shape [${shape}]` }]);
  const dtUs = p.options.dt * 1e6, stemOf = basename(path, extname(path)), width = String(ds.length).length;
  const name = (k: number) => `${stemOf}-${String(k).padStart(width, "0")}.npy`;
  const files = Array.from({ length: ds.length }, (_, k) => name(k)), index = new Map(files.map((f, k) => [f, k]));
  const labels = new Map<string, number>();
  for (let k = 0; k < ds.length; k++) labels.set(basename(files[k], ".npy"), ds.get(k).label);
  return {
    files, labels,
    read(file) {
      const k = index.get(basename(file));
      if (k === undefined) throw new PhasorError(`${file} is not a sample of ${path}`, "internal");
      const s = ds.get(k), last = s.events.t.length ? s.events.t[s.events.t.length - 1] : 0;
      const T = o.steps ?? Math.max(1, Math.floor(last / dtUs) + 1);
      const f = toFrame(s.events, ds.sensorSize, { time_window: dtUs, start_time: 0, end_time: dtUs * (T + 0.5) }, true);
      const data = new Float64Array(T * W * H * P);
      data.set(f.data.subarray(0, Math.min(T, f.frames) * W * H * P));
      return formatNpy({ shape: [T, ...shape], data });
    },
  };
}
