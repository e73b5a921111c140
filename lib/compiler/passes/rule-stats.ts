/**
 * What the compiler needs of a procedural projection without storing its synapses: its largest
 * weight and delay (for the weight scale and the delay ring), its expected fan-in per core and
 * its expected traffic. The maxima are the materialised form's, exactly (so a procedural and a
 * materialised compile quantise alike): every row is streamed through the rule's own generator
 * streams (targets drawn and dropped, values kept only as running maxima), in one row's memory. A ProceduralProjection node's CSR form is built only if something asks for it.
 */
import type { NodeOf } from "../../ir/graph.js";
import { RowGenerator, expectedSynapses, materialise, rowKey, sampleInto, type Distribution, type ProceduralSpec } from "../../ir/procedural.js";
import { Rng } from "../../ir/random.js";

/** Largest |weight| (graph units, before the port's gain) and delay (seconds) of a rule's synapses, and their number (expected for fixed probability). */
export interface RuleStats { maxAbsWeight: number; maxDelay: number; synapses: number }

/** The CSR form of a ProceduralProjection, materialised on first access to its arrays. */
export function lazyCsr(spec: ProceduralSpec): NodeOf<"SparseProjection"> {
  let m: ReturnType<typeof materialise> | undefined;
  const get = () => (m ??= materialise(spec));
  const o = { type: "SparseProjection", pre: spec.pre, post: spec.post } as NodeOf<"SparseProjection">;
  const field = (k: "indptr" | "indices" | "weight" | "delay") => ({ enumerable: true, get: () => get()[k] });
  Object.defineProperties(o, { indptr: field("indptr"), indices: field("indices"), weight: field("weight"), ...(spec.delay ? { delay: field("delay") } : {}) });
  Object.defineProperty(o, BUILT, { get: () => m !== undefined });
  return o;
}

const BUILT = Symbol("built");

/** Whether a SparseProjection's synapses exist in memory (false only for a lazy CSR never read). */
export function isBuilt(csr: NodeOf<"SparseProjection">): boolean {
  return (csr as unknown as Record<symbol, boolean | undefined>)[BUILT] ?? true;
}

/** Largest |weight| and delay of a rule's synapses, exactly as its materialised form holds them (one pass over the rows). */
export function ruleStats(spec: ProceduralSpec): RuleStats {
  return { ...streamMaxima(spec), synapses: Math.round(expectedSynapses(spec)) };
}

/** Running maxima over every row, drawn exactly as RowGenerator draws them (targets first, then weights, then delays). */
function streamMaxima(spec: ProceduralSpec): { maxAbsWeight: number; maxDelay: number } {
  const r = spec.rule, lengths = r.kind === "fixed-total" ? new RowGenerator(spec) : undefined;
  const w = new Scan(spec.weight, true), d = spec.delay ? new Scan(spec.delay, false) : undefined;
  let targets = new Int32Array(64);
  for (let i = 0; i < spec.pre; i++) {
    const rng = new Rng(rowKey(spec.seed, 1, i));
    let n = 0;
    if (r.kind === "fixed-probability") for (const _ of rng.bernoulliIndices(spec.post, r.p)) n++;
    else {
      n = lengths ? lengths.rowLength(i) : (r as { k: number }).k;
      if (n > targets.length) targets = new Int32Array(Math.max(n, 2 * targets.length));
      rng.intsInto(targets, n, 1);
    }
    w.scan(rng, n);
    d?.scan(rng, n);
  }
  return { maxAbsWeight: w.max, maxDelay: d?.max ?? 0 };
}

/** The largest value (or |value|) of a distribution's draws, drawn by sampleInto itself (consuming the generator alike). */
class Scan {
  max = 0;
  private buf = new Float64Array(64);

  constructor(private readonly d: Distribution, private readonly abs: boolean) {}

  /** The draws of one row of n values. */
  scan(rng: Rng, n: number): void {
    if (n > this.buf.length) this.buf = new Float64Array(Math.max(n, 2 * this.buf.length));
    const b = this.buf, abs = this.abs;
    sampleInto(rng, this.d, b, n);
    for (let m = 0; m < n; m++) { const v = abs ? Math.abs(b[m]) : b[m]; if (v > this.max) this.max = v; }
  }
}

/** Mean synapses per presynaptic neuron. */
export function meanRowLength(spec: ProceduralSpec): number {
  return expectedSynapses(spec) / spec.pre;
}

/** Expected distinct presynaptic neurons reaching `count` neurons of the destination (rows of mean length, targets uniform). */
export function expectedFanIn(spec: ProceduralSpec, count: number): number {
  return spec.pre * (1 - Math.exp(meanRowLength(spec) * Math.log1p(-Math.min(1, count / spec.post))));
}
