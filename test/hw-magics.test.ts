// %hw over a loopback board: connect with key files, deploy, run (raster + power figures,
// spikes equal to %vm's), status, a detached run cancelled on the board, and list.
import { afterAll, describe, expect, test } from "vitest";
import { createDisplay, PLOTLY_MIME, type MimeBundle } from "../kernel/display.js";
import { parseArgs } from "../kernel/magics/args.js";
import { hwMagic } from "../kernel/magics/hw.js";
import type { MagicContext } from "../kernel/magics/types.js";
import { compile } from "../lib/compiler/index.js";
import { cubaNetwork } from "../lib/ir/models/cuba.js";
import { runProgram, type RunResult } from "../lib/vm/index.js";
import { startLoopbackBoard, type LoopbackBoard } from "../lib/hw/index.js";
import { Rng } from "../lib/ir/random.js";
import { ifNet } from "./vm-networks.js";

let board: LoopbackBoard | undefined;
afterAll(async () => { await hw("disconnect").catch(() => {}); await board?.server.close("done", 0.5); });

const vars: Record<string, unknown> = {};
const shown: MimeBundle[] = [];
let printed = "";
const ctx: MagicContext = {
  display: createDisplay({ display: (b) => shown.push(b), update: () => {}, clear: () => {} }),
  cwd: process.cwd(), signal: new AbortController().signal,
  setVariable: (n, v) => (vars[n] = v), getVariable: (n) => vars[n], page: () => {}, print: (t) => (printed += t), magics: () => [],
};
const hw = (line: string) => Promise.resolve(hwMagic.run({ ...parseArgs(hwMagic, line, false), line }, ctx));
const kinds = () => shown.filter((b) => b[PLOTLY_MIME]).map((b) => (b[PLOTLY_MIME] as { layout: { meta: { phasor: { kind: string } } } }).layout.meta.phasor.kind);

describe("%hw", () => {
  test("connect, deploy, run with figures, status, detached run and cancel", async () => {
    board = await startLoopbackBoard();
    vars.prog = compile(ifNet(), "generic-mesh", { reset: "zero" });
    // 900000 steps of the 4000-neuron CUBA network: several seconds, still running when cancelled.
    vars.slow = compile(cubaNetwork({ seed: 1 }).graph, "generic-mesh", { reset: "zero" });
    await hw(`connect ${board.address} --keys ${board.keys}`);
    expect(printed).toMatch(/connected board: remote:\/\/127\.0\.0\.1:\d+ \(idle\), server phasor-board hosting vm/);
    const r = (await hw("run prog --poisson 2000 --steps 40 --seed 3")) as RunResult;
    expect(kinds()).toEqual(["raster", "power", "power-heatmap"]);
    const listed = (await hw("list")) as Array<{ runner: string }>;
    expect(listed.map((x) => x.runner)).toEqual(expect.arrayContaining(["vm", "vm:cycle", "export", "remote"]));
    const local = runProgram(vars.prog as never, { input: poisson(40, 2000, 3) });
    expect(r.spikes).toEqual(local.spikes);
    await hw("run slow --steps 900000 --detach");
    await new Promise((res) => setTimeout(res, 300));
    const st = (await hw("status")) as { state: string; detail?: { running: unknown[] } };
    expect(st.state).toBe("running");
    const why = (await hw("cancel")) as string;
    expect(why).toMatch(/cancelled by the client/);
    await expect(hw("wait")).rejects.toMatchObject({ name: "AbortError" });
    expect(board.server.core.status().cancelled).toBe(1);
  });
});

/** The Poisson input %hw --poisson builds (same seed, same generator, dt 1e-4). */
function poisson(steps: number, hz: number, seed: number) {
  const rng = new Rng(seed), q = Math.min(1, hz * 1e-4);
  return { data: Float64Array.from({ length: steps * 16 }, () => (rng.random() < q ? 1 : 0)), shape: [steps, 16] };
}
