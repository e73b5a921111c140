/**
 * What a Program must satisfy beyond its schema before any engine touches it: layer sizes
 * are the products of their shapes, every blob a layer or projection names exists with the
 * right length and no NaN (indptr, indices and delays also as int32), CSR projections are well
 * formed (indptr of length pre + 1 rising from 0 to nnz, every index inside the destination layer), convolution geometry
 * agrees with its layers dimension by dimension, slices and cores lie inside their layers and
 * the target. A crafted Program that passes cannot make the VM read outside its arrays.
 */
import { IssueList, type Issue } from "../ir/errors.js";
import { specProblems } from "../ir/procedural.js";
import type { ConvGeometry, Program, ProgramLayer, ProgramProjection } from "./program.js";

type Path = Array<string | number>;
type Bad = (path: Path, message: string) => void;

/** Longest synaptic delay a Program may hold, in steps (the VM keeps a ring of this many steps per layer). */
export const MAX_DELAY_STEPS = 1 << 20;

/** Every problem of a Program's content (its structure already matches the schema), paths under `where`. */
export function contentIssues(p: Program, where: Path = []): Issue[] {
  const issues = new IssueList();
  const bad: Bad = (path, message) => issues.add("bad-program", [...where, ...path], message);
  const sizes = new Map<string, ProgramLayer>(), broken = new Set<string>();
  p.layers.forEach((l, k) => {
    if (sizes.has(l.name)) return bad(["layers", k, "name"], `two layers are named ${JSON.stringify(l.name)}; layer names must be unique`);
    sizes.set(l.name, l);
    if (!checkLayer(p, l, ["layers", k], bad)) broken.add(l.name);
  });
  const names = new Set<string>();
  p.projections.forEach((pr, k) => {
    if (names.has(pr.name)) bad(["projections", k, "name"], `two projections are named ${JSON.stringify(pr.name)}; projection names must be unique`);
    names.add(pr.name);
    // a projection into a layer whose size is already wrong would only repeat that problem
    if (!broken.has(pr.src) && !broken.has(pr.dst)) checkProjection(p, pr, ["projections", k], sizes, bad);
  });
  p.cores.forEach((c, k) => {
    const l = sizes.get(c.layer);
    if (c.id >= p.target.cores) bad(["cores", k, "id"], `core ${c.id} does not exist: ${p.target.name} has cores 0..${p.target.cores - 1}`);
    if (!l) bad(["cores", k, "layer"], `core ${c.id} holds unknown layer ${JSON.stringify(c.layer)}`);
    else if (c.start + c.count > l.size) bad(["cores", k], `core ${c.id} holds neurons ${c.start}..${c.start + c.count - 1} of ${l.name}, which has ${l.size}`);
  });
  return issues.issues;
}

/** True when the layer is usable by the projections that name it. */
function checkLayer(p: Program, l: ProgramLayer, at: Path, bad: Bad): boolean {
  const n = l.shape.reduce((a, b) => a * b, 1);
  if (l.size !== n) return bad([...at, "size"], `layer ${l.name}: size ${l.size} is not the product of its shape [${l.shape}] (${n})`), false;
  l.slices.forEach((s, k) => {
    if (s.core >= p.target.cores) bad([...at, "slices", k, "core"], `layer ${l.name}: core ${s.core} does not exist (${p.target.cores} cores)`);
    if (s.start + s.count > n) bad([...at, "slices", k], `layer ${l.name}: slice ${s.start}..${s.start + s.count - 1} lies outside its ${n} neurons`);
  });
  if (!l.params) return true;
  const pr = l.params, what = `layer ${l.name}`;
  for (const field of ["decayV", "threshold", "vReset", "vRest", "bias", "refractory"] as const) blob(p, pr[field], n, [...at, "params", field], what, bad);
  pr.decayI.forEach((name, k) => blob(p, name, n, [...at, "params", "decayI", k], what, bad));
  return true;
}

function checkProjection(p: Program, pr: ProgramProjection, at: Path, layers: Map<string, ProgramLayer>, bad: Bad): void {
  const src = layers.get(pr.src), dst = layers.get(pr.dst), what = `projection ${pr.name}`;
  if (!src || !dst) return bad(at, `${what} joins unknown layers ${JSON.stringify(pr.src)} -> ${JSON.stringify(pr.dst)}`);
  const forms = (["csr", "conv", "procedural"] as const).filter((f) => pr[f] !== undefined);
  if (forms.length !== 1) return bad(at, `${what} must have exactly one of csr, conv, procedural; it has ${forms.join(", ") || "none"}`);
  if (pr.bias !== undefined) blob(p, pr.bias, dst.size, [...at, "bias"], what, bad);
  if (pr.csr) checkCsr(p, pr, [...at, "csr"], src.size, dst.size, bad);
  if (pr.conv) {
    blob(p, pr.conv.weight, product(pr.conv.wShape), [...at, "conv", "weight"], what, bad);
    checkGeometry(pr.conv, [...at, "conv"], src, dst, what, bad);
  }
  if (pr.procedural) {
    const q = pr.procedural, s = q.spec;
    if (s.pre !== src.size || s.post !== dst.size) bad([...at, "procedural", "spec"], `${what}: rule is ${s.pre} x ${s.post}, its layers are ${src.size} -> ${dst.size}`);
    for (const [field, message] of specProblems(s)) bad([...at, "procedural", "spec", field], `${what}: ${message}`);
    blob(p, q.gain, dst.size, [...at, "procedural", "gain"], what, bad);
    if (q.maxDelay > MAX_DELAY_STEPS) bad([...at, "procedural", "maxDelay"], `${what}: maxDelay ${q.maxDelay} steps; at most ${MAX_DELAY_STEPS}`);
  }
}

function checkCsr(p: Program, pr: ProgramProjection, at: Path, pre: number, post: number, bad: Bad): void {
  const c = pr.csr!, what = `projection ${pr.name}`;
  if (c.pre !== pre || c.post !== post) return bad(at, `${what}: csr is ${c.pre} x ${c.post}, its layers are ${pre} -> ${post}`);
  if (c.from) checkGeometry(c.from, [...at, "from"], { size: pre }, { size: post }, what, bad);
  const indptr = own(p, c.indptr), indices = own(p, c.indices);
  if (!(indptr instanceof Int32Array) || indptr.length !== pre + 1) return bad([...at, "indptr"], `${what}: indptr must be int32 of length ${pre + 1} (pre + 1)`);
  if (!(indices instanceof Int32Array)) return bad([...at, "indices"], `${what}: indices must be int32`);
  const nnz = indices.length;
  if (indptr[0] !== 0 || indptr[pre] !== nnz) return bad([...at, "indptr"], `${what}: indptr must start at 0 and end at nnz = ${nnz}`);
  for (let k = 1; k <= pre; k++) if (indptr[k] < indptr[k - 1]) return bad([...at, "indptr"], `${what}: indptr decreases at row ${k - 1}`);
  for (let k = 0; k < nnz; k++) {
    if (indices[k] >= 0 && indices[k] < post) continue;
    bad([...at, "indices", k], `${what}: synapse ${k} targets neuron ${indices[k]}, outside 0..${post - 1}`);
    break;
  }
  blob(p, c.weight, nnz, [...at, "weight"], what, bad);
  if (c.delay === undefined) return;
  const d = own(p, c.delay);
  if (!(d instanceof Int32Array) || d.length !== nnz || d.some((x) => x < 0 || x > MAX_DELAY_STEPS)) {
    bad([...at, "delay"], `${what}: delay must be ${nnz} int32 steps in 0..${MAX_DELAY_STEPS}`);
  }
}

/** A convolution (and the pooling before it) agrees with its layers and its own output shape, dimension by dimension. */
function checkGeometry(g: ConvGeometry, at: Path, src: { size: number }, dst: { size: number }, what: string, bad: Bad): void {
  const r = g.inShape.length - 1, first = g.pool?.inShape ?? g.inShape;
  const fail = (field: string, message: string) => bad([...at, field], `${what}: ${message}`);
  if (r < 1 || g.outShape.length !== r + 1 || g.wShape.length !== r + 2) {
    return fail("wShape", `a ${r}-D convolution needs inShape and outShape of ${r + 1} and wShape of ${r + 2} dimensions; got [${g.inShape}], [${g.outShape}], [${g.wShape}]`);
  }
  for (const f of ["stride", "padding", "dilation"] as const) if (g[f].length !== 1 && g[f].length !== r) return fail(f, `${f} needs 1 or ${r} entries, got [${g[f]}]`);
  if (product(first) !== src.size) return fail("inShape", `input [${first}] holds ${product(first)} neurons; the source layer has ${src.size}`);
  if (product(g.outShape) !== dst.size) return fail("outShape", `output [${g.outShape}] holds ${product(g.outShape)} neurons; the destination layer has ${dst.size}`);
  if (g.wShape[0] !== g.outShape[0] || g.wShape[1] * g.groups !== g.inShape[0] || g.outShape[0] % g.groups) {
    return fail("wShape", `weight [${g.wShape}] with groups ${g.groups} does not map ${g.inShape[0]} to ${g.outShape[0]} channels`);
  }
  const want = g.inShape.slice(1).map((n, i) => outSize(n, g.wShape[2 + i], at1(g.stride, i), at1(g.padding, i), at1(g.dilation, i)));
  if (want.some((n, i) => n !== g.outShape[1 + i])) return fail("outShape", `output [${g.outShape}] should be [${[g.outShape[0], ...want]}] for input [${g.inShape}]`);
  const pool = g.pool;
  if (!pool) return;
  const pr = pool.inShape.length - 1;
  const lists = [pool.kernel, pool.stride, pool.padding];
  if (pool.outShape.length !== pool.inShape.length || pool.inShape[0] !== pool.outShape[0] || lists.some((x) => x.length !== 1 && x.length !== pr)) {
    return fail("pool", `pooling from [${pool.inShape}] to [${pool.outShape}] with kernel [${pool.kernel}] is not well formed`);
  }
  const pooled = pool.inShape.slice(1).map((n, i) => outSize(n, at1(pool.kernel, i), at1(pool.stride, i), at1(pool.padding, i), 1));
  if (pooled.some((n, i) => n !== pool.outShape[1 + i]) || pool.outShape.some((n, i) => n !== g.inShape[i])) {
    return fail("pool", `pooling [${pool.inShape}] gives [${[pool.inShape[0], ...pooled]}], stored as [${pool.outShape}], feeding a convolution of input [${g.inShape}]`);
  }
}

/** A named blob of `length` values, none NaN. */
function blob(p: Program, name: string, length: number, at: Path, what: string, bad: Bad): void {
  const b = own(p, name);
  if (!b) return bad(at, `${what}: blob ${JSON.stringify(name)} is missing from the blob table`);
  if (b.length !== length) return bad(at, `${what}: blob ${name} has ${b.length} values, expected ${length}`);
  if (b instanceof Float64Array && b.some(Number.isNaN)) bad(at, `${what}: blob ${name} holds NaN`);
}

function own(p: Program, name: string): Int32Array | Float64Array | undefined {
  return Object.prototype.hasOwnProperty.call(p.blobs, name) ? p.blobs[name] : undefined;
}

function outSize(size: number, k: number, s: number, pad: number, d: number): number {
  return Math.floor((size + 2 * pad - d * (k - 1) - 1) / s) + 1;
}

function at1(list: number[], i: number): number {
  return list.length === 1 ? list[0] : list[i];
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
