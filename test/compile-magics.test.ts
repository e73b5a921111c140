// %target and %compile: run() with a real display over a capturing sink, then through a real kernel.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDisplay, PLOTLY_MIME, type MimeBundle } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { compileMagic } from "../kernel/magics/compile.js";
import { targetMagic } from "../kernel/magics/target.js";
import type { MagicContext, MagicSpec } from "../kernel/magics/types.js";
import { graph, tensor } from "../lib/ir/builders.js";
import { genericMesh, getTarget } from "../lib/target/index.js";
import type { Program } from "../lib/compiler/index.js";
import { type Msg, TestKernel } from "./kernel-client.js";

function fakeContext(vars: Record<string, unknown> = {}, cwd = process.cwd()) {
  const shown: MimeBundle[] = [];
  let printed = "";
  const ctx: MagicContext = {
    display: createDisplay({ display: (b) => shown.push(b), update: () => {}, clear: () => {} }),
    cwd, signal: new AbortController().signal,
    setVariable: (n, v) => (vars[n] = v), getVariable: (n) => vars[n],
    page: () => {}, print: (t) => (printed += t), magics: () => [],
  };
  return { ctx, shown, printed: () => printed };
}
const run = (m: MagicSpec, line: string, ctx: MagicContext, body?: string) => m.run({ ...parseArgs(m, line, body !== undefined), line, body }, ctx);
const net = () => graph().input("in", 16).affine("fc", tensor(Array.from({ length: 600 * 16 }, (_, k) => ((k * 7) % 5) / 5 - 0.3), [600, 16]), 0).lif("hid", { tau: 2e-2 }).output("y").build();

describe("%target", () => {
  test("list tabulates every preset; show tabulates constants with source and kind and returns the Target", async () => {
    const f = fakeContext();
    await run(targetMagic, "list", f.ctx);
    expect(String(f.shown[0]["text/plain"])).toMatch(/loihi2\s+128/);
    const t = await run(targetMagic, "show spinnaker2", f.ctx);
    expect(t).toEqual(getTarget("spinnaker2"));
    expect(f.printed()).toMatch(/^spinnaker2: .*\n152 cores/);
    expect(String(f.shown[1]["text/plain"])).toMatch(/energy\.synOp/);
  });
  test("define from a TS object in a variable, from a JSON cell body, and from a JSON file; redefining replaces", async () => {
    const f = fakeContext({ chip: genericMesh({ name: "magic-chip", width: 2, height: 2 }) });
    expect(await run(targetMagic, "define chip", f.ctx)).toMatchObject({ name: "magic-chip", cores: 4 });
    expect(getTarget("magic-chip").cores).toBe(4);
    await run(targetMagic, "define", f.ctx, JSON.stringify(genericMesh({ name: "magic-chip", width: 3, height: 3 })));
    expect(getTarget("magic-chip").cores).toBe(9);
    const dir = mkdtempSync(join(tmpdir(), "phasor-target-"));
    writeFileSync(join(dir, "t.json"), JSON.stringify(genericMesh({ name: "file-chip" })));
    expect(await run(targetMagic, "define t.json", fakeContext({}, dir).ctx)).toMatchObject({ name: "file-chip" });
    expect(() => run(targetMagic, "define nothing", f.ctx)).toThrow(/no variable "nothing"/);
    expect(() => run(targetMagic, "define", f.ctx, JSON.stringify({ ...genericMesh(), name: "loihi" }))).toThrow(/"loihi" is a preset/);
    expect(() => run(targetMagic, "define bad", fakeContext({ bad: { name: "x" } }).ctx)).toThrow(/target\.mesh: is required/);
  });
});

describe("%compile", () => {
  test("compiles a Graph held in a variable: report tables, caveats, a mesh heatmap, and the Program", async () => {
    const f = fakeContext({ net: net() });
    const p = (await run(compileMagic, "net --target spinnaker2", f.ctx)) as Program;
    expect(p.report.coresUsed).toBe(3);
    expect(f.printed()).toMatch(/^spinnaker2: 3 of 152 cores/);
    expect(String(f.shown[0]["text/plain"])).toMatch(/hid\s+LIF\s+chip\s+600\s+3/);
    expect(String(f.shown[1]["text/plain"])).toMatch(/core\s+x,y\s+layer/);
    const fig = f.shown.find((b) => b[PLOTLY_MIME]) as MimeBundle;
    expect(String(fig["text/plain"])).toMatch(/^mesh: 3 of 152 cores used on spinnaker2/);
  });
  test("a missing or non-Graph variable is a usage error; --quiet shows nothing", async () => {
    const f = fakeContext({ n: 3, net: net() });
    await expect(run(compileMagic, "missing", f.ctx)).rejects.toThrow(/no variable "missing"/);
    await expect(run(compileMagic, "n", f.ctx)).rejects.toThrow(/"n" is not a Graph/);
    await run(compileMagic, "net -q", f.ctx);
    expect(f.shown).toHaveLength(0);
  });
});

describe("%target and %compile in a real kernel", () => {
  let k: TestKernel;
  beforeAll(async () => (k = await TestKernel.start()));
  afterAll(async () => k?.close());
  const types = (out: Msg[]) => out.map((m) => m.header.msg_type);
  test("a Graph built in one cell compiles in the next, the Program bound with --as", async () => {
    const a = await k.execute("const net = phasor.graph().input('in', 4).affine('fc', phasor.tensor(new Array(40).fill(0.5), [10, 4]), 0).lif('hid', { tau: 0.02 }).output('y').build();");
    expect(a.reply.content.status).toBe("ok");
    const b = await k.execute("%compile net --target loihi --as prog\nprog.report.coresUsed", {}, 60_000);
    expect(b.reply.content.status).toBe("ok");
    expect(b.out.filter((m) => m.header.msg_type === "display_data").some((m) => PLOTLY_MIME in (m.content.data as object))).toBe(true);
    expect(b.out.find((m) => m.header.msg_type === "execute_result")?.content.data).toEqual({ "text/plain": "1" });
    const c = await k.execute("%target show loihi --as lt\nlt.energy.synOp.value");
    expect(c.out.find((m) => m.header.msg_type === "execute_result")?.content.data).toEqual({ "text/plain": "23.6" });
    const d = await k.execute("%compile nope");
    expect(d.reply.content.status).toBe("error");
    expect(String(d.reply.content.evalue)).toMatch(/no variable "nope"/);
    expect(types(d.out)).toContain("error");
  }, 120_000);
});
