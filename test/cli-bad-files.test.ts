// Bad NIR files at the command line, one test each: every problem is listed with node and field,
// the exit status is non-zero and no stack trace is printed. The files are made from a valid one
// written by Phasor, then damaged with h5py (Debian python3-h5py), as a broken exporter would.
// Files and options the commands are given (missing, a folder, unwritable, a missing option)
// likewise get one clear line each.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { graph } from "../lib/ir/builders.js";
import { writeNir } from "../lib/ir/nir/index.js";
import { haveNirPaper, havePython, nirPaper, python, runPhasor } from "./support.js";

const hasH5py = havePython("h5py", "python3-h5py");
const dir = mkdtempSync(join(tmpdir(), "phasor-bad-"));
const good = join(dir, "good.nir");

function damaged(name: string, edit: string): string {
  const out = join(dir, name);
  python(`import h5py, shutil, sys\nshutil.copy(sys.argv[1], sys.argv[2])\nf = h5py.File(sys.argv[2], "r+")\nn = f["node/nodes"]\n${edit}\nf.close()`, [good, out]);
  return out;
}

function expectUserError(file: string, ...patterns: RegExp[]) {
  expectRefused(["nir", "info", file], ...patterns);
}

/** The command exits 1 with one clear line per pattern on stderr and no stack trace. */
function expectRefused(args: string[], ...patterns: RegExp[]) {
  const r = runPhasor(args);
  expect(r.status, r.stderr).toBe(1);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
  expect(r.stderr).not.toContain("    at ");
  expect(r.stderr).not.toMatch(/ENOENT|EISDIR|EACCES/);
  return r;
}

describe("files and options on the command line", () => {
  const work = mkdtempSync(join(tmpdir(), "phasor-files-"));
  const nir = join(work, "net.nir"), csv = join(work, "in.csv"), folder = join(work, "folder.csv");
  beforeAll(async () => {
    await writeNir(graph().input("in", [1]).linear("fc", [[2]]).lif("lif", { tau: 0.01 }).output("out").build(), nir);
    writeFileSync(csv, "0\n1\n");
    mkdirSync(folder);
  });
  const sim = (...more: string[]) => ["simulate", nir, "--input", csv, ...more];

  it("an --input that does not exist, or is a folder, is named", () => {
    expectRefused(["simulate", nir, "--input", "nope.csv"], /^phasor: error: --input: nope\.csv does not exist; check the name/);
    expectRefused(["simulate", nir, "--input", work], /--input: .* is a folder; give a file name/);
  });
  it("an --out in a folder that does not exist, or that is a folder, is refused before the run", () => {
    const r = expectRefused(sim("--out", "/no/such/dir/x.csv"), /--out: cannot write \/no\/such\/dir\/x\.csv: folder \/no\/such\/dir does not exist; create it first/);
    expect(r.stdout).toBe("");
    expectRefused(sim("--out", folder), /--out: cannot write .*folder\.csv: it is a folder/);
    expectRefused(["compile", nir, "--target", "generic-mesh", "--out", "/no/such/dir/p.json"], /--out: cannot write \/no\/such\/dir\/p\.json: folder/);
  });
  it("a file the system refuses to create is reported without Node's error text", () => {
    expectRefused(sim("--out", "/proc/phasor-test.csv"), /^phasor: error: .*\/proc(\/phasor-test\.csv)?/);
  });
  it("a --target file or a NIR file that is missing or a folder is named", () => {
    expectRefused(["compile", nir, "--target", join(work, "nope.json")], /--target: .*nope\.json does not exist/);
    expectRefused(["nir", "info", work], /cannot read NIR file: is a directory/);
    expectRefused(["nir", "info", join(work, "nope.nir")], /nope\.nir: cannot read NIR file: no such file/);
  });
  it("a malformed input row names the file and its line", () => {
    const bad = join(work, "bad.csv");
    writeFileSync(bad, "0\n1,2\n");
    expectRefused(["simulate", nir, "--input", bad], /bad\.csv line 2: has 2 columns, expected 1/);
  });
  it("a missing required option is one line naming it, not the whole help", () => {
    const r = expectRefused(["simulate", nir], /^phasor simulate: error: required option '--input <file>' not specified \(see phasor simulate --help\)\n$/);
    expect(r.stderr).not.toContain("Options:");
    expectRefused(["compile", nir], /^phasor compile: error: required option '--target <target>' not specified \(see phasor compile --help\)\n$/);
  });
});

describe.skipIf(!hasH5py)("damaged NIR files", () => {
  beforeAll(async () => {
    const g = graph().input("in", [3]).affine("fc1", [[1, 0, 0], [0, 1, 0]], [0, 0]).lif("lif1", { tau: 0.01 }).linear("fc2", [[1, 1]]).output("out").build();
    await writeNir(g, good);
  });

  it("an unknown node type names the node and the known types", () => {
    expectUserError(damaged("unknown.nir", `del n["lif1/type"]\nn["lif1"].create_dataset("type", data="Banana")`), /lif1\.type: unknown node type "Banana"; NIR types are .*LIF/);
  });

  it("missing parameters are all listed, each with its node and field", () => {
    expectUserError(damaged("missing.nir", `del n["lif1/tau"]\ndel n["fc1/bias"]`), /2 problems/, /fc1\.bias/, /lif1\.tau/);
  });

  it("mismatched shapes name the edge and both shapes", () => {
    expectUserError(damaged("shapes.nir", `del n["fc2/weight"]\nn.create_dataset("fc2/weight", data=[[1.0, 1.0, 1.0]])`), /fc2: edge lif1 -> fc2: input has 2 elements \[2\] but weight expects 3/);
  });

  it("an edge to a missing node lists the nodes that exist", () => {
    expectUserError(damaged("dangling.nir", `e = [[a.decode(), b.decode()] for a, b in f["node/edges"][()]]\ne.append(["lif1", "ghost"])\ndel f["node/edges"]\nf["node"].create_dataset("edges", data=e, dtype=h5py.string_dtype())`), /destination "ghost" does not exist; nodes that exist: .*fc1/);
  });

  it("an algebraic loop with no stateful node is refused", () => {
    expectUserError(damaged("loop.nir", `e = [[a.decode(), b.decode()] for a, b in f["node/edges"][()]]\ne.append(["fc2", "fc2"])\ndel f["node/edges"]\nf["node"].create_dataset("edges", data=e, dtype=h5py.string_dtype())\ndel n["fc2/weight"]\nn.create_dataset("fc2/weight", data=[[1.0, 1.0], [1.0, 1.0]])\ndel n["out/shape"]\nn.create_dataset("out/shape", data=[2])`), /loop fc2 -> fc2 has no stateful node/);
  });
});

describe.skipIf(!haveNirPaper())("the NIR paper's well-formed files", () => {
  // Listed inside the test: the describe body runs at collection even when skipped.
  it("are six, and `phasor nir info --json` shows each one's nodes with types and shapes", () => {
    const files = readdirSync(nirPaper).filter((f) => f.endsWith(".nir") && !f.includes("subgraph"));
    expect(files).toHaveLength(6);
    for (const f of files) {
      const r = runPhasor(["nir", "info", resolve(nirPaper, f), "--json"]);
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
      const info = JSON.parse(r.stdout) as { nodes: { type: string; output_shape?: number[] }[] };
      expect(info.nodes.length).toBeGreaterThan(2);
      for (const n of info.nodes) expect(n.output_shape, `${f} ${n.type}`).toBeDefined();
    }
  });
});
