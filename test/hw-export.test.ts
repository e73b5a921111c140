// The export runner: a compiled network written as NIR + manifest reads back with the NIR
// reader and simulates (reference simulator, forward Euler at the program's dt) to the same
// spikes as the VM running the Program.
import { describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../lib/compiler/index.js";
import { readNir } from "../lib/ir/nir/index.js";
import { simulate } from "../lib/ir/sim/index.js";
import { floatProgram, runProgram, spikeAgreement } from "../lib/vm/index.js";
import { createRunner, programToNirGraph, type ExportManifest } from "../lib/hw/index.js";
import { ifNet, randomSpikes } from "./vm-networks.js";

describe("export runner", () => {
  test("the export reads back with the NIR reader and simulates to the VM's spikes", async () => {
    // A float64 generic mesh: the VM then computes exactly what the exported ODEs say (a fixed-point target adds rounding the NIR file cannot carry).
    const p = floatProgram(ifNet(), undefined, { reset: "zero" });
    const dir = mkdtempSync(join(tmpdir(), "phasor-export-"));
    const runner = createRunner("export", { dir });
    const info = await runner.deploy(p);
    expect(info.files?.map((f) => f.slice(dir.length + 1))).toEqual(["network.nir", "manifest.json"]);
    await expect(runner.run(undefined)).rejects.toMatchObject({ code: "export-only" });
    const m: ExportManifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(m.program).toMatchObject({ dt: p.options.dt, reset: "zero", integrator: "euler" });
    expect(m.toolchains.map((t) => t.name)).toEqual(["lava", "rockpool", "sinabs", "spinnaker2"]);
    for (const t of m.toolchains) expect(t.dtConvention.length).toBeGreaterThan(40);
    expect(m.toolchains.find((t) => t.name === "rockpool")).toMatchObject({ importable: false, unsupported: expect.arrayContaining(["IF"]) });

    const g = await readNir(join(dir, "network.nir"));
    const steps = 120, input = randomSpikes([16], steps, 0.3, 7);
    const sim = simulate(g, { dt: p.options.dt, steps, input, reset: "zero" });
    const vm = runProgram(p, { input });
    const same = simulate(programToNirGraph(p), { dt: p.options.dt, steps, input, reset: "zero" });
    for (const layer of ["h", "out"]) {
      expect(vm.spikes[layer].length).toBeGreaterThan(20);
      expect(sim.spikes[layer]).toEqual(same.spikes[layer]);
      expect(sim.spikes[layer]).toEqual(vm.spikes[layer]);
    }
  });

  test("a fixed-point program exports its dequantised network: the read-back file simulates exactly like it", async () => {
    const p = compile(ifNet(), "generic-mesh", { reset: "zero" });
    const dir = mkdtempSync(join(tmpdir(), "phasor-export-q-"));
    await createRunner("export", { dir }).deploy(p);
    const steps = 120, input = randomSpikes([16], steps, 0.3, 8);
    const sim = simulate(await readNir(join(dir, "network.nir")), { dt: p.options.dt, steps, input, reset: "zero" });
    const same = simulate(programToNirGraph(p), { dt: p.options.dt, steps, input, reset: "zero" });
    const vm = runProgram(p, { input });
    for (const layer of ["h", "out"]) {
      expect(sim.spikes[layer]).toEqual(same.spikes[layer]);
      const a = spikeAgreement(vm.spikes[layer], sim.spikes[layer]);
      console.log(`export of fixed-point ${layer}: ${JSON.stringify(a)}`);
      expect(a.counts).toBeGreaterThan(0.95);
    }
  });
});
