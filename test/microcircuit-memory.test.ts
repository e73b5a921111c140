/**
 * Memory of materialised projections (issue 18 part 3): a rule compiled "materialised" is built
 * once, by lowering, into the same synapses the graph-side CSR holds; the Program shares them
 * with no copy, and the VM reads the Program's own index and weight arrays.
 */
import { describe, expect, it } from "vitest";
import { microcircuit } from "../lib/ir/models/microcircuit.js";
import { compileUntil } from "../lib/compiler/pipeline.js";
import { isBuilt } from "../lib/compiler/passes/rule-stats.js";
import type { Program } from "../lib/compiler/program.js";
import { floatProgram, genericMeshFloat, VmSession } from "../lib/vm/index.js";

const dt = 1e-4, opts = { seed: 5, dt, scale: 0.01, kScale: 0.05 };
const target = genericMeshFloat({ width: 8, height: 8, synapsesPerCore: 1 << 22, fanIn: 1 << 16 });

/** Every projection blob of a Program by name, as bytes. */
function projectionBlobs(p: Program): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, a] of Object.entries(p.blobs)) if (k.startsWith("proj/")) out[k] = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return out;
}

describe("materialised projections without copies", () => {
  it("a rule compiled materialised gives the Program the graph-side CSR gives, byte for byte", () => {
    const fromRule = floatProgram(microcircuit({ ...opts, connectivity: "procedural" }).graph, target, { dt, connectivity: "materialised", placer: "greedy" });
    const fromCsr = floatProgram(microcircuit({ ...opts, connectivity: "materialised" }).graph, target, { dt, placer: "greedy" });
    const a = projectionBlobs(fromRule), b = projectionBlobs(fromCsr);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(Object.keys(a).filter((k) => k.endsWith("/delay")).length).toBe(fromRule.projections.filter((p) => p.csr?.delay).length);
    for (const k of Object.keys(b)) expect(Buffer.from(a[k]).equals(Buffer.from(b[k])), k).toBe(true);
  });

  it("lowering builds a materialised rule once: the op's lazy CSR stays unbuilt, delays already in steps", () => {
    const m = microcircuit({ ...opts, connectivity: "procedural" });
    const s = compileUntil(m.graph, target, { dt, connectivity: "materialised", placer: "greedy" }, "lower");
    const p = s.netlist!.projections.find((q) => q.name === "L4E_L23E")!;
    expect(p.csr!.indices.length).toBe(m.synapses.L4E_L23E);
    expect(isBuilt((p.ops[0] as { csr: Parameters<typeof isBuilt>[0] }).csr)).toBe(false);
    expect(p.delaySeconds).toBeUndefined();
    expect(p.csr!.delay).toBeInstanceOf(Int32Array);
    expect(p.csr!.delay!.length).toBe(p.csr!.indices.length);
  });

  it("the VM reads the Program's int32 indices, row pointers and float64 weights themselves", () => {
    const program = floatProgram(microcircuit({ ...opts, connectivity: "procedural", drive: "dc" }).graph, target, { dt, connectivity: "materialised", placer: "greedy" });
    const session = new VmSession(program, { steps: 1 });
    for (const pr of session.model.projections) {
      const c = program.projections[pr.index].csr!;
      expect(pr.indices).toBe(program.blobs[c.indices]);
      expect(pr.indptr).toBe(program.blobs[c.indptr]);
      expect(pr.weight).toBe(program.blobs[c.weight]);
    }
  });
});
