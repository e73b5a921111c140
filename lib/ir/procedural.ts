/**
 * Procedural (rematerialised) connectivity: a connection rule, weight and delay distributions
 * and a seed, from which the synapses of one presynaptic neuron (a CSR row) are generated when
 * needed. Row i is drawn from its own counter-keyed stream (a hash of seed and i seeds a
 * xoshiro128** generator), so a row is the same whether generated alone, in any order, or all
 * at once by `materialise` (the projection's CSR form).
 *
 * Procedural rules (rows generated per presynaptic neuron): fixed probability (per-row
 * geometric skipping), fixed total number with multapses (row lengths: a multinomial drawn once
 * by counting each synapse's uniformly drawn row, O(pre) memory), fixed total number without multapses (row lengths: a
 * multivariate hypergeometric, O(pre x post) time once), fixed out-degree. Fixed in-degree is
 * defined per postsynaptic neuron and has no per-row form: it is materialised only.
 */
import { PhasorError } from "./errors.js";
import { Rng } from "./random.js";

/** How synapses are chosen. */
export type ConnectRule =
  | { kind: "fixed-probability"; p: number }
  | { kind: "fixed-total"; n: number; multapses: boolean }
  | { kind: "fixed-in-degree"; k: number; multapses: boolean }
  | { kind: "fixed-out-degree"; k: number; multapses: boolean };

/**
 * A per-synapse value: constant, uniform in [low, high), or normal; a normal value outside
 * `redraw` (NEST's redraw) is drawn again, then the value is clipped to [min, max].
 */
export type Distribution =
  | { kind: "constant"; value: number }
  | { kind: "uniform"; low: number; high: number }
  | { kind: "normal"; mean: number; sd: number; min?: number; max?: number; redraw?: { min?: number; max?: number } };

/** A procedural projection's description (all a row needs besides its index). */
export interface ProceduralSpec {
  pre: number;
  post: number;
  rule: ConnectRule;
  weight: Distribution;
  /** Delays in seconds (absent: no delay). */
  delay?: Distribution;
  seed: number;
}

/** True when rows of this rule can be generated one presynaptic neuron at a time. */
export function isRowProcedural(rule: ConnectRule): boolean {
  return rule.kind !== "fixed-in-degree";
}

/** Problems with a spec, as [field, message] pairs (empty when it is well formed). */
export function specProblems(s: ProceduralSpec): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const r = s.rule;
  if (!Number.isInteger(s.pre) || s.pre < 1) out.push(["pre", `must be a positive integer, got ${s.pre}`]);
  if (!Number.isInteger(s.post) || s.post < 1) out.push(["post", `must be a positive integer, got ${s.post}`]);
  if (!Number.isInteger(s.seed)) out.push(["seed", `must be an integer, got ${s.seed}`]);
  if (!r || typeof r !== "object") return [...out, ["rule", "missing connection rule"]];
  if (r.kind === "fixed-probability" && !(r.p >= 0 && r.p <= 1)) out.push(["rule", `p must lie in [0, 1], got ${r.p}`]);
  else if (r.kind === "fixed-total" && !(Number.isInteger(r.n) && r.n >= 0)) out.push(["rule", `n must be a non-negative integer, got ${r.n}`]);
  else if (r.kind === "fixed-total" && !r.multapses && r.n > s.pre * s.post) out.push(["rule", `n = ${r.n} exceeds pre x post = ${s.pre * s.post} without multapses`]);
  else if (r.kind === "fixed-in-degree" || r.kind === "fixed-out-degree") {
    const limit = r.kind === "fixed-in-degree" ? s.pre : s.post;
    if (!(Number.isInteger(r.k) && r.k >= 0)) out.push(["rule", `k must be a non-negative integer, got ${r.k}`]);
    else if (!r.multapses && r.k > limit) out.push(["rule", `k = ${r.k} exceeds the ${limit} candidates without multapses`]);
  } else if (!["fixed-probability", "fixed-total"].includes(r.kind))
    out.push(["rule", `unknown rule "${(r as { kind: string }).kind}"; rules: fixed-probability, fixed-total, fixed-in-degree, fixed-out-degree`]);
  for (const [f, d] of [["weight", s.weight], ["delay", s.delay]] as const) if (d) out.push(...distProblems(f, d));
  return out;
}

function distProblems(field: string, d: Distribution): Array<[string, string]> {
  if (d.kind === "constant") return Number.isFinite(d.value) ? [] : [[field, `constant must be finite, got ${d.value}`]];
  if (d.kind === "uniform") return d.low <= d.high ? [] : [[field, `uniform needs low <= high, got [${d.low}, ${d.high})`]];
  if (d.kind === "normal") {
    if (!(d.sd >= 0 && Number.isFinite(d.mean))) return [[field, `normal needs a finite mean and sd >= 0, got ${d.mean}, ${d.sd}`]];
    const lo = d.redraw?.min ?? -Infinity, hi = d.redraw?.max ?? Infinity;
    return lo <= d.mean && d.mean <= hi ? [] : [[field, `redraw range [${lo}, ${hi}] must contain the mean ${d.mean}`]];
  }
  return [[field, `unknown distribution "${(d as { kind: string }).kind}"; distributions: constant, uniform, normal`]];
}

/** A 32-bit hash of (seed, stream, index): the key of one row's generator (murmur3's finaliser). */
export function rowKey(seed: number, stream: number, index: number): number {
  let h = (seed ^ Math.imul(stream + 0x632be5ab, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ index ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (index >>> 7) ^ (h >>> 16), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

const ROWS = 1, LENGTHS = 2, COLUMNS = 3;

/** Generates rows of one procedural projection into reusable buffers (read them after each `row`). */
export class RowGenerator {
  post = new Int32Array(64);
  weight = new Float64Array(64);
  delay: Float64Array | null;
  /** Row lengths fixed at construction (fixed total number); null where a row draws its own. */
  private readonly lengths: Int32Array | null;

  constructor(readonly spec: ProceduralSpec) {
    if (!isRowProcedural(spec.rule))
      throw new PhasorError(`a ${spec.rule.kind} projection has no per-row form; materialise it (materialise())`, "not-procedural");
    this.delay = spec.delay ? new Float64Array(64) : null;
    this.lengths = spec.rule.kind === "fixed-total" ? totalRowLengths(spec, spec.rule) : null;
  }

  /** Generates row i (the synapses of presynaptic neuron i); returns its length. */
  row(i: number): number {
    const s = this.spec, r = s.rule, rng = new Rng(rowKey(s.seed, ROWS, i));
    let n = 0;
    if (r.kind === "fixed-probability") {
      for (const j of rng.bernoulliIndices(s.post, r.p)) { this.ensure(n + 1); this.post[n++] = j; }
    } else {
      n = r.kind === "fixed-total" ? this.lengths![i] : (r as { k: number }).k;
      this.ensure(n);
      const multapses = (r as { multapses: boolean }).multapses;
      drawTargets(rng, s.post, n, multapses, this.post);
    }
    this.fillValues(rng, n);
    return n;
  }

  /** Number of synapses in row i without drawing its targets where the rule fixes it (else by generating it). */
  rowLength(i: number): number {
    const r = this.spec.rule;
    if (this.lengths) return this.lengths[i];
    if (r.kind === "fixed-out-degree") return r.k;
    return this.row(i);
  }

  private fillValues(rng: Rng, n: number): void {
    sampleInto(rng, this.spec.weight, this.weight, n);
    if (this.delay) sampleInto(rng, this.spec.delay!, this.delay, n);
  }

  private ensure(n: number): void {
    if (n <= this.post.length) return;
    const size = Math.max(n, 2 * this.post.length);
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (k: number) => T): T => { const b = make(size); b.set(a); return b; };
    this.post = grow(this.post, (k) => new Int32Array(k));
    this.weight = grow(this.weight, (k) => new Float64Array(k));
    if (this.delay) this.delay = grow(this.delay, (k) => new Float64Array(k));
  }
}

const one = new Float64Array(1);

/** One draw from a distribution (as sampleInto draws it). */
export function sample(rng: Rng, d: Distribution): number {
  sampleInto(rng, d, one, 1);
  return one[0];
}

/**
 * n draws into out[0..n): the one definition of a synapse value. Uniform: low + (high - low) U.
 * Normal: mean + sd z (z from the ziggurat, Rng.normal), drawn again while outside `redraw`
 * (NEST's redraw), then clipped to [min, max].
 */
export function sampleInto(rng: Rng, d: Distribution, out: Float64Array, n: number): void {
  if (d.kind === "constant") { out.fill(d.value, 0, n); return; }
  if (d.kind === "uniform") { for (let m = 0; m < n; m++) out[m] = d.low + (d.high - d.low) * rng.random(); return; }
  const rlo = d.redraw?.min ?? -Infinity, rhi = d.redraw?.max ?? Infinity, lo = d.min ?? -Infinity, hi = d.max ?? Infinity;
  rng.normalsInto(out, n, d.mean, d.sd, rlo, rhi, lo, hi);
}

/** n targets in [0, size), ascending: uniform with replacement, or n distinct ones (Floyd's algorithm). */
function drawTargets(rng: Rng, size: number, n: number, multapses: boolean, out: Int32Array): void {
  // Rows are kept sorted by target (engines search them by range); values are drawn after, in this order.
  if (multapses) {
    rng.intsInto(out, n, size);
    return sortTargets(out, n, size);
  }
  const chosen = new Set<number>();
  for (let j = size - n; j < size; j++) {
    const t = Math.floor(rng.random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  let m = 0;
  for (const j of chosen) out[m++] = j;
  sortTargets(out, n, size);
}

let scratch = new Int32Array(64);
const digitCounts = new Int32Array(4 * 257);

/**
 * Sorts a[0..n) ascending, every value in [0, size): insertion sort for short rows, else an LSD
 * radix sort on bytes (about 5x faster than the typed array's sort on a row of 500). A sorted
 * list of integers is unique, so rows are the same as with any other sort.
 */
export function sortTargets(a: Int32Array, n: number, size: number): void {
  if (n < 48) return insertionSort(a, n);
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, 2 * scratch.length));
  let passes = 0;
  while (passes < 4 && size - 1 >= 2 ** (8 * passes)) passes++;
  const c = digitCounts, tmp = scratch;
  c.fill(0);
  // Counts of every byte in one pass, then their running sums: where each byte's run starts.
  for (let m = 0; m < n; m++) {
    const x = a[m];
    for (let d = 0; d < passes; d++) c[257 * d + ((x >>> (8 * d)) & 255) + 1]++;
  }
  for (let d = 0; d < passes; d++) for (let v = 257 * d; v < 257 * d + 256; v++) c[v + 1] += c[v];
  for (let d = 0; d < passes; d++) {
    const from = d % 2 === 0 ? a : tmp, to = d % 2 === 0 ? tmp : a, sh = 8 * d, at = 257 * d;
    for (let m = 0; m < n; m++) { const x = from[m]; to[c[at + ((x >>> sh) & 255)]++] = x; }
  }
  if (passes % 2 === 1) a.set(tmp.subarray(0, n));
}

function insertionSort(a: Int32Array, n: number): void {
  for (let m = 1; m < n; m++) {
    const x = a[m];
    let q = m - 1;
    for (; q >= 0 && a[q] > x; q--) a[q + 1] = a[q];
    a[q + 1] = x;
  }
}

/** Row lengths of a fixed total number: multinomial (multapses) or multivariate hypergeometric (none). */
function totalRowLengths(s: ProceduralSpec, r: { n: number; multapses: boolean }): Int32Array {
  const rng = new Rng(rowKey(s.seed, LENGTHS, 0)), out = new Int32Array(s.pre);
  if (r.multapses) return multinomialCounts(rng, r.n, out);
  let left = r.n;
  for (let i = 0; i < s.pre && left > 0; i++) {
    // Without multapses: of the (pre - i) x post pairs left, this row holds post; select left of them.
    let pairs = (s.pre - i) * s.post;
    for (let j = 0; j < s.post && left > 0; j++, pairs--) if (rng.random() * pairs < left) { out[i]++; left--; }
  }
  return out;
}

/**
 * Counts of n draws uniform over out's cells, added into out: the multinomial with equal cell
 * probabilities, exactly (one generator word per synapse, where sequential binomials took a
 * logarithm per synapse). A draw is floor(u x cells) of a 32-bit u: a cell's probability is off
 * 1 / cells by less than 1 / 2^32.
 */
function multinomialCounts(rng: Rng, n: number, out: Int32Array): Int32Array {
  const block = new Int32Array(Math.min(n, 1 << 16));
  for (let left = n; left > 0; left -= block.length) {
    const k = Math.min(left, block.length);
    rng.intsInto(block, k, out.length);
    for (let m = 0; m < k; m++) out[block[m]]++;
  }
  return out;
}

/** The materialised (CSR) form of a spec: rows in order, exactly as RowGenerator makes them. */
export function materialise(s: ProceduralSpec): { indptr: Int32Array; indices: Int32Array; weight: Float64Array; delay?: Float64Array } {
  if (!isRowProcedural(s.rule)) return materialiseColumns(s);
  const gen = new RowGenerator(s), indptr = new Int32Array(s.pre + 1), known = knownSynapses(s.rule, s.pre);
  // Arrays of the exact size where the rule fixes the count (no regrowth, no trimmed copy), else grown by doubling.
  let cap = known ?? 1024, indices = new Int32Array(cap), weight = new Float64Array(cap);
  let delay = s.delay ? new Float64Array(cap) : undefined;
  for (let i = 0; i < s.pre; i++) {
    const n = gen.row(i), at = indptr[i];
    if (at + n > cap) {
      cap = Math.max(at + n, 2 * cap);
      indices = copyInto(new Int32Array(cap), indices, at); weight = copyInto(new Float64Array(cap), weight, at);
      if (delay) delay = copyInto(new Float64Array(cap), delay, at);
    }
    indices.set(gen.post.subarray(0, n), at); weight.set(gen.weight.subarray(0, n), at);
    if (delay) delay.set(gen.delay!.subarray(0, n), at);
    indptr[i + 1] = at + n;
  }
  const nnz = indptr[s.pre];
  const trim = <T extends Int32Array | Float64Array>(a: T): T => (a.length === nnz ? a : (a.slice(0, nnz) as T));
  return { indptr, indices: trim(indices), weight: trim(weight), ...(delay ? { delay: trim(delay) } : {}) };
}

/** Synapses of a row rule when the rule fixes their number (fixed total, fixed out-degree), else undefined. */
function knownSynapses(r: ConnectRule, pre: number): number | undefined {
  return r.kind === "fixed-total" ? r.n : r.kind === "fixed-out-degree" ? r.k * pre : undefined;
}

function copyInto<T extends Int32Array | Float64Array>(dst: T, src: T, n: number): T {
  dst.set(src.subarray(0, n));
  return dst;
}

/** Fixed in-degree: each postsynaptic neuron j draws k sources from its own stream, then the columns are turned into rows. */
function materialiseColumns(s: ProceduralSpec): { indptr: Int32Array; indices: Int32Array; weight: Float64Array; delay?: Float64Array } {
  const r = s.rule as { k: number; multapses: boolean }, nnz = r.k * s.post;
  const src = new Int32Array(nnz), w = new Float64Array(nnz), d = s.delay ? new Float64Array(nnz) : undefined;
  const col = new Int32Array(r.k);
  for (let j = 0; j < s.post; j++) {
    const rng = new Rng(rowKey(s.seed, COLUMNS, j));
    drawTargets(rng, s.pre, r.k, r.multapses, col);
    src.set(col, j * r.k);
    sampleInto(rng, s.weight, w.subarray(j * r.k, (j + 1) * r.k), r.k);
    if (d) sampleInto(rng, s.delay!, d.subarray(j * r.k, (j + 1) * r.k), r.k);
  }
  const indptr = new Int32Array(s.pre + 1);
  for (let q = 0; q < nnz; q++) indptr[src[q] + 1]++;
  for (let i = 0; i < s.pre; i++) indptr[i + 1] += indptr[i];
  const at = indptr.slice(0, s.pre), indices = new Int32Array(nnz), weight = new Float64Array(nnz), delay = d ? new Float64Array(nnz) : undefined;
  for (let q = 0; q < nnz; q++) {
    const k = at[src[q]]++;
    indices[k] = Math.floor(q / r.k); weight[k] = w[q];
    if (delay) delay[k] = d![q];
  }
  return { indptr, indices, weight, ...(delay ? { delay } : {}) };
}

/**
 * Math.round(x) (halves up), the same number for every x, about 6x faster where engines round
 * per synapse: for 0.5 <= x < 2^52, x + 0.5 is exact or rounds within the same integer's
 * interval, so floor(x + 0.5) is Math.round(x); other x go to Math.round.
 */
export function roundHalfUp(x: number): number {
  return x >= 0.5 && x < 4503599627370496 ? Math.floor(x + 0.5) : Math.round(x);
}

/** Bytes a projection's CSR form would take (4-byte index, 8-byte weight, 8-byte delay per synapse; 4 per row pointer). */
export function csrBytes(synapses: number, pre: number, delays: boolean): number {
  return synapses * (delays ? 20 : 12) + 4 * (pre + 1);
}

/** Expected number of synapses of a spec (exact where the rule fixes it). */
export function expectedSynapses(s: ProceduralSpec): number {
  const r = s.rule;
  if (r.kind === "fixed-probability") return r.p * s.pre * s.post;
  if (r.kind === "fixed-total") return r.n;
  return r.kind === "fixed-in-degree" ? r.k * s.post : r.k * s.pre;
}
