// Admission of a run: inputs against the program's input layers dimension by dimension,
// batch and steps rules, recorded layers, and each limit at its boundary.
import { describe, expect, test } from "vitest";
import { compile } from "../../compiler/index.js";
import { graph, tensor } from "../../ir/builders.js";
import type { DenseInput } from "../../ir/sim/types.js";
import { DEFAULT_LIMITS, type Limits, type RequestOf } from "../protocol/messages.js";
import { admit } from "./jobs.js";

/** in[2, 3] -> flatten -> IF[4]: 4 neurons, input layer shape [2, 3]. */
const p = compile(graph().input("in", [2, 3]).node("f", { type: "Flatten", start_dim: 0, end_dim: -1 }).linear("fc", tensor(new Float64Array(24).fill(0.5), [4, 6]))
  .node("lif", { type: "IF", r: tensor(new Float64Array(4).fill(1e4)), v_threshold: tensor(new Float64Array(4).fill(1)) }).output("o").build(), "generic-mesh", { reset: "zero" });
const dense = (...shape: number[]): DenseInput => ({ data: new Float64Array(shape.reduce((a, b) => a * b, 1)), shape });
const req = (o: Partial<RequestOf<"run">> = {}): RequestOf<"run"> => ({ type: "run", id: "r", program: "0".repeat(64), inputs: [{ name: "in", shape: [] }], ...o });
const limits = (o: Partial<Limits> = {}): Limits => ({ ...DEFAULT_LIMITS, ...o });
const issues = (f: () => unknown) => { try { f(); return []; } catch (e) { return (e as { issues: Array<{ code: string; path: unknown[]; message: string }> }).issues; } };

describe("admit", () => {
  test("steps and batch default to the input's T and B; the input's layer shape must match exactly", () => {
    expect(admit(req(), p, { in: dense(7, 2, 2, 3) }, limits())).toEqual({ steps: 7, batch: 2 });
    expect(admit(req({ steps: 9 }), p, { in: dense(7, 1, 2, 3) }, limits())).toEqual({ steps: 9, batch: 1 });
    expect(admit(req({ batch: 5 }), p, { in: dense(7, 1, 2, 3) }, limits())).toEqual({ steps: 7, batch: 5 });
    expect(issues(() => admit(req(), p, { in: dense(7, 1, 6) }, limits()))).toEqual([
      { code: "input-shape", path: ["inputs", "in"], message: "input in has shape [7,1,6]; layer in needs [T, B, 2, 3]" },
    ]);
    expect(issues(() => admit(req(), p, { in: dense(7, 1, 3, 2) }, limits()))[0].code).toBe("input-shape");
    expect(issues(() => admit(req(), p, { in: dense(7, 1, 2, 3, 1) }, limits()))[0].code).toBe("input-shape");
  });

  test("unknown, missing and disagreeing inputs; batch against B; steps required without inputs", () => {
    expect(issues(() => admit(req(), p, { x: dense(3, 1, 2, 3) }, limits()))).toEqual([
      { code: "unknown-input", path: ["inputs", "x"], message: 'the program has no input layer "x" (it has in)' },
    ]);
    expect(issues(() => admit(req({ inputs: undefined, steps: 4 }), p, {}, limits()))).toEqual([
      { code: "missing-input", path: ["inputs"], message: "the program has input layer(s) in" },
    ]);
    expect(issues(() => admit(req({ batch: 3 }), p, { in: dense(4, 2, 2, 3) }, limits()))).toEqual([
      { code: "input-batch", path: ["batch"], message: "batch 3 with inputs of B = 2; give batch 2, or inputs of B = 1 (sent to every batch entry)" },
    ]);
    expect(issues(() => admit(req(), p, { in: dense(4, 2, 2, 3), x: dense(4, 3, 2, 3) }, limits())).map((i) => i.code)).toEqual(["unknown-input", "input-batch"]);
    expect(issues(() => admit(req({ inputs: [] }), p, {}, limits())).map((i) => [i.code, i.message])).toEqual([
      ["missing-input", "the program has input layer(s) in"], ["steps", "give steps (a program without inputs needs them)"],
    ]);
    expect(issues(() => admit(req(), p, { in: dense(2, 1, 2, 3), x: dense(9, 1, 2, 3) }, limits())).map((i) => i.code)).toEqual(["unknown-input"]);
  });

  test("recorded layers must exist", () => {
    expect(admit(req({ record: ["lif", "in"] }), p, { in: dense(3, 1, 2, 3) }, limits())).toEqual({ steps: 3, batch: 1 });
    expect(issues(() => admit(req({ record: ["lif", "h"] }), p, { in: dense(3, 1, 2, 3) }, limits()))).toEqual([
      { code: "unknown-layer", path: ["record", "h"], message: `no layer "h" to record; layers: ${p.layers.map((l) => l.name).join(", ")}` },
    ]);
  });

  test("steps, batch and work are refused just past their limits, not at them", () => {
    const L = limits({ maxSteps: 10, maxBatch: 3, maxWork: 10 * 3 * 4 });
    expect(admit(req({ steps: 10, batch: 3 }), p, { in: dense(1, 1, 2, 3) }, L)).toEqual({ steps: 10, batch: 3 });
    expect(issues(() => admit(req({ steps: 11 }), p, { in: dense(1, 1, 2, 3) }, L))).toEqual([
      { code: "over-limit", path: ["steps"], message: "steps 11 exceeds this server's limit of 10" },
    ]);
    expect(issues(() => admit(req({ batch: 4 }), p, { in: dense(1, 1, 2, 3) }, L)).map((i) => i.message)).toEqual(["batch 4 exceeds this server's limit of 3"]);
    expect(issues(() => admit(req({ steps: 10, batch: 3 }), p, { in: dense(1, 1, 2, 3) }, { ...L, maxWork: 119 }))).toEqual([
      { code: "over-limit", path: ["work"], message: "work 120 exceeds this server's limit of 119" },
    ]);
  });
});
