/**
 * What a board server checks in a deployed Program beyond its JSON structure, before any
 * engine touches it: layer shapes and sizes, numeric fields finite, every blob a layer or
 * projection names present with the right length, and CSR projections well formed (indptr
 * rising from 0 to nnz, every index inside the destination layer). A crafted Program that
 * passes these cannot make the VM read outside its arrays.
 */
import { IssueList } from "../../ir/errors.js";
import type { Program, ProgramLayer, ProgramProjection } from "../../compiler/program.js";

type Path = Array<string | number>;

/** Throws one PhasorError (code bad-program) listing every problem found. */
export function checkProgram(p: Program): void {
  const issues = new IssueList();
  const bad = (path: Path, message: string) => issues.add("bad-program", path, message);
  if (!finitePositive(p.options?.dt)) bad(["options", "dt"], `dt must be a finite number > 0, got ${show(p.options?.dt)}`);
  const sizes = new Map<string, number>();
  p.layers.forEach((l, k) => {
    const size = checkLayer(p, l, ["layers", k], bad);
    if (size !== undefined) sizes.set(l.name, size);
  });
  p.projections.forEach((pr, k) => checkProjection(p, pr, ["projections", k], sizes, bad));
  issues.throwIfAny();
}

function checkLayer(p: Program, l: ProgramLayer, at: Path, bad: (path: Path, m: string) => void): number | undefined {
  if (typeof l?.name !== "string") return bad(at, "a layer needs a name"), undefined;
  const shape = l.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    return bad([...at, "shape"], `layer ${l.name}: shape must be positive integers, got ${show(shape)}`), undefined;
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (l.size !== n) return bad([...at, "size"], `layer ${l.name}: size ${show(l.size)} is not the product of its shape [${shape}] (${n})`), undefined;
  if (!l.params) return n;
  const pr = l.params;
  if (!finitePositive(pr.scale)) bad([...at, "params", "scale"], `layer ${l.name}: scale must be a finite number > 0, got ${show(pr.scale)}`);
  const names = [pr.decayV, pr.threshold, pr.vReset, pr.vRest, pr.bias, pr.refractory, ...(Array.isArray(pr.decayI) ? pr.decayI : [undefined])];
  for (const name of names) blob(p, name, n, [...at, "params"], `layer ${l.name}`, bad);
  return n;
}

function checkProjection(p: Program, pr: ProgramProjection, at: Path, sizes: Map<string, number>, bad: (path: Path, m: string) => void): void {
  const pre = sizes.get(pr?.src), post = sizes.get(pr?.dst);
  if (pre === undefined || post === undefined) return bad(at, `projection ${show(pr?.name)} joins unknown layers ${show(pr?.src)} -> ${show(pr?.dst)}`);
  const what = `projection ${pr.name}`;
  if (!finitePositive(pr.scale)) bad([...at, "scale"], `${what}: scale must be a finite number > 0, got ${show(pr.scale)}`);
  if (pr.weightExp !== undefined && !(Number.isSafeInteger(pr.weightExp) && Math.abs(pr.weightExp) <= 64)) {
    bad([...at, "weightExp"], `${what}: weightExp must be an integer in [-64, 64], got ${show(pr.weightExp)}`);
  }
  if (!Number.isSafeInteger(pr.port) || pr.port < 0 || pr.port > 64) bad([...at, "port"], `${what}: port must be a small integer >= 0, got ${show(pr.port)}`);
  if (pr.bias !== undefined) blob(p, pr.bias, post, at, what, bad);
  if (pr.csr) checkCsr(p, pr, [...at, "csr"], pre, post, bad);
  else if (!pr.conv) bad(at, `${what} has neither csr nor conv`);
}

function checkCsr(p: Program, pr: ProgramProjection, at: Path, pre: number, post: number, bad: (path: Path, m: string) => void): void {
  const c = pr.csr!, what = `projection ${pr.name}`;
  if (c.pre !== pre || c.post !== post) bad(at, `${what}: csr is ${show(c.pre)} x ${show(c.post)}, its layers are ${pre} -> ${post}`);
  const indptr = p.blobs[c.indptr], indices = p.blobs[c.indices];
  if (!(indptr instanceof Int32Array) || indptr.length !== pre + 1) return bad([...at, "indptr"], `${what}: indptr must be int32 of length ${pre + 1}`);
  if (!(indices instanceof Int32Array)) return bad([...at, "indices"], `${what}: indices must be int32`);
  const nnz = indices.length;
  if (indptr[0] !== 0 || indptr[pre] !== nnz) bad([...at, "indptr"], `${what}: indptr must start at 0 and end at nnz = ${nnz}`);
  for (let k = 1; k <= pre; k++) if (indptr[k] < indptr[k - 1]) { bad([...at, "indptr"], `${what}: indptr decreases at row ${k - 1}`); break; }
  for (let k = 0; k < nnz; k++) {
    if (indices[k] >= 0 && indices[k] < post) continue;
    bad([...at, "indices", k], `${what}: synapse ${k} targets neuron ${indices[k]}, outside 0..${post - 1}`);
    break;
  }
  blob(p, c.weight, nnz, at, what, bad);
  if (c.delay === undefined) return;
  const d = p.blobs[c.delay];
  if (!(d instanceof Int32Array) || d.length !== nnz || d.some((x) => x < 0)) bad([...at, "delay"], `${what}: delay must be ${nnz} int32 steps >= 0`);
}

/** A named blob of `length` values, none NaN. */
function blob(p: Program, name: unknown, length: number, at: Path, what: string, bad: (path: Path, m: string) => void): void {
  const b = typeof name === "string" && Object.prototype.hasOwnProperty.call(p.blobs, name) ? p.blobs[name] : undefined;
  if (!b) return bad(at, `${what}: blob ${show(name)} is missing`);
  if (b.length !== length) return bad(["blobs", name as string], `${what}: blob ${name as string} has ${b.length} values, expected ${length}`);
  if (b instanceof Float64Array && b.some(Number.isNaN)) bad(["blobs", name as string], `${what}: blob ${name as string} holds NaN`);
}

function finitePositive(v: unknown): boolean {
  return typeof v === "number" && Number.isFinite(v) && v > 0;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(show).join(", ")}]` : String(v);
}
