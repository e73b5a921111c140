// No placeholder is ever shown as a number: on every target, every figure resting on a constant
// without a published figure is "n/a" (JSON: null, with the reason) in the %vm run summary,
// phasor run's text, --json line and OUT.json, %power's line and constants table, and the
// power plot's data; every figure that is published is shown with its value and time base.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test, vi } from "vitest";
import { createDisplay, PLOTLY_MIME, type MimeBundle } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { vmMagic } from "../kernel/magics/vm.js";
import { powerMagic } from "../kernel/magics/power.js";
import type { MagicContext, MagicSpec } from "../kernel/magics/types.js";
import { runCommand } from "../cli/run.js";
import { graph, tensor } from "../lib/ir/builders.js";
import type { Graph } from "../lib/ir/graph.js";
import { compile, saveProgram, type Program } from "../lib/compiler/index.js";
import type { EnergyReport } from "../lib/vm/energy.js";
import type { RunResult } from "../lib/vm/index.js";
import { coreHeatmap, powerByLayer } from "../lib/plot/power.js";
import type { Figure } from "../lib/plot/figure.js";
import { ifNet } from "./vm-networks.js";

const dt = 1e-4;
const dense = (o: number, i: number) => tensor(Float64Array.from({ length: o * i }, (_, k) => 0.3 + (k % 7) / 100), [o, i]);
const cuba = { tau_mem: 2 ** 6 * dt, tau_syn: 2 ** 4 * dt, r: 2 ** 6, w_in: 2 ** 4, v_threshold: 1 };
/** in(4) -> two CuBa LIF layers of 10 -> 2 outputs: what Xylo Audio 2 holds. */
const xyloNet = (): Graph => graph().input("in", 4).linear("w1", dense(10, 4)).cubaLIF("h1", cuba).linear("w2", dense(10, 10)).cubaLIF("h2", cuba)
  .linear("wout", dense(2, 10)).cubaLIF("out", cuba).output("y").build();
/** in[2, 8, 8] -> 3x3 convolution to 4 channels -> IF: one Speck core. */
const speckNet = (): Graph => graph().input("in", [2, 8, 8])
  .node("conv", { type: "Conv2d", weight: tensor(new Float64Array(72).fill(1), [4, 2, 3, 3]), stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: tensor(new Float64Array(4), [4]) })
  .node("spk", { type: "IF", r: tensor([1e4]), v_threshold: tensor([2]) }).output("y").build();

/** Every preset with a network it holds and the figures expected n/a (true) or published (false). */
const TARGETS: Array<{ target: string; net: () => Graph; reset: "zero" | "subtract"; na: { total: boolean; dynamic: boolean; static: boolean; time: boolean; cycles: boolean } }> = [
  { target: "loihi", net: ifNet, reset: "zero", na: { total: false, dynamic: false, static: false, time: false, cycles: false } },
  { target: "loihi-sanafe", net: ifNet, reset: "zero", na: { total: false, dynamic: false, static: false, time: false, cycles: false } },
  { target: "loihi2", net: ifNet, reset: "zero", na: { total: true, dynamic: true, static: true, time: true, cycles: true } },
  { target: "truenorth", net: ifNet, reset: "zero", na: { total: false, dynamic: false, static: false, time: false, cycles: true } },
  { target: "spinnaker2", net: ifNet, reset: "zero", na: { total: true, dynamic: true, static: true, time: false, cycles: true } },
  { target: "xylo-audio2", net: xyloNet, reset: "subtract", na: { total: true, dynamic: false, static: true, time: false, cycles: false } },
  { target: "speck", net: speckNet, reset: "subtract", na: { total: true, dynamic: true, static: false, time: false, cycles: true } },
  { target: "generic-mesh", net: ifNet, reset: "zero", na: { total: false, dynamic: false, static: false, time: false, cycles: false } },
];

const programs = new Map<string, Program>();
const programOf = (t: (typeof TARGETS)[number]) => {
  if (!programs.has(t.target)) programs.set(t.target, compile(t.net(), t.target, { reset: t.reset }));
  return programs.get(t.target)!;
};

function fakeContext(vars: Record<string, unknown>) {
  const shown: MimeBundle[] = [];
  let printed = "";
  const ctx: MagicContext = {
    display: createDisplay({ display: (b) => shown.push(b), update: () => {}, clear: () => {} }),
    cwd: process.cwd(), signal: new AbortController().signal,
    setVariable: (n, v) => (vars[n] = v), getVariable: (n) => vars[n],
    page: () => {}, print: (s) => (printed += s), magics: () => [],
  };
  return { ctx, shown, printed: () => printed };
}
const run = (m: MagicSpec, line: string, ctx: MagicContext) => m.run({ ...parseArgs(m, line, false), line }, ctx);

/** The summary line's figures as printed: energy, dynamic, static, power, chip time. */
function printedFigures(text: string): Record<string, string> {
  const m = /energy (n\/a|\S+ µJ) per inference \(dynamic (n\/a|\S+ µJ), static (n\/a|\S+ µJ)\), average power (n\/a|\S+ mW) over (n\/a|\S+ (?:s|ms|µs|ns)) of chip time \(/.exec(text);
  if (!m) throw new Error(`no energy summary in: ${text}`);
  return { total: m[1], dynamic: m[2], static: m[3], power: m[4], time: m[5] };
}

/** Each printed figure is "n/a" exactly where the report's is null, else the report's value. */
function expectPrinted(text: string, e: EnergyReport): void {
  const p = printedFigures(text);
  const show = (x: number | null, scale: number, unit: string) => (x === null ? "n/a" : `${(x * scale).toPrecision(4)} ${unit}`);
  const time = (x: number | null) => (x === null ? "n/a" : x >= 1 ? show(x, 1, "s") : x >= 1e-3 ? show(x, 1e3, "ms") : x >= 1e-6 ? show(x, 1e6, "µs") : show(x, 1e9, "ns"));
  expect(p).toEqual({
    total: show(e.perInference, 1e6, "µJ"), dynamic: show(e.dynamicPerInference, 1e6, "µJ"), static: show(e.staticPerInference, 1e6, "µJ"),
    power: show(e.averagePower, 1e3, "mW"), time: time(e.seconds),
  });
  if (e.perInference === null) expect(text).toMatch(/; n\/a: .*no published figure/);
}

/** The report itself: null (never 0) for every figure and term resting on an unpublished constant. */
function expectReport(e: EnergyReport, na: (typeof TARGETS)[number]["na"]): void {
  expect({ total: e.perInference === null, dynamic: e.dynamicPerInference === null, static: e.staticPerInference === null, time: e.seconds === null })
    .toEqual({ total: na.total, dynamic: na.dynamic, static: na.static, time: na.time });
  for (const term of e.terms) if (e.constants[term.constant].value === null && term.count > 0) expect(term.joules).toBeNull();
  for (const [path, k] of Object.entries(e.constants)) if (k.kind === "unpublished") expect([path, k.value]).toEqual([path, null]);
  if (na.total) expect(e.na.total).toMatch(/no published figure|chip time is n\/a/);
  expect(e.timeSource.length).toBeGreaterThan(0);
}

/** The plot's data never carries an n/a figure as a number. */
function expectPlot(e: EnergyReport, r: RunResult): void {
  const bars: Figure = powerByLayer(e, r.batch), heat: Figure = coreHeatmap(e, r.cores, r.mesh, r.batch);
  const naOps = new Set(Object.values(e.byLayer).flatMap((ops) => Object.entries(ops).filter(([, j]) => j === null).map(([op]) => op)));
  const meta = bars.layout.meta!.phasor!;
  expect(bars.data.map((d) => d.name).filter((op) => naOps.has(op!))).toEqual([]);
  expect((meta.na as Array<{ op: string }>).map((x) => x.op).sort()).toEqual([...naOps].sort());
  for (const d of bars.data) for (const y of d.y as number[]) expect(Number.isFinite(y)).toBe(true);
  expect(meta.summary).toContain(e.perInference === null ? ", n/a per inference" : `${(e.perInference * 1e6).toPrecision(4)} µJ per inference`);
  const naCores = r.cores.filter((c) => Object.values(e.byCore[String(c.id)] ?? {}).some((j) => j === null));
  const z = (heat.data[0].z as Array<Array<number | null>>);
  for (const c of naCores) expect(z[c.y][c.x]).toBeNull();
  expect(heat.layout.meta!.phasor!.naCores).toBe(naCores.length);
}

describe.each(TARGETS)("$target: no unpublished figure shown as a number", (t) => {
  test("%vm run: the summary; %power: its line, its constants table; the power plot's data", async () => {
    const f = fakeContext({ prog: programOf(t) });
    const r = (await run(vmMagic, "run prog --poisson 800 --steps 20 --cycle", f.ctx)) as RunResult;
    expectReport(r.energy, t.na);
    expectPrinted(f.printed(), r.energy);
    expect(f.printed()).toContain(t.na.cycles ? "cycles n/a (cycle counts rest on" : `${r.cycles!.totalCycles} cycles`);
    const g = fakeContext({ r });
    await run(powerMagic, "r", g.ctx);
    expectPrinted(g.printed(), r.energy);
    for (const what of ["dynamic", "static", "time"] as const) if (t.na[what]) expect(g.printed()).toContain(`${what} n/a: `);
    const table = g.shown.find((b) => !b[PLOTLY_MIME] && String(b["text/plain"] ?? "").includes("energy.synOp"))!;
    const rows = String(table["text/plain"]).split("\n");
    for (const [path, k] of Object.entries(r.energy.constants)) {
      const row = rows.find((l) => l.includes(`${path} `));
      expect(row, path).toBeDefined();
      if (k.value === null) expect(row).toMatch(/\bn\/a\b/);
    }
    expectPlot(r.energy, r);
    const beh = (await run(vmMagic, "run prog --poisson 800 --steps 20", f.ctx)) as RunResult;
    expectReport(beh.energy, t.na);
    expectPlot(beh.energy, beh);
  });

  test("phasor run: text, --json and OUT.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phasor-energy-"));
    try {
      const p = programOf(t), file = join(dir, "prog.json"), input = join(dir, "in.csv"), out = join(dir, "out.json");
      saveProgram(p, file);
      const n = p.layers.find((l) => l.kind === "input")!.size;
      writeFileSync(input, Array.from({ length: 12 }, (_, s) => Array.from({ length: n }, (_, k) => ((s + k) % 3 === 0 ? 1 : 0)).join(",")).join("\n") + "\n");
      const logs: string[] = [];
      const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => { logs.push(a.join(" ")); });
      try {
        await runCommand(file, { runner: "vm:cycle", input, out });
        await runCommand(file, { runner: "vm", input, json: true });
      } finally { spy.mockRestore(); }
      const text = logs.slice(0, -1).join("\n"), json = JSON.parse(logs[logs.length - 1]);
      const doc = JSON.parse(readFileSync(out, "utf8")) as { energy: EnergyReport; cycles: { totalCycles: number | null; na?: string } };
      expectReport(doc.energy, t.na);
      expectPrinted(text, doc.energy);
      expect(text).toContain(t.na.cycles ? "cycles n/a (" : `${doc.cycles.totalCycles} cycles`);
      expect(doc.cycles.totalCycles === null).toBe(t.na.cycles);
      if (t.na.cycles) expect(doc.cycles.na).toMatch(/no published figure/);
      expect(json.energyPerInference === null).toBe(t.na.total);
      expect(json.averagePower === null).toBe(t.na.total || t.na.time);
      expect(json.chipSeconds === null).toBe(t.na.time);
      expect(json.timeBase).toMatch(/^(chip|real-time)$/);
      if (t.na.total) expect(json.energyNa.total).toMatch(/no published figure/);
      if (!t.na.total) expect(json.energyPerInference).toBeGreaterThan(0);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

afterAll(() => programs.clear());
