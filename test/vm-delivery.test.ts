// Events reach a layer's input ring either added at once into their arrival slot ("ring") or queued per
// slot and added just before the slot is read ("queue", lib/vm/slot-queue.ts). Each ring entry gets the
// same additions in the same order, so every spike, membrane value and counter is the same bit for bit:
// with per-synapse delays and weights, graded input values, a recurrent projection (lag), projections with
// and without delays into one layer, slots holding several blocks of entries, fixed-point and float.
import { describe, expect, test } from "vitest";
import { graph } from "../lib/ir/builders.js";
import { Rng } from "../lib/ir/random.js";
import { compile } from "../lib/compiler/index.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { floatProgram, runProgram, VmSession } from "../lib/vm/index.js";
import { microcircuit, poissonDrive, POPULATIONS } from "../lib/ir/models/microcircuit.js";
import { BLOCK } from "../lib/vm/slot-queue.js";
import { PhasorError } from "../lib/ir/errors.js";

const steps = 300, dt = 1e-3;

/** input (60, graded 0..3) -> A (300) with delays up to 20 ms, a second input one-to-one into A, A -> A recurrent with delays. */
function net() {
  const rng = new Rng(11), coo = (pre: number, post: number, p: number, maxDelay: number, w: number) => {
    const i: number[] = [], j: number[] = [], weight: number[] = [], delay: number[] = [];
    for (let a = 0; a < pre; a++) for (let b = 0; b < post; b++) if (rng.random() < p) {
      i.push(a); j.push(b); weight.push(w * (0.5 + rng.random())); delay.push(Math.floor(rng.random() * maxDelay) * dt);
    }
    return { i, j, weight, delay };
  };
  const g = graph().input("in", [60]).input("dc", [300])
    .sparse("Sin", { pre: 60, post: 300, ...coo(60, 300, 0.5, 20, 0.08) }, { from: "in" })
    .sparse("Sdc", { pre: 300, post: 300, i: [...Array(300).keys()], j: [...Array(300).keys()], weight: 0.05 }, { from: "dc" })
    .lif("A", { size: 300, tau: 20e-3, v_threshold: 1 }, { from: null })
    .sparse("Saa", { pre: 300, post: 300, ...coo(300, 300, 0.1, 15, -0.05) }, { from: "A" })
    .connect("Sin", "A").connect("Sdc", "A").connect("Saa", "A").output("o", { from: "A" }).build();
  const data = new Float64Array(steps * 60), dc = new Float64Array(steps * 300);
  for (let k = 0; k < data.length; k++) data[k] = rng.random() < 0.6 ? 1 + Math.floor(rng.random() * 3) : 0;
  for (let k = 0; k < dc.length; k++) dc[k] = rng.random() < 0.5 ? 1 : 0;
  return { g, input: { in: { data, shape: [steps, 60] }, dc: { data: dc, shape: [steps, 300] } } };
}

describe("VM delivery: queued per slot == added at once, bit for bit", () => {
  test.each(["float", "generic-mesh"] as const)("%s: spikes, v and counters equal; slots chained blocks and the pool flushed at its cap", (kind) => {
    const { g, input } = net();
    const program = kind === "float" ? floatProgram(g, undefined, { dt }) : compile(g, genericMesh(), { dt });
    const runs = (["ring", "queue"] as const).map((delivery) => {
      const s = new VmSession(program, { steps, input, record: ["A"], delivery });
      s.step(steps);
      return { r: s.result(), queued: s.net.queued, bytes: s.net.queueBytes, flushes: s.net.queueFlushes };
    });
    expect(runs.map((x) => x.queued)).toEqual([false, true]);
    // The pool grew past its first
    // 2 blocks per slot (21 slots), so slots chained several blocks.
    expect(runs.map((x) => x.bytes > 0)).toEqual([false, true]);
    expect(runs[1].bytes).toBeGreaterThan(2 * 21 * BLOCK * 12);
    // About 5,400 entries a step: past the pool's cap (84 blocks), so the queues flushed into the ring early, in order.
    expect(runs[1].flushes).toBeGreaterThan(0);
    const [a, b] = runs.map((x) => x.r);
    expect(a.spikes.A.length).toBeGreaterThan(500);
    expect(b.spikes.A).toEqual(a.spikes.A);
    expect(Array.from(b.records.A.v)).toEqual(Array.from(a.records.A.v));
    expect(b.counters.total).toEqual(a.counters.total);
  });

  test("the microcircuit (1%, materialised): every population's spikes equal; auto adds at once for rings this small", () => {
    const m = microcircuit({ seed: 5, dt: 1e-4, scale: 0.01, connectivity: "procedural" }), n = 400;
    const p = floatProgram(m.graph, undefined, { dt: 1e-4, connectivity: "materialised", placer: "greedy" });
    const input = poissonDrive(m, n, 1e-4, 6);
    const [ring, queue, auto] = (["ring", "queue", "auto"] as const).map((delivery) => runProgram(p, { steps: n, input, init: m.init, delivery }));
    for (const pop of POPULATIONS) expect(queue.spikes[pop]).toEqual(ring.spikes[pop]);
    expect(auto.spikes).toEqual(ring.spikes);
    expect(Object.values(ring.spikes).reduce((a, s) => a + s.length, 0)).toBeGreaterThan(100);
    expect(queue.counters.total).toEqual(ring.counters.total);
    expect(new VmSession(p, { steps: 1, input, init: m.init }).net.queued).toBe(false);
  }, 60_000);

  test.each(["float", "generic-mesh"] as const)("%s: the microcircuit at 1 percent with procedural rows, queued == added at once, spike for spike", (kind) => {
    const m = microcircuit({ seed: 5, dt: 1e-4, scale: 0.01, connectivity: "procedural" }), n = 300;
    const opts = { dt: 1e-4, connectivity: "procedural", placer: "greedy" } as const;
    const p = kind === "float" ? floatProgram(m.graph, undefined, opts) : compile(m.graph, genericMesh({ synapsesPerCore: 1 << 24, fanIn: 1 << 16 }), opts);
    expect(p.projections.filter((x) => x.procedural).length).toBeGreaterThan(0);
    const input = poissonDrive(m, n, 1e-4, 6);
    const [ring, queue] = (["ring", "queue"] as const).map((delivery) => runProgram(p, { steps: n, input, init: m.init, delivery }));
    expect(Object.values(ring.spikes).reduce((a, s) => a + s.length, 0)).toBeGreaterThan(100);
    for (const pop of POPULATIONS) expect(queue.spikes[pop]).toEqual(ring.spikes[pop]);
    expect(queue.counters.total).toEqual(ring.counters.total);
  }, 60_000);

  test("an unknown delivery is refused with the choices", () => {
    const { g, input } = net();
    expect(() => new VmSession(floatProgram(g, undefined, { dt }), { steps, input, delivery: "fast" as never })).toThrow(PhasorError);
    expect(() => new VmSession(floatProgram(g, undefined, { dt }), { steps, input, delivery: "fast" as never })).toThrow(/delivery must be "auto", "ring" or "queue", got "fast"/);
  });
});
