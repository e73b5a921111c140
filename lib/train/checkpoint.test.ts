// Checkpoint files: temporary files left by writes that a kill interrupted are removed on the
// next save or load; a live process's temporary file and unrelated files are left alone.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CHECKPOINT_VERSION, loadCheckpoint, saveCheckpoint, type Checkpoint } from "./checkpoint.js";

/** A pid no process can have: above the kernel's limit. */
const deadPid = (existsSync("/proc/sys/kernel/pid_max") ? Number(readFileSync("/proc/sys/kernel/pid_max", "utf8")) : 4_194_304) + 17;

function checkpoint(epoch: number): Checkpoint {
  const w = { w: { shape: [2], data: new Float32Array([1, 2]) } };
  return { version: CHECKPOINT_VERSION, config: { layers: [] } as unknown as Checkpoint["config"], weights: w, optimizer: { name: "adam", weights: w }, epoch, history: [], seed: 1, backend: "cpu" };
}

describe("orphan temporary files", () => {
  test.each(["save", "load"])("are removed on the next %s; live and unrelated files stay", (when) => {
    const dir = mkdtempSync(join(tmpdir(), "phasor-ckpt-"));
    const path = join(dir, "model.json");
    saveCheckpoint(path, checkpoint(1));
    const orphans = [`.model.json.${deadPid}.tmp`, `.model.json.${deadPid + 1}.tmp`];
    const keep = [`.model.json.${process.ppid}.tmp`, `.other.json.${deadPid}.tmp`, `.model.json.x${deadPid}.tmp`, "model.json.tmp"];
    for (const f of [...orphans, ...keep]) writeFileSync(join(dir, f), "{ partial");
    if (when === "save") saveCheckpoint(path, checkpoint(2));
    else expect(loadCheckpoint(path).epoch).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([...keep, "model.json"].sort());
    expect(loadCheckpoint(path).epoch).toBe(when === "save" ? 2 : 1);
  });

  test("a missing folder is not an error for the cleanup (load still says the checkpoint is missing)", () => {
    expect(() => loadCheckpoint(join(tmpdir(), "no-such-dir-phasor", "m.json"))).toThrow(/cannot read checkpoint/);
  });
});
