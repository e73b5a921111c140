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
const [tRef, reset, target] = JSON.parse(process.argv[1]);
const m = phasor.cubaNetwork({ seed: 3, n: 403, nExc: 322, p: 0.1 });
m.graph.nodes.P.t_ref.data.fill(tRef);
const p = target === "float" ? phasor.vm.floatProgram(m.graph, undefined, { reset }) : phasor.compile(m.graph, target, { reset });
const s = new phasor.vm.VmSession(p, { steps: 400, init: m.init, record: ["P"] });
s.step(400);
const r = s.result();
process.stdout.write(JSON.stringify({ wasm: !!s.net.states[0].kernel, spikes: r.spikes.P, v: Array.from(r.records.P.v), spike: Array.from(r.records.P.spike) }));
`;

function run(args: unknown[], wasm: boolean): { wasm: boolean; spikes: unknown; v: number[]; spike: number[] } {
  const out = execFileSync(process.execPath, ["-e", SCRIPT, JSON.stringify(args)], { encoding: "utf8", env: { ...process.env, PHASOR_VM_WASM: wasm ? "1" : "0" }, maxBuffer: 1 << 28 });
  return JSON.parse(out) as { wasm: boolean; spikes: unknown; v: number[]; spike: number[] };
}

describe("VM neuron kernels", () => {
  const cases = [5e-3, 0].flatMap((tRef) => (["zero", "subtract"] as const).flatMap((reset) => ["float", "generic-mesh"].map((target) => [tRef, reset, target] as const)));
  test.each(cases)("t_ref %s, reset %s, %s: WebAssembly == JavaScript, spikes, v and the spike trace bit for bit", (tRef, reset, target) => {
    const w = run([tRef, reset, target], true), j = run([tRef, reset, target], false);
    expect(w.wasm).toBe(true);
    expect(j.wasm).toBe(false);
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
