// %vm, %power, %trace and %sweep: run() with a real display over a capturing sink; the sweep in worker threads.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createDisplay, PLOTLY_MIME, type MimeBundle } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { vmMagic } from "../kernel/magics/vm.js";
import { powerMagic } from "../kernel/magics/power.js";
import { traceMagic } from "../kernel/magics/trace.js";
import { sweepMagic, parseGrid } from "../kernel/magics/sweep.js";
import type { MagicContext, MagicSpec } from "../kernel/magics/types.js";
import { compile, saveProgram } from "../lib/compiler/index.js";
import type { RunResult, SweepRow } from "../lib/vm/index.js";
import { workerPath } from "../lib/vm/sweep.js";
import { ifNet } from "./vm-networks.js";

function fakeContext(vars: Record<string, unknown> = {}) {
  const shown: MimeBundle[] = [];
  let printed = "";
  const ctx: MagicContext = {
    display: createDisplay({ display: (b) => shown.push(b), update: () => {}, clear: () => {} }),
    cwd: process.cwd(), signal: new AbortController().signal,
    setVariable: (n, v) => (vars[n] = v), getVariable: (n) => vars[n],
    page: () => {}, print: (t) => (printed += t), magics: () => [],
  };
  return { ctx, shown, vars, printed: () => printed };
}
const run = (m: MagicSpec, line: string, ctx: MagicContext) => m.run({ ...parseArgs(m, line, false), line }, ctx);
const kinds = (shown: MimeBundle[]) => shown.filter((b) => b[PLOTLY_MIME]).map((b) => (b[PLOTLY_MIME] as { layout: { meta: { phasor: { kind: string } } } }).layout.meta.phasor.kind);

describe("VM magics", () => {
  test("%vm run (raster), %power (bars, heatmap, constants), %trace, %vm cycles; %vm step/until/inspect", async () => {
    const f = fakeContext({ prog: compile(ifNet(), "generic-mesh", { reset: "zero" }) });
    const r = (await run(vmMagic, "run prog --poisson 2000 --steps 40 --cycle --record h", f.ctx)) as RunResult;
    f.vars.r = r;
    expect(r.spikes.h.length).toBeGreaterThan(0);
    expect(f.printed()).toMatch(/cycle on generic-mesh: 40 steps/);
    await run(powerMagic, "r", f.ctx);
    await run(traceMagic, "r --neurons 2", f.ctx);
    await run(vmMagic, "cycles r", f.ctx);
    expect(kinds(f.shown)).toEqual(["raster", "power", "power-heatmap", "traces", "latency", "congestion"]);
    expect(f.printed()).toMatch(/µJ per inference/);
    const until = (await run(vmMagic, "until prog --poisson 2000 --steps 40 --layer out", f.ctx)) as { met: boolean; step: number };
    expect(until.met).toBe(true);
    await run(vmMagic, "step prog -n 3", f.ctx);
    expect(f.printed()).toMatch(new RegExp(`at step ${until.step + 4} of 40`));
    const st = (await run(vmMagic, "inspect prog --layer h", f.ctx)) as { v: number[] };
    expect(st.v).toHaveLength(32);
    await run(vmMagic, `inspect prog --core ${(f.vars.prog as { cores: Array<{ id: number }> }).cores[0].id}`, f.ctx);
    expect(kinds(f.shown).slice(-2)).toEqual(["core-state", "core-state"]);
    await expect(run(vmMagic, "cycles prog", f.ctx)).rejects.toThrow(/not a VM result/);
    await expect(run(vmMagic, "fly prog --poisson 10 --steps 5", f.ctx)).rejects.toThrow(/unknown action "fly"/);
  });

  test("--no-plot keeps the text and drops the figures; --quiet shows nothing", async () => {
    const f = fakeContext({ prog: compile(ifNet(), "generic-mesh", { reset: "zero" }) });
    const r = (await run(vmMagic, "run prog --poisson 2000 --steps 20 --cycle --no-plot --as r", f.ctx)) as RunResult;
    f.vars.r = r;
    expect(f.printed()).toMatch(/cycle on generic-mesh: 20 steps/);
    await run(vmMagic, "cycles r --no-plot", f.ctx);
    expect(f.printed()).toMatch(/20 steps: \d+ packets, \d+ hops, \d+ stalls on a full buffer/);
    await run(vmMagic, "step prog -n 2 --poisson 2000 --steps 20 --no-plot", f.ctx);
    await run(vmMagic, "raster prog --no-plot", f.ctx);
    expect(f.printed()).toMatch(/spikes in 2 steps: h \d+, out \d+/);
    await run(vmMagic, "inspect prog --layer h --no-plot", f.ctx);
    expect(kinds(f.shown)).toEqual([]); // the table of the inspection is not a figure
    expect(f.shown.at(-1)?.["text/plain"]).toMatch(/neuron/);
    const shown = f.shown.length, printed = f.printed();
    for (const line of ["run prog --poisson 2000 --steps 20 -q", "step prog -n 3 --quiet", "until prog --layer out -q", "raster prog -q", "inspect prog -q", "cycles r -q"]) {
      await run(vmMagic, line, f.ctx);
    }
    expect(f.printed()).toBe(printed);
    expect(f.shown).toHaveLength(shown);
  });

  test("%vm step/inspect on a PROGRAM.json keep one session from call to call, and say what input to pass", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phasor-vm-magic-"));
    saveProgram(compile(ifNet(), "generic-mesh", { reset: "zero" }), join(dir, "prog.json"));
    const f = fakeContext();
    f.ctx.cwd = dir;
    // No session yet and no input: the message names the input layer, its shape and a line to copy.
    const missing = run(vmMagic, "step prog.json -n 10", f.ctx);
    await expect(missing).rejects.toThrow(/%vm step prog\.json: no input; the program has input layer in \[16\]/);
    await expect(run(vmMagic, "inspect prog.json --core 0", f.ctx)).rejects.toThrow(/e\.g\. %vm inspect prog\.json --poisson 50 --steps 200/);
    await expect(run(vmMagic, "step prog.json", f.ctx)).rejects.toThrow(/--input FILE\.csv\|FILE\.npy \(one row per step, 16 values each\)/);
    await run(vmMagic, "step prog.json -n 10 --poisson 2000 --steps 40", f.ctx);
    await run(vmMagic, "step prog.json -n 10", f.ctx); // the same session, read once
    await run(vmMagic, "step prog.json -n 5 --poisson 2000 --steps 40", f.ctx); // the same input: still the same session
    expect(f.printed()).toBe("at step 10 of 40\nat step 20 of 40\nat step 25 of 40\n");
    const st = (await run(vmMagic, "inspect prog.json --core 0", f.ctx)) as { v: number[] };
    expect(st.v.length).toBeGreaterThan(0);
    await run(vmMagic, "step prog.json -n 1 --poisson 1000 --steps 40", f.ctx); // another input: a new session
    expect(f.printed()).toMatch(/at step 1 of 40\n$/);
    await run(vmMagic, "step prog.json -n 100", f.ctx);
    expect(f.printed()).toMatch(/at step 40 of 40 \(the end: give --input or --poisson to start again\)\n$/);
  });

  test("%sweep: a grid over generic-mesh in worker threads, failures named, Pareto front plotted", async () => {
    expect(parseGrid("width=1,2;multicast=true,false")).toEqual({ width: [1, 2], multicast: [true, false] });
    expect(() => parseGrid("colour=1")).toThrow(/unknown generic-mesh parameter "colour"/);
    const f = fakeContext({ net: ifNet() });
    const rows = (await run(sweepMagic, 'net --grid "width=1,2;neuronsPerCore=4,32" --steps 20 --poisson 500 --workers 2', f.ctx)) as SweepRow[];
    console.log(`sweep ran in ${workerPath() ? "worker threads" : "process (no compiled worker in dist/)"}: ${rows.map((r) => `${r.label}: ${r.error ? "fails" : `${r.cores} cores, ${(r.energy * 1e9).toFixed(2)} nJ, ${(r.latency * 1e6).toFixed(2)} µs`}`).join("; ")}`);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.label === "width=1, neuronsPerCore=4")!.error).toMatch(/needs 10 cores; generic-mesh has 8/);
    const ok = rows.filter((r) => !r.error);
    expect(ok).toHaveLength(3);
    expect(kinds(f.shown)).toContain("pareto");
  });
});
