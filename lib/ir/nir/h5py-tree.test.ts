// A file written by Phasor has the same HDF5 tree as the NIR reference library writes:
// group names, dataset names, dtypes, shapes and string types (vlen, charset, padding),
// as Debian's h5py sees them.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { haveNirPaper, need, nirPaper, python, systemPython } from "../../../test/support.js";
import { spawnSync } from "node:child_process";
import { readNir, writeNir } from "./index.js";

const WELL_FORMED = [
  "braille_noDelay_bias_zero.nir", "braille_noDelay_noBias_subtract.nir", "cnn_sinabs.nir",
  "lif_norse.nir", "lif_rockpool.nir", "two_lif_neurons.nir",
];

/** Prints, per file, {path: ["group"] | ["dataset", dtype, shape, [vlen, cset, strpad] | null]}. */
const TREE_PY = `
import h5py, json, sys
def tree(fn):
    out = {}
    with h5py.File(fn, "r") as f:
        out["/libver"] = list(f.libver)
        def visit(name, o):
            if isinstance(o, h5py.Group):
                out[name] = ["group"]
                return
            t = o.id.get_type()
            s = [bool(t.is_variable_str()), t.get_cset(), t.get_strpad()] if isinstance(t, h5py.h5t.TypeStringID) else None
            out[name] = ["dataset", o.dtype.str, list(o.shape), s]
        f.visititems(visit)
    return out
print(json.dumps([tree(fn) for fn in sys.argv[1:]]))
`;

function haveH5py(): boolean {
  const ok = existsSync(systemPython) && spawnSync(systemPython, ["-c", "import h5py"], { stdio: "ignore" }).status === 0;
  return need(`h5py for ${systemPython}`, ok, "install Debian package python3-h5py");
}

const dir = mkdtempSync(join(tmpdir(), "phasor-h5py-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("NIR files written by Phasor, seen by h5py", () => {
  it.runIf(haveH5py() && haveNirPaper())("have the reference-written tree of groups, datasets, dtypes and shapes", async () => {
    const pairs: string[] = [];
    for (const f of WELL_FORMED) {
      const out = join(dir, f);
      await writeNir(await readNir(resolve(nirPaper, f)), out);
      pairs.push(resolve(nirPaper, f), out);
    }
    const trees = JSON.parse(python(TREE_PY, pairs)) as Record<string, unknown>[];
    for (let i = 0; i < WELL_FORMED.length; i++) {
      const [reference, phasor] = [trees[2 * i], trees[2 * i + 1]];
      expect(phasor, WELL_FORMED[i]).toEqual(reference);
      // Strings are vlen UTF-8 null-terminated, as h5py.string_dtype() writes them.
      expect(reference["node/type"], WELL_FORMED[i]).toEqual(["dataset", "|O", [], [true, 1, 0]]);
    }
  });

  it.runIf(haveH5py())("reads int64 fields, float32/float64 tensors and nested graphs as the reference reader expects", async () => {
    const { graph, tensor } = await import("../builders.js");
    const layer = graph().input("input", [2]).lif("lif", { tau: 0.01, v_threshold: 1 }).linear("w", tensor([0, 1, 1, 0], [2, 2], "float32"))
      .connect("w", "lif").output("output", { from: "lif" }).build();
    const g = graph().input("in", [2]).build();
    g.nodes.rec = layer;
    g.nodes.out = { type: "Output", shape: [2] };
    g.edges.push({ src: "in", dst: "rec" }, { src: "rec", dst: "out" });
    const path = join(dir, "nested.nir");
    await writeNir(g, path);
    const code = `
import h5py, sys
f = h5py.File(sys.argv[1], "r")
n = f["node/nodes/rec"]
print(n["type"][()].decode(), n["nodes/input/shape"].dtype, n["nodes/lif/tau"].dtype, n["nodes/w/weight"].dtype)
print([(a.decode(), b.decode()) for a, b in n["edges"][()]])
`;
    const lines = python(code, [path]).trim().split("\n");
    expect(lines[0]).toBe("NIRGraph int64 float64 float32");
    expect(lines[1]).toContain("('w', 'lif')");
  });
});
