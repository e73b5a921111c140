// A NIR file whose Input and Output have a negative or zero-size shape is refused by every
// entry point (API, phasor nir info / simulate / compile, the %nir magic, the graph builder)
// with one clear line naming the node, never printed as a valid graph. The file is made
// from a valid one written by Phasor, its int64 shape value patched in place.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createDisplay } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { nirMagic } from "../kernel/magics/nir.js";
import type { MagicContext } from "../kernel/magics/types.js";
import { graph } from "../lib/ir/builders.js";
import { readNir, writeNir } from "../lib/ir/nir/index.js";
import { runPhasor } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "phasor-shape-"));
const MARK = 12345n;

/** in[12345] -> out, with every int64 12345 in the file replaced by `dim`. */
async function file(dim: bigint): Promise<string> {
  const bytes = Buffer.from(await writeNir(graph().input("in", [Number(MARK)]).output("o").build()));
  const from = Buffer.alloc(8), to = Buffer.alloc(8);
  from.writeBigInt64LE(MARK);
  to.writeBigInt64LE(dim);
  let n = 0;
  for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 8), n++) to.copy(bytes, i);
  expect(n).toBe(2); // Input.shape and Output.shape
  const path = join(dir, `shape${dim}.nir`);
  writeFileSync(path, bytes);
  return path;
}

const refusal = (dim: bigint) => new RegExp(`Input shape \\[${dim}\\] needs dimensions >= 1`);

describe.each([-4n, 0n])("a NIR file with shape [%s]", (dim) => {
  test("readNir (the API) throws a PhasorError naming the node", async () => {
    await expect(readNir(await file(dim))).rejects.toMatchObject({ name: "PhasorError", message: expect.stringMatching(refusal(dim)) });
  });

  test.each(["nir info", "simulate", "compile"])("phasor %s refuses it with one line and exit 1", async (cmd) => {
    const path = await file(dim), input = join(dir, "in.csv");
    writeFileSync(input, "1\n0\n");
    const extra = cmd === "simulate" ? ["--input", input] : cmd === "compile" ? ["--target", "generic-mesh"] : [];
    const r = runPhasor([...cmd.split(" "), path, ...extra]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(refusal(dim));
    expect(r.stderr).not.toContain("    at ");
    expect(r.stdout).toBe("");
  });

  test("%nir load refuses it", async () => {
    const path = await file(dim);
    const ctx: MagicContext = {
      display: createDisplay({ display: () => {}, update: () => {}, clear: () => {} }), cwd: dir, signal: new AbortController().signal,
      setVariable: () => {}, getVariable: () => undefined, page: () => {}, print: () => {}, magics: () => [],
    };
    const line = `load ${path}`;
    await expect(nirMagic.run({ ...parseArgs(nirMagic, line, false), line }, ctx)).rejects.toMatchObject({ message: expect.stringMatching(refusal(dim)) });
  });

  test("the graph builder refuses the same shape", () => {
    expect(() => graph().input("in", [Number(dim)]).output("o").build()).toThrow(refusal(dim));
  });
});
