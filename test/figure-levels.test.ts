/**
 * Trace figures from the magics carry the neuron's threshold and reset: %sim reads them from the
 * Graph, %trace from the Program %vm ran (codes times the layer's scale), and spikes are markers.
 */
import { describe, expect, test } from "vitest";
import { createDisplay, PLOTLY_MIME, type MimeBundle } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { simMagic } from "../kernel/magics/sim.js";
import { vmMagic } from "../kernel/magics/vm.js";
import { traceMagic } from "../kernel/magics/trace.js";
import type { MagicContext, MagicSpec } from "../kernel/magics/types.js";
import { graph } from "../lib/ir/builders.js";
import { compile } from "../lib/compiler/index.js";
import type { Figure, Trace } from "../lib/plot/figure.js";

function fakeContext(vars: Record<string, unknown>) {
  const shown: MimeBundle[] = [];
  const ctx: MagicContext = {
    display: createDisplay({ display: (b) => shown.push(b), update: () => {}, clear: () => {} }),
    cwd: process.cwd(), signal: new AbortController().signal,
    setVariable: (n, v) => (vars[n] = v), getVariable: (n) => vars[n], page: () => {}, print: () => {}, magics: () => [],
  };
  const figures = () => shown.map((b) => b[PLOTLY_MIME] as Figure | undefined).filter((f): f is Figure => f !== undefined);
  return { ctx, vars, traces: () => figures().filter((f) => f.layout.meta?.phasor?.kind === "traces") };
}
const run = (m: MagicSpec, line: string, ctx: MagicContext) => m.run({ ...parseArgs(m, line, false), line }, ctx);
const named = (f: Figure, re: RegExp): Trace[] => f.data.filter((t) => re.test(String(t.name)));

/** Three LIF neurons driven hard enough to fire, threshold 0.5, reset to `vReset`. */
function net(vReset = 0.1) {
  return graph().input("in", [2]).linear("fc", [[3, 0], [0, 3], [2, 2]])
    .lif("lif", { tau: 10e-3, r: 1, v_leak: 0, v_threshold: 0.5, v_reset: vReset }).output("out").build();
}

/** The layer's threshold is the graph's 0.5 quantised: a whole number of the layer's LSBs, within one of 0.5. */
function expectQuantised(value: number, scale: number): void {
  expect(Math.abs(value - 0.5)).toBeLessThan(scale);
  expect(Math.abs(value / scale - Math.round(value / scale))).toBeLessThan(1e-9);
}

describe("threshold and reset in trace figures", () => {
  test("%sim --record draws the Graph's threshold and v_reset, and each spike as a marker", async () => {
    const f = fakeContext({ net: net() });
    await run(simMagic, "net --poisson 400 --steps 100 --dt 1e-3 --seed 1 --record lif", f.ctx);
    const [fig] = f.traces();
    expect(named(fig, /^threshold/).map((t) => t.name)).toEqual(["threshold 0.5"]);
    expect(named(fig, /^reset/).map((t) => t.name)).toEqual(["reset 0.1"]);
    const spikes = named(fig, /spikes$/);
    expect(spikes.length).toBeGreaterThan(0);
    for (const s of spikes) expect(new Set(s.y as number[])).toEqual(new Set([0.5]));
    expect(fig.data.filter((t) => /spike\[/.test(String(t.name)))).toEqual([]); // no spike line
    await run(simMagic, "net --poisson 400 --steps 100 --dt 1e-3 --seed 1 --record lif --reset subtract", f.ctx);
    expect(named(f.traces()[1], /^reset/)).toEqual([]); // subtracting the threshold has no reset level
  });

  test("%trace after %vm run draws the Program's threshold: a whole number of LSBs on a fixed-point chip", async () => {
    const p = compile(net(0), "loihi", { dt: 1e-3, reset: "zero" });
    const f = fakeContext({ p });
    f.vars.r = await run(vmMagic, "run p --poisson 400 --steps 50 --seed 1 --record lif --no-plot", f.ctx);
    await run(traceMagic, "r", f.ctx);
    const [fig] = f.traces();
    const [th] = named(fig, /^threshold/);
    expectQuantised((th.y as number[])[0], p.layers.find((l) => l.name === "lif")!.params!.scale);
    const v = (f.vars.r as { records: { lif: { v: Float64Array } } }).records.lif.v;
    expect(Math.max(...v)).toBeLessThanOrEqual((th.y as number[])[0]); // the level the chip compares v with: v never stays above it
    expect(named(fig, /^reset/).map((t) => (t.y as number[])[0])).toEqual([0]); // Loihi resets v to 0
  });

  test("%trace --program names the Program when the run did not come from %vm run here", async () => {
    const p = compile(net(), "generic-mesh", { dt: 1e-3, reset: "subtract" });
    const f = fakeContext({ p });
    const r = await run(vmMagic, "run p --poisson 400 --steps 50 --seed 1 --record lif --no-plot", f.ctx);
    f.vars.copy = { ...(r as object) }; // a result the kernel did not see %vm return
    await run(traceMagic, "copy", f.ctx);
    expect(named(f.traces()[0], /^threshold/)).toEqual([]);
    await run(traceMagic, "copy --program p", f.ctx);
    const [th] = named(f.traces()[1], /^threshold/);
    expectQuantised((th.y as number[])[0], p.layers.find((l) => l.name === "lif")!.params!.scale);
    expect(named(f.traces()[1], /^reset/)).toEqual([]); // reset by subtraction
  });
});
