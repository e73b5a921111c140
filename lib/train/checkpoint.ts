/**
 * Checkpoints: one JSON file (config, weights, optimiser state, epoch, history) written
 * atomically: to a temporary file in the same folder, fsync'd, then renamed over the old
 * one, so a crash or kill mid-write leaves the previous checkpoint intact.
 */
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { PhasorError } from "../ir/errors.js";
import { checkWritable, fileError, fsReason } from "../ir/io/files.js";
import type { ModelConfig } from "./config.js";
import type { WeightMap } from "./model.js";

/** Format version of checkpoint files. */
export const CHECKPOINT_VERSION = 1;

/** One epoch's numbers. */
export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  seconds: number;
}

/** Everything needed to resume training. */
export interface Checkpoint {
  version: number;
  config: ModelConfig;
  weights: WeightMap;
  /** Optimiser slots in the optimiser's own order (e.g. Adam's moments). */
  optimizer: { name: string; weights: WeightMap };
  /** Epochs completed. */
  epoch: number;
  history: EpochLog[];
  seed: number;
  backend: string;
}

interface Packed { shape: number[]; base64: string }

function pack(w: WeightMap): Record<string, Packed> {
  const out: Record<string, Packed> = {};
  for (const [k, v] of Object.entries(w)) out[k] = { shape: v.shape, base64: Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).toString("base64") };
  return out;
}

function unpack(p: Record<string, Packed>, file: string): WeightMap {
  const out: WeightMap = {};
  for (const [k, v] of Object.entries(p)) {
    const b = Buffer.from(v.base64, "base64");
    const n = v.shape.reduce((a, c) => a * c, 1);
    if (b.length !== n * 4) throw new PhasorError([{ code: "bad-checkpoint", path: [file, k], message: `holds ${b.length} bytes; shape [${v.shape}] needs ${n * 4}` }]);
    out[k] = { shape: v.shape, data: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)) };
  }
  return out;
}

/** Writes a checkpoint atomically (temp file, fsync, rename, fsync of the folder); an unwritable path is a PhasorError. */
export function saveCheckpoint(path: string, c: Checkpoint): void {
  removeOrphans(path);
  try {
    writeAtomically(path, c);
  } catch (e) {
    if (fsReason(e)) checkWritable(path, "checkpoint"); // names the checkpoint (and why), not its temporary file
    throw fileError(e, "checkpoint") ?? e;
  }
}

function writeAtomically(path: string, c: Checkpoint): void {
  const text = JSON.stringify({ ...c, weights: pack(c.weights), optimizer: { name: c.optimizer.name, weights: pack(c.optimizer.weights) } });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = openSync(dirname(path), "r");
    fsyncSync(dfd);
    closeSync(dfd);
  } catch { /* some filesystems refuse fsync on folders; the rename is still atomic */ }
}

/** Reads a checkpoint, with a clear error for a missing, foreign or damaged file. */
export function loadCheckpoint(path: string): Checkpoint {
  removeOrphans(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new PhasorError([{ code: "bad-checkpoint", path: [path], message: `cannot read checkpoint: ${fsReason(e) ?? (e as Error).message}` }]);
  }
  const c = raw as Checkpoint & { weights: Record<string, Packed>; optimizer: { name: string; weights: Record<string, Packed> } };
  if (typeof c !== "object" || c === null || c.version !== CHECKPOINT_VERSION || !c.config || !c.weights) {
    throw new PhasorError([{ code: "bad-checkpoint", path: [path], message: `not a Phasor checkpoint (version ${CHECKPOINT_VERSION})` }]);
  }
  return { ...c, weights: unpack(c.weights, path), optimizer: { name: c.optimizer.name, weights: unpack(c.optimizer.weights, path) } };
}

/** Removes temporary files that interrupted writes of `path` left (`.NAME.PID.tmp` of a process that is gone); never throws. */
export function removeOrphans(path: string): string[] {
  const dir = dirname(path), prefix = `.${basename(path)}.`, removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    const pid = n.startsWith(prefix) && n.endsWith(".tmp") ? n.slice(prefix.length, -4) : "";
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid || alive(Number(pid))) continue;
    try {
      rmSync(join(dir, n), { force: true });
      removed.push(n);
    } catch { /* another process removed it, or the folder is read-only */ }
  }
  return removed;
}

/** Whether a process exists (a pid reused by another process counts as alive: its file is kept). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
