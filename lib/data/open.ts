/**
 * Opening a dataset from one string, as magics and scripts name it: a known name (shd, ssc,
 * nmnist, dvsgesture; found under PHASOR_DATA), an SHD-layout .h5 file, or a folder that holds
 * one of the known layouts. Also a one-line summary of a dataset.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { PhasorError } from "../ir/errors.js";
import { readDvsGesture } from "./dvsgesture.js";
import type { EventDataset } from "./events.js";
import { readNmnist } from "./nmnist.js";
import { readHeidelbergFile, readShd, readSsc } from "./shd.js";

/** Dataset names `openDataset` knows. */
export const DATASET_NAMES = ["shd", "ssc", "nmnist", "dvsgesture"] as const;

/** Which split to open (each reader accepts the ones its dataset has). */
export type Split = "train" | "test" | "valid";

const twoSplits = (s: Split): "train" | "test" => (s === "valid" ? "test" : s);

/** Opens `spec`: a dataset name, a .h5 file in SHD's layout, or a dataset folder; relative paths resolve against `cwd`. */
export async function openDataset(spec: string, split: Split = "train", cwd = process.cwd()): Promise<EventDataset> {
  const name = spec.toLowerCase();
  if (name === "shd") return readShd({ split });
  if (name === "ssc") return readSsc({ split });
  if (name === "nmnist") return readNmnist({ split: twoSplits(split) });
  if (name === "dvsgesture") return readDvsGesture({ split: twoSplits(split) });
  const path = resolve(cwd, spec);
  if (!existsSync(path)) throw new PhasorError([{ code: "dataset-missing", path: [spec], message: `no such file or folder, and not a dataset name (${DATASET_NAMES.join(", ")}; those are looked up under $PHASOR_DATA)` }]);
  if (statSync(path).isFile()) {
    if (path.endsWith(".h5")) return readHeidelbergFile(path, "SHD-layout file");
    throw new PhasorError([{ code: "bad-dataset", path: [spec], message: "a dataset file must be an .h5 file in SHD's layout (spikes/times, spikes/units, labels); pass a folder for N-MNIST or DVS Gesture" }]);
  }
  if (existsSync(join(path, "shd_train.h5"))) return readShd({ path, split });
  if (existsSync(join(path, "ssc_train.h5"))) return readSsc({ path, split });
  if (existsSync(join(path, "Train")) || existsSync(join(path, "Test"))) return readNmnist({ path, split: twoSplits(split) });
  if (existsSync(join(path, "trials_to_train.txt"))) return readDvsGesture({ path, split: twoSplits(split) });
  throw new PhasorError([{ code: "bad-dataset", path: [spec], message: "folder holds no known dataset layout: expected shd_*.h5, ssc_*.h5, N-MNIST's Train/ and Test/, or DVS Gesture's trials_to_train.txt" }]);
}

/** True for a value shaped like an EventDataset (e.g. a cell variable). */
export function isEventDataset(v: unknown): v is EventDataset {
  if (typeof v !== "object" || v === null) return false;
  const d = v as Partial<Record<keyof EventDataset, unknown>>;
  return typeof d.get === "function" && typeof d.length === "number" && Array.isArray(d.sensorSize) && Array.isArray(d.classes);
}

/** One line: name, samples, classes, sensor size. */
export function describeDataset(ds: EventDataset): string {
  const [w, h, p] = ds.sensorSize;
  return `${ds.name}: ${ds.length} samples, ${ds.classes.length} classes, sensor ${w} x ${h} x ${p} (${w * h * p} inputs)`;
}
