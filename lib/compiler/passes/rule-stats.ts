/**
 * What the compiler needs of a procedural projection without storing its synapses: its largest
 * weight and delay (for the weight scale and the delay ring), its expected fan-in per core and
 * its expected traffic. The maxima are the materialised form's, exactly (so a procedural and a
 * materialised compile quantise alike): every row is streamed through the rule's own generator
 * streams (targets drawn and dropped, values kept only as running maxima), in O(1) memory. A ProceduralProjection node's CSR form is built only if something asks for it.
 */
import type { NodeOf } from "../../ir/graph.js";
import { RowGenerator, expectedSynapses, materialise, rowKey, type Distribution, type ProceduralSpec } from "../../ir/procedural.js";
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
  const w = new Scan(spec.weight, Math.abs), d = spec.delay ? new Scan(spec.delay, (x) => x) : undefined;
  for (let i = 0; i < spec.pre; i++) {
    const rng = new Rng(rowKey(spec.seed, 1, i));
    let n = 0;
    if (r.kind === "fixed-probability") for (const _ of rng.bernoulliIndices(spec.post, r.p)) n++;
    else {
      n = lengths ? lengths.rowLength(i) : (r as { k: number }).k;
      for (let m = 0; m < n; m++) rng.random();
    }
    w.scan(rng, n);
    d?.scan(rng, n);
  }
  return { maxAbsWeight: w.max, maxDelay: d?.max ?? 0 };
}

/**
 * The largest f(value) of a distribution's draws, consuming the generator as sampleInto does:
 * normal values come two per Box-Muller pair (cosine, then sine), each outside `redraw` dropped
 * (the next value taken instead), kept values clipped to [min, max]. A pair whose radius r is
 * too small for either value to be redrawn or to beat the running maximum is passed over without
 * its logarithm and trigonometry (r < R exactly when its first uniform is below 1 - exp(-R^2 / 2sd^2)).
 */
class Scan {
  max = 0;
  private skip = 0;
  private readonly lo: number; private readonly hi: number; private readonly rlo: number; private readonly rhi: number;

  constructor(private readonly d: Distribution, private readonly f: (x: number) => number) {
    const n = d as Extract<Distribution, { kind: "normal" }>;
    this.lo = n.min ?? -Infinity; this.hi = n.max ?? Infinity;
    this.rlo = n.redraw?.min ?? -Infinity; this.rhi = n.redraw?.max ?? Infinity;
    this.update();
  }

  /** The draws of one row of n values. */
  scan(rng: Rng, n: number): void {
    const d = this.d;
    if (d.kind === "constant") { if (n > 0) this.see(d.value); return; }
    if (d.kind === "uniform") { for (let m = 0; m < n; m++) this.see(d.low + (d.high - d.low) * rng.random()); return; }
    for (let kept = 0; kept < n; ) {
      const u = rng.random(), a = rng.random();
      if (u < this.skip) { kept += 2; continue; }
      const rad = d.sd * Math.sqrt(-2 * Math.log(1 - u)), x = d.mean + rad * Math.cos(2 * Math.PI * a);
      if (x >= this.rlo && x <= this.rhi) { this.see(x); kept++; }
      if (kept >= n) break;
      const y = d.mean + rad * Math.sin(2 * Math.PI * a);
      if (y >= this.rlo && y <= this.rhi) { this.see(y); kept++; }
    }
  }

  private see(x: number): void {
    const v = this.f(Math.min(this.hi, Math.max(this.lo, x)));
    if (v > this.max) { this.max = v; this.update(); }
  }

  /** The first-uniform threshold below which a pair can neither be redrawn nor raise the maximum. */
  private update(): void {
    const d = this.d;
    if (d.kind !== "normal" || !(d.sd > 0)) { this.skip = 0; return; }
    const clip = (x: number) => this.f(Math.min(this.hi, Math.max(this.lo, x)));
    const boring = (r: number) => d.mean - r >= this.rlo && d.mean + r <= this.rhi && clip(d.mean - r) <= this.max && clip(d.mean + r) <= this.max;
    let a = 0, b = 64 * d.sd;
    if (!boring(0)) { this.skip = 0; return; }
    for (let k = 0; k < 60; k++) { const m = (a + b) / 2; if (boring(m)) a = m; else b = m; }
    this.skip = 1 - Math.exp(-(((a * (1 - 1e-9)) / d.sd) ** 2) / 2);
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
