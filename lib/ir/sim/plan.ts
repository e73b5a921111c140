/**
 * Compiles an analysed graph into a plan: every node gets a preallocated [B, N] output buffer
 * and a kernel; each step runs, in evaluation order, "sum the inputs, step the kernel".
 * A node with one incoming edge reads its source's buffer directly. A recurrent edge's source
 * comes later in the order (or is the node itself), so its buffer still holds the previous
 * step's output when read: that is the one-step delay, with zeros at t = 0.
 */
import { IssueList } from "../errors.js";
import type { Edge } from "../graph.js";
import { numel } from "../graph.js";
import { portCount, specOf } from "../nodes.js";
import type { AnalysedGraph } from "../validate.js";
import { buildKernel } from "./kernels/index.js";
import type { Kernel } from "./kernels/kernel.js";
import type { ResolvedOptions } from "./options.js";
import { alloc } from "./params.js";
import type { Buf, SimInit } from "./types.js";

/** One compiled node. */
export interface PlanNode {
  name: string;
  /** Elements per sample. */
  n: number;
  out: Buf;
  kernel: Kernel;
  spiking: boolean;
}

/** A compiled graph: `step(t)` advances every node by one step. */
export interface Plan {
  nodes: Map<string, PlanNode>;
  step(t: number): void;
}

/** Builds the plan, or throws one PhasorError listing every parameter and init problem. */
export function compilePlan(g: AnalysedGraph, o: ResolvedOptions, init: SimInit = {}): Plan {
  const issues = new IssueList();
  const outs = new Map(g.order.map((name) => [name, alloc(o.dtype, o.batch * numel(g.shapes[name].output))]));
  const incoming = new Map<string, Edge[]>();
  for (const e of g.edges) incoming.set(e.dst, [...(incoming.get(e.dst) ?? []), e]);
  const nodes = new Map<string, PlanNode>();
  const ops: Array<(t: number) => void> = [];
  for (const name of g.order) {
    const node = g.nodes[name];
    const { input: inShape, output: outShape } = g.shapes[name];
    const nIn = numel(inShape);
    const inputs: Buf[] = [];
    for (let p = 0; p < portCount(node); p++) {
      const edges = (incoming.get(name) ?? []).filter((e) => (e.port ?? 0) === p);
      for (const e of edges)
        if (numel(g.shapes[e.src].output) !== nIn)
          issues.add("shape-mismatch", [name], `edge ${e.src} -> ${name}: ${e.src} outputs [${g.shapes[e.src].output}] but ${name} takes [${inShape}]`);
      const { buf, gather } = summedInput(edges.map((e) => outs.get(e.src)!), o.dtype, o.batch * nIn);
      inputs.push(buf);
      if (gather) ops.push(gather);
    }
    const out = outs.get(name)!;
    const feeder = o.feeders.get(name);
    const source = feeder && ((t: number, buf: Buf) => feeder.fill(t, buf, o.batch));
    const { batch, dt, dtype, integrator, reset, spikes, current } = o;
    const kernel = buildKernel({ name, node, batch, dt, dtype, integrator, reset, spikes, current, inShape, outShape, inputs, out, source, issues });
    ops.push((t) => kernel.step(t));
    nodes.set(name, { name, n: numel(outShape), out, kernel, spiking: specOf(node.type)!.spiking });
  }
  issues.throwIfAny();
  applyInit(nodes, init, o.batch, issues);
  issues.throwIfAny();
  return {
    nodes,
    step(t) {
      for (let k = 0; k < ops.length; k++) ops[k](t);
    },
  };
}

/** The buffer a port reads: its single source's output, a zero buffer, or a sum refreshed by `gather`. */
function summedInput(srcs: Buf[], dtype: "float64" | "float32", size: number): { buf: Buf; gather?: () => void } {
  if (srcs.length === 1) return { buf: srcs[0] };
  const buf = alloc(dtype, size);
  if (srcs.length === 0) return { buf };
  const gather = () => {
    buf.set(srcs[0]);
    for (let s = 1; s < srcs.length; s++) {
      const src = srcs[s];
      for (let j = 0; j < size; j++) buf[j] += src[j];
    }
  };
  return { buf, gather };
}

/** Writes initial state: N values go to every batch, B * N values are taken as they are. */
function applyInit(nodes: Map<string, PlanNode>, init: SimInit, batch: number, issues: IssueList): void {
  for (const [name, vars] of Object.entries(init)) {
    const p = nodes.get(name);
    if (!p) continue; // reported by resolveOptions
    for (const [v, values] of Object.entries(vars)) {
      const buf = p.kernel.state[v];
      const known = Object.keys(p.kernel.state);
      if (!buf) {
        issues.add("unknown-variable", ["init", name, v], `${name} has no state variable "${v}"; it has ${known.length ? known.join(", ") : "none"}`);
        continue;
      }
      if (values.length !== p.n && values.length !== batch * p.n) {
        issues.add("bad-option", ["init", name, v], `has ${values.length} values; expected ${p.n} (one per neuron) or ${batch * p.n} (batch x neurons)`);
        continue;
      }
      for (let j = 0; j < batch * p.n; j++) buf[j] = values[j % values.length];
    }
  }
}
