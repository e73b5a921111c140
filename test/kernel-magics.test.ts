/**
 * Magics: the source transform (one line in, one line out), the commander-based argument
 * parser with generated help, and the runtime in a real kernel (--as, %%time keeping
 * variables, %timeit, %name?, %lsmagic).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helpText, parseArgs, splitCodeMagic, tokenize } from "../kernel/magics/args.js";
import { MAGICS } from "../kernel/magics/index.js";
import { takeAs, transformCell } from "../kernel/magics/transform.js";
import { type Msg, TestKernel } from "./kernel-client.js";

const timeit = MAGICS.find((m) => m.name === "timeit")!;
const shapeOf = (name: string) => (name === "time" ? { code: true, inlineCell: true } : name === "timeit" ? { code: true, inlineCell: false } : name === "nir" ? { code: false, inlineCell: false } : undefined);
const split = (name: string, text: string) => splitCodeMagic(MAGICS.find((m) => m.name === name)!, text);
const isExpr = (s: string) => !/^(const|let|var)\s/.test(s);
const t = (code: string) => transformCell(code, shapeOf, split, isExpr);

describe("magic source transform", () => {
  it("rewrites line magics in place, one line each, and binds --as to a real variable", () => {
    const out = t("const a = 1;\n%nir load net.nir --as net\nnet.nodes");
    expect(out.split("\n")).toEqual(["const a = 1;", 'const net = await __phasor_magic("nir", "load net.nir --as net");', "net.nodes"]);
  });
  it("wraps code magics: expressions keep their value, statements run as a block", () => {
    expect(t("%time f(1)")).toBe('await __phasor_code_magic("time", "", async () => (f(1)));');
    expect(t("%timeit -n 5 const x = 2")).toBe('await __phasor_code_magic("timeit", "-n 5", async () => { const x = 2 });');
  });
  it("makes %% on the first line a cell magic, %%time inline so variables persist", () => {
    expect(t("%%nir load\nbody 1\nbody 2")).toBe('await __phasor_magic("nir", "load", "body 1\\nbody 2");');
    expect(t("%%time\nconst q = 1\nq").split("\n")).toEqual(['__phasor_inline_begin("time", "");', "const q = 1", "q"]);
    expect(t("%%timeit -r 2\nwork()")).toContain('__phasor_code_magic("timeit", "-r 2", async () => {\nwork()\n}, true)');
  });
  it("turns %name? into a help call and leaves ordinary code alone", () => {
    expect(t("%time?")).toBe('await __phasor_magic_help("time");');
    expect(t("const s = `50%`;\nx % 2")).toBe("const s = `50%`;\nx % 2");
  });
  it("splits --as out of argument text", () => {
    expect(takeAs("load a.nir --as g --json")).toEqual({ rest: "load a.nir --json", as: "g" });
  });
});

describe("magic arguments", () => {
  it("tokenizes like a shell", () => {
    expect(tokenize(`a "b c" 'd e' f\\ g`)).toEqual(["a", "b c", "d e", "f\\", "g"]);
  });
  it("parses options with commander and reports mistakes with the usage", () => {
    expect(parseArgs(timeit, "-n 3 -r 2", false).options).toMatchObject({ number: 3, repeat: 2 });
    expect(() => parseArgs(timeit, "-n -1", false)).toThrow(/Usage: %timeit/);
    expect(() => parseArgs(timeit, "--nope", false)).toThrow(/unknown option '--nope'/);
  });
  it("generates help from the spec", () => {
    const help = helpText(timeit);
    expect(help).toContain("Usage: %timeit [options]");
    expect(help).toContain("-n, --number <loops>");
    expect(help).toContain("--as <name>");
    expect(help).toContain("Examples:");
  });
  it("splits a code magic's options from its code", () => {
    expect(split("timeit", "-n 10 -r 3 xs.sort((a, b) => a - b)")).toEqual({ options: "-n 10 -r 3", code: "xs.sort((a, b) => a - b)" });
    expect(split("timeit", "-x")).toEqual({ options: "", code: "-x" });
  });
});

describe("magics in a real kernel", () => {
  let k: TestKernel;
  beforeAll(async () => (k = await TestKernel.start()));
  afterAll(async () => k?.close());
  const stdout = (out: Msg[]) => out.filter((m) => m.header.msg_type === "stream").map((m) => String(m.content.text)).join("");
  const result = (out: Msg[]) => out.find((m) => m.header.msg_type === "execute_result")?.content.data;

  it("binds a magic's result with --as and uses it in the same and later cells", async () => {
    const a = await k.execute("%timeit -n 2 -r 2 -q --as stats Math.sqrt(2)\nstats.loops");
    expect(result(a.out)).toEqual({ "text/plain": "2" });
    const b = await k.execute("stats.repeat + 1");
    expect(result(b.out)).toEqual({ "text/plain": "3" });
  });

  it("%%time prints timings and keeps the cell's variables and value", async () => {
    const a = await k.execute("%%time\nconst timed = 20\ntimed + 1");
    expect(stdout(a.out)).toMatch(/CPU times: .*\nWall time: /);
    expect(result(a.out)).toEqual({ "text/plain": "21" });
    expect(result((await k.execute("timed")).out)).toEqual({ "text/plain": "20" });
  });

  it("%name? pages the help and %lsmagic lists every magic", async () => {
    const help = await k.execute("%timeit?");
    expect((help.reply.content.payload as { source: string; data: Record<string, string> }[])[0].data["text/plain"]).toContain("Usage: %timeit");
    const ls = await k.execute("%lsmagic");
    for (const m of MAGICS) expect(stdout(ls.out)).toContain(`%${m.name}`);
  });

  it("a magic without --as shows its display and no Out; with --as the result is bound", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phasor-magic-"));
    const file = JSON.stringify(join(dir, "g.nir"));
    await k.execute(`const g = phasor.graph().input("in", [3]).linear("fc", [[1, 0, 0], [0, 1, 0]]).lif("l", { tau: 0.01 }).output("out").build();\nawait phasor.writeNir(g, ${file});`);
    const r = await k.execute(`%nir load ${join(dir, "g.nir")}`);
    expect(r.out.some((m) => m.header.msg_type === "display_data")).toBe(true); // the node table
    expect(result(r.out)).toBeUndefined();
    const sim = await k.execute("%sim g --steps 5 --poisson 100 --dt 1e-3");
    expect(stdout(sim.out)).toMatch(/simulated 5 steps/);
    expect(result(sim.out)).toBeUndefined();
    const bound = await k.execute(`%nir load ${join(dir, "g.nir")} --quiet --as loaded\nObject.keys(loaded.nodes).length`);
    expect(result(bound.out)).toEqual({ "text/plain": "4" });
    const direct = await k.execute("g");
    expect(String(result(direct.out)?.["text/plain"]).length).toBeGreaterThan(200); // ordinary values keep the full view
  });

  it("complete_request completes magic flags and values from the magic's spec, and phasor. members by prefix", async () => {
    const complete = async (code: string) => {
      const id = k.send("shell", "complete_request", { code, cursor_pos: [...code].length });
      return (await k.reply("shell", id)).content as { matches: string[]; cursor_start: number; cursor_end: number };
    };
    await k.execute(`const cg = phasor.graph().input("in", [2]).linear("fc", [[1, 1]]).lif("lif", { tau: 0.01 }).output("out").build();`);
    expect(await complete("%sim cg --rec")).toMatchObject({ matches: ["--record"], cursor_start: 8, cursor_end: 13 });
    expect((await complete("%sim cg --record f")).matches).toEqual(["fc"]);
    expect(new Set((await complete("x = 1\n%compile cg --target l")).matches)).toEqual(new Set(["loihi", "loihi2", "loihi-sanafe"]));
    const members = await complete("phasor.gr");
    expect(members.matches).toEqual(["graph"]);
    expect(members.cursor_start).toBe(7);
  });

  it("mixes magics with code and top-level await", async () => {
    const r = await k.execute("const base = await Promise.resolve(2)\n%time base * 3\n");
    expect(result(r.out)).toEqual({ "text/plain": "6" });
  });
});
