// An input layer's sample as the VM feeds it: zeros (a -0 included) reach the run as +0 and are no events;
// each nonzero value is one event (binary for 1, graded otherwise), as its recorded output and counters show.
import { describe, expect, test } from "vitest";
import { graph } from "../lib/ir/builders.js";
import { floatProgram, runProgram } from "../lib/vm/index.js";

describe("VM input feed", () => {
  test("a -0 in the input is recorded as +0 and counted as no event; 1 is a binary event, 2 and -1 graded", () => {
    const g = graph().input("in", [4])
      .sparse("S", { pre: 4, post: 2, i: [0, 1, 2, 3], j: [0, 0, 1, 1], weight: 0.1 }, { from: "in" })
      .lif("A", { size: 2, tau: 20e-3, v_threshold: 10 }, { from: null }).connect("S", "A").output("o", { from: "A" }).build();
    const data = new Float64Array([-0, 1, 2, 0, /* step 1 */ 0, -0, -1, 1]);
    const r = runProgram(floatProgram(g, undefined, { dt: 1e-3 }), { steps: 2, input: { in: { data, shape: [2, 4] } }, record: ["in"] });
    const out = Array.from(r.records.in.spike);
    expect(out).toEqual([0, 1, 2, 0, 0, 0, -1, 1]);
    // toEqual tells -0 from +0 only through Object.is: check the zeros one by one.
    for (const k of [0, 3, 4, 5]) expect(Object.is(out[k], 0), `entry ${k}`).toBe(true);
    // Events: 1, 2 at step 0 and -1, 1 at step 1: four in all, reaching one synapse each.
    expect(r.counters.layers.in.spikes).toBe(4);
    expect(r.counters.total.synOpsAC).toBe(2);
    expect(r.counters.total.synOpsMAC).toBe(2);
  });
});
