// One conformance suite for the neuron arithmetic (DESIGN.md, "Arithmetic profiles"): every
// engine on every profile and network shape against the oracle that runs the Program with the
// scalar definitions of lib/target/arith (loihi.ts, generic.ts) — v, currents and spikes at
// every step, bit for bit. Engines: the behavioural VM with its WebAssembly kernels, the same
// with the JavaScript kernels only (PHASOR_VM_WASM=0), the cycle-accurate VM; on float64 also
// the reference simulator. As Brian2 runs one test body on every device.
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import type { Graph } from "../lib/ir/graph.js";
import { Rng } from "../lib/ir/random.js";
import { simulate } from "../lib/ir/sim/index.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { floatProgram, runOracle, runProgram, type RunResult } from "../lib/vm/index.js";
import { resolveTarget } from "../lib/target/index.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { randomSpikes } from "./vm-networks.js";

type Profile = "float64" | "multiply" | "shift" | "loihi" | "xylo";
type Shape = "single" | "population" | "recurrent" | "two layers";
const profiles: Profile[] = ["float64", "multiply", "shift", "loihi", "xylo"];
const shapes: Shape[] = ["single", "population", "recurrent", "two layers"];
const DT = 1e-3, STEPS = 120;

/** Random weights [out, in] in [lo, hi). */
function weights(rng: Rng, out: number, inp: number, lo: number, hi: number) {
  return tensor(Float64Array.from({ length: out * inp }, () => lo + (hi - lo) * rng.random()), [out, inp]);
}

/** Two synaptic currents where the profile has them (float64, multiply: the WebAssembly kernels' case; Xylo's hidden neurons), else one. */
const twoPorts = (p: Profile) => p === "float64" || p === "multiply" || p === "xylo";

function network(shape: Shape, p: Profile): { g: Graph; inputs: number } {
  const rng = new Rng(11 + shapes.indexOf(shape));
  const cuba = (size: number) => ({ size, tau_syn: 4e-3, tau_mem: 8e-3, r: 1, v_leak: 0, v_threshold: 1, w_in: 1, v_reset: 0 });
  const multi = (size: number) => ({ size, tau_syn: [4e-3, 16e-3], tau_mem: 8e-3, r: 1, v_leak: 0, v_threshold: 1, v_reset: 0 });
  const b = graph();
  // Every Xylo neuron integrates through a synaptic current: CubaLIF where the others take a LIF.
  const lif = (name: string, size: number) => (p === "xylo" ? b.cubaLIF(name, cuba(size)) : b.lif(name, { size, tau: 8e-3, r: 1, v_leak: 0, v_threshold: 1, v_reset: 0 }));
  if (shape === "single") {
    b.input("in", [4]).linear("w", weights(rng, 1, 4, 0.5, 3));
    lif("n", 1);
    return { g: b.output("o").build(), inputs: 4 };
  }
  if (shape === "population") {
    b.input("in", [12]);
    // Mixed signs on both ports: truncation and floor differ only below zero.
    if (twoPorts(p)) b.linear("we", weights(rng, 20, 12, -1, 4), { from: "in" }).linear("wi", weights(rng, 20, 12, -2, 0.5), { from: "in" })
      .multiCubaLIF("n", multi(20), { from: null }).connect("we", "n", 0).connect("wi", "n", 1);
    else b.linear("w", weights(rng, 20, 12, -1, 3)).cubaLIF("n", cuba(20));
    return { g: b.output("o", { from: "n" }).build(), inputs: 12 };
  }
  if (shape === "recurrent") {
    b.input("in", [8]).linear("w", weights(rng, 16, 8, 0, 3)).cubaLIF("n", cuba(16))
      .linear("rec", weights(rng, 16, 16, -1.5, 1), { from: "n" }).connect("rec", "n");
    return { g: b.output("o", { from: "n" }).build(), inputs: 8 };
  }
  b.input("in", [8]).linear("w1", weights(rng, 16, 8, 0, 3));
  lif("h", 16);
  if (twoPorts(p) && p !== "xylo") b.linear("we", weights(rng, 6, 16, -2, 3), { from: "h" }).linear("wi", weights(rng, 6, 16, -1.5, 1), { from: "h" })
    .multiCubaLIF("n", multi(6), { from: null }).connect("we", "n", 0).connect("wi", "n", 1);
  else b.linear("w2", weights(rng, 6, 16, -0.5, 3)).cubaLIF("n", cuba(6));
  return { g: b.output("o", { from: "n" }).build(), inputs: 8 };
}

function program(g: Graph, p: Profile): Program {
  if (p === "float64") return floatProgram(g, undefined, { dt: DT, reset: "zero" });
  if (p === "multiply") return compile(g, "generic-mesh", { dt: DT, reset: "zero" });
  // The generic shift decay (a user's target without a profile) and Xylo's own arithmetic, on a mesh without
  // Xylo's layer rules (those have tests of their own), so that every shape maps.
  if (p === "shift") return compile(g, { ...genericMesh({ name: "mesh-shift" }), arithmetic: { weightBits: 8, stateBits: 16, decay: "shift", maxShift: 15, fixedPoint: true } }, { dt: DT, reset: "subtract" });
  if (p === "xylo") return compile(g, { ...genericMesh({ name: "mesh-xylo" }), arithmetic: resolveTarget("xylo-audio2").arithmetic }, { dt: DT, reset: "subtract" });
  return compile(g, "loihi", { dt: DT, reset: "zero" });
}

/** Each recorded variable of each layer, as plain arrays (so a difference names the variable); the chip's integers (v_int, ...) are v over the unit. */
function traces(records: Record<string, Record<string, Float64Array>>): Record<string, Record<string, number[]>> {
  const model = (k: string) => !k.endsWith("_int");
  return Object.fromEntries(Object.entries(records).map(([l, r]) => [l, Object.fromEntries(Object.entries(r).filter(([k]) => model(k)).map(([k, a]) => [k, Array.from(a)]))]));
}

function vm(prog: Program, input: ReturnType<typeof randomSpikes>, layers: string[], engine: "behavioural" | "cycle", wasm: boolean): RunResult {
  const before = process.env.PHASOR_VM_WASM;
  if (!wasm) process.env.PHASOR_VM_WASM = "0";
  try { return runProgram(prog, { input, steps: STEPS, record: layers, engine }); }
  finally { if (before === undefined) delete process.env.PHASOR_VM_WASM; else process.env.PHASOR_VM_WASM = before; }
}

describe("arithmetic conformance: every engine == the scalar definitions, bit for bit", () => {
  test.each(profiles.flatMap((p) => shapes.map((s) => [p, s] as const)))("%s profile, %s", (p, s) => {
    const { g, inputs } = network(s, p);
    const prog = program(g, p), input = randomSpikes([inputs], STEPS, 0.35, 5);
    const layers = prog.layers.filter((l) => l.kind === "neuron").map((l) => l.name);
    const oracle = runOracle(prog, { input, steps: STEPS });
    const want = traces(oracle.records);
    // Not vacuous: every layer spikes, several times.
    for (const l of layers) expect(oracle.spikes[l].length, `${l} spikes`).toBeGreaterThanOrEqual(5);
    for (const [engine, wasm] of [["behavioural", true], ["behavioural", false], ["cycle", true]] as const) {
      const r = vm(prog, input, layers, engine, wasm);
      expect(traces(r.records), `${engine}${wasm ? "" : " (JS kernels)"}`).toEqual(want);
    }
    if (p === "xylo" && s === "two layers") {
      const xylo = compile(g, "xylo-audio2", { dt: DT, reset: "subtract" });
      expect(traces(vm(xylo, input, layers, "behavioural", true).records)).toEqual(traces(runOracle(xylo, { input, steps: STEPS }).records));
    }
    if (p === "float64") {
      const ref = simulate(g, { dt: DT, reset: "zero", steps: STEPS, input, record: layers });
      for (const l of layers) expect(ref.spikes[l]).toEqual(oracle.spikes[l].map(([t, , k]) => [t, k]));
    }
  });
});
