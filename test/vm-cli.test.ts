// `phasor run`: the contract of DESIGN.md. OUT.json holds spikes {NODE: [[step, index]]},
// counters and energy; vm and vm:cycle agree; remote:// and bad input are refused cleanly.
import { describe, expect, test, beforeAll } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { haveNirPaper, nirPaper, runPhasor } from "./support.js";
import { randomSpikes } from "./vm-networks.js";

const dir = mkdtempSync(join(tmpdir(), "phasor-run-"));
const prog = join(dir, "braille.json"), input = join(dir, "in.csv");

describe.skipIf(!haveNirPaper())("phasor run", () => {
  beforeAll(() => {
    const x = randomSpikes([12], 50, 0.3, 9);
    const rows = Array.from({ length: 50 }, (_, t) => Array.from(x.data.subarray(t * 12, t * 12 + 12)).join(","));
    writeFileSync(input, rows.join("\n") + "\n");
    const c = runPhasor(["compile", resolve(nirPaper, "braille_noDelay_bias_zero.nir"), "--target", "generic-mesh", "--convention", "snntorch", "--out", prog]);
    expect(c.stderr).toBe("");
    expect(c.status).toBe(0);
  });

  test("vm and vm:cycle write OUT.json with identical spikes, counters and energy", () => {
    const outs = ["vm", "vm:cycle"].map((runner) => {
      const out = join(dir, `${runner.replace(":", "-")}.json`);
      const r = runPhasor(["run", prog, "--input", input, "--runner", runner, "--out", out]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/lif2: \d+ spikes/);
      return JSON.parse(readFileSync(out, "utf8"));
    });
    expect(outs[0].spikes.lif2.length).toBeGreaterThan(0);
    expect(outs[0].spikes.lif2[0]).toHaveLength(2);
    expect(outs[1].spikes).toEqual(outs[0].spikes);
    expect(outs[1].counters).toEqual(outs[0].counters);
    expect(outs[0].energy.constants["energy.synOp"].source).toMatch(/Davies/);
    expect(outs[1].cycles.totalCycles).toBeGreaterThan(0);
  });

  test("remote:// without --keys is refused with a message naming --keys; so are a bad runner and a missing input", () => {
    const remote = runPhasor(["run", prog, "--input", input, "--runner", "remote://localhost:5555"]);
    expect(remote.status).toBe(1);
    expect(remote.stderr).toMatch(/--keys DIR/);
    expect(remote.stderr).not.toMatch(/at .*\.js/);
    expect(runPhasor(["run", prog, "--input", input, "--runner", "fpga"]).stderr).toMatch(/unknown runner "fpga"/);
    expect(runPhasor(["run", prog]).stderr).toMatch(/give --input IN/);
    expect(runPhasor(["run", join(dir, "nope.json"), "--input", input]).stderr).toMatch(/no such program file/);
  });
});
