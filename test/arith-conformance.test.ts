// One conformance suite for the neuron arithmetic (DESIGN.md, "Arithmetic profiles"): every
// engine on every profile and network shape against the oracle that runs the Program with the
// scalar definitions of lib/target/arith (loihi.ts, generic.ts) — v, currents and spikes at
// every step, bit for bit. Engines: the behavioural VM with its WebAssembly kernels, the same
// with the JavaScript kernels only (PHASOR_VM_WASM=0), the cycle-accurate VM; on float64 also
// the reference simulator. As Brian2 runs one test body on every device.
import { describe, expect, test } from "vitest";
import { simulate } from "../lib/ir/sim/index.js";
import { compile, type Program } from "../lib/compiler/index.js";
import { runOracle, runProgram, type RunResult } from "../lib/vm/index.js";
import { randomSpikes } from "./vm-networks.js";
import { DT, PROFILES, SHAPES, conformanceNetwork, conformanceProgram } from "./conformance-networks.js";

const profiles = PROFILES, shapes = SHAPES, STEPS = 120;
const network = conformanceNetwork, program = conformanceProgram;

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
