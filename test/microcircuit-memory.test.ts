/**
 * Memory of materialised projections (issue 18 part 3): a rule compiled "materialised" is built
 * once, by lowering, into the same synapses the graph-side CSR holds; the Program shares them
 * with no copy, and the VM reads the Program's own index and weight arrays.
 */
import { describe, expect, it } from "vitest";
import { microcircuit, poissonDrive } from "../lib/ir/models/microcircuit.js";
import { compileUntil } from "../lib/compiler/pipeline.js";
import { isBuilt } from "../lib/compiler/passes/rule-stats.js";
import type { Program } from "../lib/compiler/program.js";
import type { Graph } from "../lib/ir/graph.js";
import { floatProgram, genericMeshFloat, VmSession } from "../lib/vm/index.js";

const dt = 1e-4, opts = { seed: 5, dt, scale: 0.01, kScale: 0.05 };
const target = genericMeshFloat({ width: 8, height: 8, synapsesPerCore: 1 << 22, fanIn: 1 << 16 });

/** Every projection blob of a Program by name, as bytes. */
function projectionBlobs(p: Program): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, a] of Object.entries(p.blobs)) {
    if (k.startsWith("proj/")) out[k] = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  }
  return out;
}

describe("materialised projections without copies", () => {
  it("a rule compiled materialised gives the Program the graph-side CSR gives, byte for byte", () => {
    const rules = microcircuit({ ...opts, connectivity: "procedural" }).graph;
    const fromRule = floatProgram(rules, target, { dt, connectivity: "materialised", placer: "greedy" });
    const fromCsr = floatProgram(microcircuit({ ...opts, connectivity: "materialised" }).graph, target, { dt, placer: "greedy" });
    const a = projectionBlobs(fromRule), b = projectionBlobs(fromCsr);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    const delays = fromRule.projections.filter((p) => p.csr?.delay).length;
    expect(Object.keys(a).filter((k) => k.endsWith("/delay")).length).toBe(delays);
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
    const graph = microcircuit({ ...opts, connectivity: "procedural", drive: "dc" }).graph;
    const program = floatProgram(graph, target, { dt, connectivity: "materialised", placer: "greedy" });
    const session = new VmSession(program, { steps: 1 });
    for (const pr of session.model.projections) {
      const c = program.projections[pr.index].csr!;
      expect(pr.indices).toBe(program.blobs[c.indices]);
      expect(pr.indptr).toBe(program.blobs[c.indptr]);
      expect(pr.weight).toBe(program.blobs[c.weight]);
    }
  });
});

describe("result of a procedural run: each row generated once for counters and NeuroBench", () => {
  it("gives the materialised run's counters and metrics; each row generated once (routes, counts, nonzeros)", () => {
    const steps = 60, m = microcircuit({ ...opts, connectivity: "procedural" }), input = poissonDrive(m, steps, dt, 6);
    const run = (connectivity: "materialised" | "procedural") => {
      const program = floatProgram(m.graph, target, { dt, connectivity, placer: "greedy" });
      const s = new VmSession(program, { steps, input, init: m.init });
      s.step(steps);
      const calls = { n: 0 };
      for (const pr of s.model.projections) {
        if (!pr.rows) continue;
        const g = pr.rows.gen, row = g.row.bind(g);
        g.row = (i) => { calls.n++; return row(i); };
      }
      const first = s.result(), n1 = calls.n, second = s.result();
      const rows = s.model.projections.filter((pr) => pr.rows).reduce((a, pr) => a + s.model.layers[pr.src].size, 0);
      return { first, second, n1, n2: calls.n - n1, rows };
    };
    const mat = run("materialised"), pro = run("procedural");
    expect(pro.first.counters).toEqual(mat.first.counters);
    // NeuroBench's metrics alike; only Phasor's hardware memory differs (a procedural projection stores no synapses).
    const same = (r: typeof mat.first) => ({ ...r.neurobench, hardware: { ...r.neurobench.hardware, memoryBytes: 0 } });
    expect(same(pro.first)).toEqual(same(mat.first));
    expect(pro.first.neurobench.hardware.memoryBytes).toBeLessThan(mat.first.neurobench.hardware.memoryBytes);
    expect(pro.first.counters.total.synOpsDense).toBeGreaterThan(0);
    expect(pro.rows).toBeGreaterThan(0);
    // The rows' counts serve the routes, the counters and NeuroBench: one generation of each row, none on a second call.
    expect(pro.n1).toBe(pro.rows);
    expect(pro.n2).toBe(0);
    expect(pro.second.counters).toEqual(pro.first.counters);
  }, 60_000);
});

describe("per-row counts past 16 bits", () => {
  it("a procedural row of 70,000 synapses onto one neuron counts all of them (the count table widens)", () => {
    const lif = { type: "LIF", tau: { shape: [1], data: Float64Array.of(1e-2) }, r: { shape: [1], data: Float64Array.of(1) },
      v_leak: { shape: [1], data: Float64Array.of(0) }, v_threshold: { shape: [1], data: Float64Array.of(0.5) } };
    const rule = { kind: "fixed-total", n: 70_000, multapses: true };
    const proc = { type: "ProceduralProjection", pre: 1, post: 1, rule, weight: { kind: "constant", value: 1e-3 }, seed: 2 };
    const g = { type: "NIRGraph", nodes: { x: { type: "Input", shape: [1] }, p: proc, n: lif },
      edges: [{ src: "x", dst: "p" }, { src: "p", dst: "n" }] } as unknown as Graph;
    const program = floatProgram(g, genericMeshFloat(), { dt, connectivity: "procedural", placer: "greedy" });
    expect(program.projections[0].procedural).toBeDefined();
    const r = new VmSession(program, { steps: 3, input: { data: Float64Array.of(1, 0, 0), shape: [3, 1] } }).run();
    expect(r.counters.total.synOpsAC).toBe(70_000);
    expect(r.counters.total.synOpsDense).toBe(3 * 70_000);
  });
});
