// The VM's WebAssembly neuron kernels against its JavaScript kernels (PHASOR_VM_WASM=0):
// identical spikes and identical membrane traces, bit for bit, with and without a refractory
// period, with reset to zero and by subtraction, on float and fixed-point targets, on a layer
// whose size is not a multiple of the kernels' block (so the scalar tail runs too). And the
// refractory countdown that `inspect` reports.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT } from "./kernel-client.js";

const SCRIPT = `
const phasor = require(${JSON.stringify(join(ROOT, "dist", "lib", "index.js"))});
const { Rng } = require(${JSON.stringify(join(ROOT, "dist", "lib", "ir", "random.js"))});
const [net, tRef, reset, target] = JSON.parse(process.argv[1]);
let graph, init, input, steps = 400, layers;
if (net === "cuba") {
  const m = phasor.cubaNetwork({ seed: 3, n: 403, nExc: 322, p: 0.1 });
  m.graph.nodes.P.t_ref.data.fill(tRef);
  graph = m.graph; init = m.init; layers = ["P"];
} else {
  // Feed-forward: input -> A (203) -> B (101), two-port layers; A's spikes reach B's memory.
  const rng = new Rng(7);
  const conn = (pre, post, p) => { const i = [], j = []; for (let a = 0; a < pre; a++) for (let b = 0; b < post; b++) if (rng.random() < p) { i.push(a); j.push(b); } return { i, j }; };
  const P = (n) => ({ size: n, tau_syn: [5e-3, 10e-3], tau_mem: 20e-3, r: 1, v_leak: 0, v_threshold: 1, v_reset: 0, t_ref: tRef });
  graph = phasor.graph().input("in", [40])
    .sparse("Sin", { pre: 40, post: 203, ...conn(40, 203, 0.3), weight: 30 }, { from: "in" })
    .multiCubaLIF("A", P(203), { from: null })
    .sparse("Sab", { pre: 203, post: 101, ...conn(203, 101, 0.2), weight: 12 }, { from: "A" })
    .multiCubaLIF("B", P(101), { from: null })
    .connect("Sin", "A", 0).connect("Sab", "B", 1).output("o", { from: "B" }).build();
  const data = new Float64Array(steps * 40);
  for (let k = 0; k < data.length; k++) data[k] = rng.random() < 0.1 ? 1 : 0;
  input = { in: { data, shape: [steps, 40] } }; layers = ["A", "B"];
}
const p = target === "float" ? phasor.vm.floatProgram(graph, undefined, { reset }) : phasor.compile(graph, target, { reset });
const s = new phasor.vm.VmSession(p, { steps, init, input, record: layers });
s.step(steps);
const r = s.result();
process.stdout.write(JSON.stringify({
  wasm: layers.map((l) => !!s.net.states[s.net.layerIndex(l)].kernel),
  spikes: layers.flatMap((l) => r.spikes[l]),
  v: layers.flatMap((l) => Array.from(r.records[l].v)),
  spike: layers.flatMap((l) => Array.from(r.records[l].spike)),
}));
`;

function run(args: unknown[], wasm: boolean): { wasm: boolean[]; spikes: unknown; v: number[]; spike: number[] } {
  const out = execFileSync(process.execPath, ["-e", SCRIPT, JSON.stringify(args)], { encoding: "utf8", env: { ...process.env, PHASOR_VM_WASM: wasm ? "1" : "0" }, maxBuffer: 1 << 28 });
  return JSON.parse(out) as { wasm: boolean[]; spikes: unknown; v: number[]; spike: number[] };
}

describe("VM neuron kernels", () => {
  const cases = ["cuba", "feed-forward"].flatMap((net) => [5e-3, 0].flatMap((tRef) => (["zero", "subtract"] as const).flatMap((reset) => ["float", "generic-mesh"].map((target) => [net, tRef, reset, target] as const))));
  test.each(cases)("%s, t_ref %s, reset %s, %s: WebAssembly == JavaScript, spikes, v and the spike trace bit for bit", (net, tRef, reset, target) => {
    const w = run([net, tRef, reset, target], true), j = run([net, tRef, reset, target], false);
    // The last layer has WebAssembly kernels (a fixed-point layer fed graded input may not); none without them.
    expect(w.wasm.at(-1)).toBe(true);
    expect(j.wasm).not.toContain(true);
    expect((w.spikes as unknown[]).length).toBeGreaterThan(50);
    expect(w.spikes).toEqual(j.spikes);
    expect(w.v).toEqual(j.v);
    // The recorded spike trace (each step's out): 1 where a neuron spiked, 0 elsewhere, in both.
    expect(w.spike).toEqual(j.spike);
    expect(w.spike.filter((x) => x === 1).length).toBe((w.spikes as unknown[]).length);
  }, 60_000);

  test("inspect reports the refractory steps left, counting down after a spike", async () => {
    const phasor = await import("../lib/index.js");
    const m = phasor.cubaNetwork({ seed: 3, n: 403, nExc: 322, p: 0.1 });
    const s = new phasor.vm.VmSession(phasor.vm.floatProgram(m.graph), { steps: 400, init: m.init });
    let spiked = -1;
    for (let t = 0; t < 400 && spiked < 0; t++) {
      s.step(1);
      const r = s.inspect({ layer: "P" }).refractory;
      spiked = r.findIndex((x) => x > 0);
    }
    expect(spiked).toBeGreaterThanOrEqual(0);
    // t_ref 5 ms at dt 0.1 ms: 50 steps refractory after the spike, then free again.
    expect(s.inspect({ layer: "P" }).refractory[spiked]).toBe(50);
    s.step(1);
    expect(s.inspect({ layer: "P" }).refractory[spiked]).toBe(49);
    s.step(49);
    expect(s.inspect({ layer: "P" }).refractory[spiked]).toBe(0);
  });
});
