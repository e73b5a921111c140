/**
 * The microcircuit's external Poisson drive drawn per step (poissonStream) instead of held
 * (poissonDrive): the same counts, byte for byte, at any step alone; the same VM run (spikes,
 * counters) and the same reference simulation with either form.
 */
import { describe, expect, it } from "vitest";
import { microcircuit, poissonDrive, poissonStream, POPULATIONS } from "../lib/ir/models/microcircuit.js";
import { simulate } from "../lib/ir/sim/index.js";
import { floatProgram, genericMeshFloat, runProgram, VmSession } from "../lib/vm/index.js";
import { isPhasorError } from "../lib/ir/errors.js";
import { denseInputs } from "../lib/hw/protocol/codec.js";

const dt = 1e-4, steps = 120, seed = 6;
const m = microcircuit({ seed: 5, dt, scale: 0.01, kScale: 0.05, connectivity: "procedural" });

/** Step t of a stream input drawn alone into bytes. */
function drawn(s: ReturnType<typeof poissonStream>[string], t: number): Uint8Array {
  const out = new Float64Array(s.shape[1]);
  s.sample(t, out);
  return Uint8Array.from(out);
}

describe("poissonStream: poissonDrive's counts drawn when fed", () => {
  it("gives every population's counts byte for byte at every step, in order or alone", () => {
    const held = poissonDrive(m, steps, dt, seed), stream = poissonStream(m, steps, dt, seed);
    expect(Object.keys(stream)).toEqual(POPULATIONS.map((p) => `X_${p}`));
    for (const [name, d] of Object.entries(held)) {
      const s = stream[name], n = d.shape[1];
      expect(s.shape).toEqual(d.shape);
      const row = (t: number) => d.data.subarray(t * n, (t + 1) * n);
      for (let t = 0; t < steps; t++) expect(Buffer.from(drawn(s, t)).equals(Buffer.from(row(t))), `${name} step ${t}`).toBe(true);
      // Random access: late steps first, each as in sequence.
      for (const t of [steps - 1, 0, 57, 3]) expect([...drawn(s, t)]).toEqual([...row(t)]);
      // Counts are graded (Poisson with mean ~0.1 here): some neurons get 2 or more in a step.
      expect(d.data.some((x) => x >= 2)).toBe(true);
    }
  });

  it("draws Poisson counts: mean, variance and P(k) of K_ext x 8 Hz x dt (L4E: 2100 sources, lambda 1.68 at dt 0.1 ms, 0.168 at 0.01 ms)", () => {
    // PD14's L4E has K_ext = 2100 external inputs at 8 Hz: lambda = 2100 x 8 x 1e-4 = 1.68 per step at dt 0.1 ms
    // and 0.168 at 0.01 ms. 300 steps of ~219 neurons: 65,700 counts per lambda.
    const full = microcircuit({ seed: 5, dt, scale: 0.01, connectivity: "procedural" });
    for (const [step, lambda] of [[1e-4, 1.68], [1e-5, 0.168]]) {
      const d = poissonDrive(full, 300, step, 11).X_L4E.data, n = d.length;
      const mean = d.reduce((a, x) => a + x, 0) / n, variance = d.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
      // Standard errors: sqrt(lambda / n) for the mean; the variance's, sqrt((lambda + 2 lambda^2) / n).
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / n));
      expect(Math.abs(variance - lambda)).toBeLessThan(4 * Math.sqrt((lambda + 2 * lambda ** 2) / n));
      // Chi-square over k = 0..4 and >= 5 against e^-lambda lambda^k / k!: 5 degrees of freedom, 0.1% point 20.5.
      const expected: number[] = [];
      for (let k = 0, p = Math.exp(-lambda); k < 5; p *= lambda / ++k) expected.push(p * n);
      expected.push(n - expected.reduce((a, b) => a + b, 0));
      const seen = new Array(6).fill(0);
      for (const x of d) seen[Math.min(x, 5)]++;
      const chi2 = seen.reduce((a, o, k) => a + (o - expected[k]) ** 2 / expected[k], 0);
      expect(chi2).toBeLessThan(20.5);
    }
  });

  it("runs the VM to the same spikes and counters as the pre-drawn drive", () => {
    const target = genericMeshFloat({ synapsesPerCore: 1 << 24, fanIn: 1 << 16 });
    const program = floatProgram(m.graph, target, { dt, connectivity: "procedural", placer: "greedy" });
    const run = (input: Parameters<typeof runProgram>[1]["input"]) => runProgram(program, { steps, input, init: m.init });
    const held = run(poissonDrive(m, steps, dt, seed)), stream = run(poissonStream(m, steps, dt, seed));
    expect(Object.values(held.spikes).reduce((a, s) => a + s.length, 0)).toBeGreaterThan(100);
    expect(stream.spikes).toEqual(held.spikes);
    expect(stream.counters).toEqual(held.counters);
    expect(stream.neurobench).toEqual(held.neurobench);
  }, 60_000);

  it("runs the reference simulator to the same spikes", () => {
    const run = (input: Parameters<typeof simulate>[1]["input"]) => simulate(m.graph, { dt, steps: 60, input, init: m.init }).spikes;
    expect(run(poissonStream(m, 60, dt, seed))).toEqual(run(poissonDrive(m, 60, dt, seed)));
  }, 60_000);

  it("is drawn whole into the arrays a remote board receives, as the pre-drawn drive is", () => {
    const target = genericMeshFloat({ synapsesPerCore: 1 << 24, fanIn: 1 << 16 });
    const program = floatProgram(m.graph, target, { dt, connectivity: "procedural", placer: "greedy" });
    const held = denseInputs(program, poissonDrive(m, 30, dt, seed)), stream = denseInputs(program, poissonStream(m, 30, dt, seed));
    expect(Object.keys(stream).sort()).toEqual(Object.keys(held).sort());
    for (const [name, d] of Object.entries(held)) {
      expect(stream[name].shape).toEqual(d.shape);
      expect([...stream[name].data]).toEqual([...d.data]);
    }
  });

  it("stops a VM run with a PhasorError naming the input and step when a sample throws", () => {
    const target = genericMeshFloat({ synapsesPerCore: 1 << 24, fanIn: 1 << 16 });
    const program = floatProgram(m.graph, target, { dt, connectivity: "procedural", placer: "greedy" });
    const input = poissonStream(m, steps, dt, seed);
    input.X_L4E = { shape: input.X_L4E.shape, sample: (t) => { if (t === 9) throw new Error("sensor gone"); } };
    const session = new VmSession(program, { steps, input, init: m.init });
    let err: unknown;
    try { session.step(steps); } catch (e) { err = e; }
    expect(isPhasorError(err)).toBe(true);
    expect((err as Error).message).toBe("input.X_L4E.sample: sample(9, out) failed at step 9: sensor gone (it must write step 9's "
      + `${m.sizes[2]} values into out)`);
  });
});
