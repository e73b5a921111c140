// The command-line contract of DESIGN.md, run as a user runs it: `node bin/phasor.js ...`.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { haveNirPaper, nirPaper, runPhasor } from "./support.js";

const hasShared = haveNirPaper();
const dir = mkdtempSync(join(tmpdir(), "phasor-cli-"));

/** Reads the paper's lif_norse.csv: columns input, v, spike. */
function norseTrace() {
  const rows = readFileSync(resolve(nirPaper, "lif_norse.csv"), "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  return { input: rows.map((r) => r[0]), v: rows.map((r) => r[1]), spike: rows.map((r) => r[2]) };
}

function expectUserError(r: { status: number; stderr: string }, pattern: RegExp) {
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
}

describe.skipIf(!hasShared)("phasor simulate reproduces Norse on the NIR paper's LIF neuron", () => {
  const inCsv = join(dir, "in.csv");
  const outCsv = join(dir, "out.csv");
  beforeAll(() => writeFileSync(inCsv, norseTrace().input.join("\n") + "\n"));

  it("gives the same 4 spike steps and v within 1e-6", () => {
    const r = runPhasor(["simulate", resolve(nirPaper, "lif_norse.nir"), "--input", inCsv, "--dt", "1e-4", "--record", "1", "--out", outCsv]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const [header, ...lines] = readFileSync(outCsv, "utf8").trim().split("\n");
    const cols = header.split(",");
    expect(cols[0]).toBe("step");
    expect(cols).toContain("1.v");
    expect(cols).toContain("1.spike");
    const rows = lines.map((l) => l.split(",").map(Number));
    const v = rows.map((row) => row[cols.indexOf("1.v")]);
    const spikes = rows.flatMap((row, t) => (row[cols.indexOf("1.spike")] > 0 ? [t] : []));
    const ref = norseTrace();
    const refSpikes = ref.spike.flatMap((s, t) => (s > 0 ? [t] : []));
    expect(refSpikes).toHaveLength(4);
    expect(spikes).toEqual(refSpikes);
    expect(rows).toHaveLength(1000);
    const maxErr = Math.max(...v.map((x, t) => Math.abs(x - ref.v[t])));
    expect(maxErr).toBeLessThan(1e-6);
  });

  it("writes JSON with columns and spikes as [[step, index]]", () => {
    const outJson = join(dir, "out.json");
    const r = runPhasor(["simulate", resolve(nirPaper, "lif_norse.nir"), "--input", inCsv, "--record", "1", "--out", outJson]);
    expect(r.status).toBe(0);
    const j = JSON.parse(readFileSync(outJson, "utf8"));
    expect(j.spikes["1"]).toHaveLength(4);
    expect(j.spikes["1"][0]).toHaveLength(2);
    expect(j.columns["1.v"]).toHaveLength(1000);
  });

  it("refuses an input file of the wrong width, naming both widths", () => {
    const wide = join(dir, "wide.csv");
    writeFileSync(wide, "0,1\n1,0\n");
    expectUserError(runPhasor(["simulate", resolve(nirPaper, "lif_norse.nir"), "--input", wide]), /has 2 values per step .* Input node "input" has shape \[1\]/);
  });
});

describe.skipIf(!hasShared)("phasor nir info", () => {
  it("lists nodes with types and shapes", () => {
    const r = runPhasor(["nir", "info", resolve(nirPaper, "cnn_sinabs.nir")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^0\s+Conv2d\s+\[2, 34, 34\]\s+\[16, 16, 16\]/m);
    expect(r.stdout).toMatch(/^8\s+Flatten\s+\[8, 4, 4\]\s+\[128\]/m);
  });

  it("prints JSON for scripts", () => {
    const r = runPhasor(["nir", "info", resolve(nirPaper, "braille_noDelay_bias_zero.nir"), "--json"]);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    const lif1 = info.nodes.find((n: { name: string }) => n.name === "lif1.lif");
    expect(lif1).toMatchObject({ type: "CubaLIF", output_shape: [38] });
    expect(info.edges.length).toBeGreaterThan(4);
  });

  it("refuses the broken subgraph export, naming the nested graph, the edge and the nodes", () => {
    const r = runPhasor(["nir", "info", resolve(nirPaper, "braille_noDelay_bias_zero_subgraph.nir")]);
    expectUserError(r, /nested graph "lif1"/);
    expect(r.stderr).toMatch(/"lif" does not exist/);
    expect(r.stderr).toMatch(/nodes that exist: .*lif1/);
  });
});

describe("bad input at the command line", () => {
  it("a file that is not HDF5", () => {
    const f = join(dir, "not.nir");
    writeFileSync(f, "this is not an HDF5 file\n".repeat(20));
    expectUserError(runPhasor(["nir", "info", f]), /not an HDF5 file/i);
  });

  it.skipIf(!hasShared)("a truncated file", () => {
    const f = join(dir, "truncated.nir");
    const bytes = readFileSync(resolve(nirPaper, "cnn_sinabs.nir"));
    writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectUserError(runPhasor(["nir", "info", f]), /truncated/i);
  });

  it("a missing file", () => {
    expectUserError(runPhasor(["nir", "info", join(dir, "nope.nir")]), /nope\.nir/);
  });

  it("an unknown option shows usage", () => {
    const r = runPhasor(["simulate", "x.nir", "--input", "a.csv", "--bogus"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });

  it("a bad choice names the choices", () => {
    const r = runPhasor(["simulate", "x.nir", "--input", "a.csv", "--integrator", "rk4"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Allowed choices are euler, exact/);
  });
});
