// `phasor compile` as a script uses it: writes PROGRAM.json + .bin, prints the report, fails cleanly. Needs `npm run build`.
import { describe, expect, test } from "vitest";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { haveNirPaper, nirPaper, runPhasor } from "./support.js";

describe.skipIf(!haveNirPaper())("phasor compile", () => {
  test("Braille to xylo-audio2 with --out and --report", () => {
    const dir = mkdtempSync(join(tmpdir(), "phasor-cli-"));
    const r = runPhasor(["compile", resolve(nirPaper, "braille_noDelay_noBias_subtract.nir"), "--target", "xylo-audio2", "--convention", "snntorch", "--reset", "subtract", "--out", join(dir, "p.json"), "--report"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lif1\.lif\s+CubaLIF\s+chip\s+40/);
    expect(existsSync(join(dir, "p.json")) && existsSync(join(dir, "p.bin"))).toBe(true);
  });
  test("cnn_sinabs to xylo-audio2 fails without a stack trace, naming the numbers; --json prints the report", () => {
    const r = runPhasor(["compile", resolve(nirPaper, "cnn_sinabs.nir"), "--target", "xylo-audio2", "--convention", "sinabs"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/input needs 2312 input channels; xylo-audio2 allows 16 inputs/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = runPhasor(["compile", resolve(nirPaper, "cnn_sinabs.nir"), "--target", "speck", "--convention", "sinabs", "--reset", "subtract", "--json"]);
    expect(j.status).toBe(0);
    expect(JSON.parse(j.stdout).report.coresUsed).toBe(5);
  });
});
