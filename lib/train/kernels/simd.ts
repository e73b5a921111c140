/**
 * A small WebAssembly SIMD routine (assembled here, byte by byte: no toolchain, no download)
 * for the hot loop of the event-sparse products: every output row is the sum of a list of
 * source rows (the rows of W of a time step's active inputs, or the rows of dy where an input
 * was active), four floats per instruction and four source rows per pass. Inputs are copied
 * into the module's own memory and the result copied out (a few MB per call, well under the
 * arithmetic it replaces). Where WebAssembly SIMD is missing, `simdRowSums` answers false and
 * the caller uses the JS loops.
 */

// Opcodes (WebAssembly core + fixed-width SIMD + bulk memory).
const I32 = 0x7f;
const GET = 0x20, SET = 0x21, TEE = 0x22, CONST = 0x41, ADD = 0x6a, MUL = 0x6c, SHL = 0x74, GE_S = 0x4e, GT_S = 0x4a, LT_S = 0x48;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const load = (offset: number) => [0x28, 2, ...uleb(offset)];
const vload = [0xfd, 0x00, 4, 0], vstore = [0xfd, 0x0b, 4, 0], fadd = [0xfd, 0xe4, 0x01];
const fill = [0xfc, 0x0b, 0x00];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

// rowSums(dst, src, ptr, list, M, nb): for m < M, dst[m*nb ..] = sum over j in [ptr[m], ptr[m+1]) of src[list[j] ..] (nb bytes, a multiple of 16).
const [DST, SRC, PTR, LIST, M, NB, m, j, e, d, a, b, c, f, o] = Array.from({ length: 15 }, (_, i) => i);
const g = (i: number) => [GET, i], s = (i: number) => [SET, i];
const rowAt = (into: number, offset: number) => [...g(SRC), ...g(o), ...load(offset), ADD, ...s(into)]; // o holds &list[j] here
const at = (base: number) => [...g(base), ...g(o), ADD];
const body = [
  ...vec([[10, I32]]), // locals m, j, e, d, a, b, c, f, o (and one spare)
  CONST, 0, ...s(m),
  BLOCK, VOID, LOOP, VOID,
  ...g(m), ...g(M), GE_S, BR_IF, 1,
  ...g(PTR), ...g(m), CONST, 2, SHL, ADD, TEE, a, ...load(0), ...s(j),
  ...g(a), ...load(4), ...s(e),
  ...g(DST), ...g(m), ...g(NB), MUL, ADD, TEE, d, CONST, 0, ...g(NB), ...fill,
  // four source rows per pass
  BLOCK, VOID, LOOP, VOID,
  ...g(j), CONST, 4, ADD, ...g(e), GT_S, BR_IF, 1,
  ...g(LIST), ...g(j), CONST, 2, SHL, ADD, ...s(o),
  ...rowAt(a, 0), ...rowAt(b, 4), ...rowAt(c, 8), ...rowAt(f, 12),
  CONST, 0, ...s(o),
  LOOP, VOID,
  ...at(d),
  ...at(d), ...vload, ...at(a), ...vload, ...at(b), ...vload, ...fadd, ...at(c), ...vload, ...at(f), ...vload, ...fadd, ...fadd, ...fadd,
  ...vstore,
  ...g(o), CONST, 16, ADD, TEE, o, ...g(NB), LT_S, BR_IF, 0,
  END,
  ...g(j), CONST, 4, ADD, ...s(j),
  BR, 0,
  END, END,
  // the rest one at a time
  BLOCK, VOID, LOOP, VOID,
  ...g(j), ...g(e), GE_S, BR_IF, 1,
  ...g(LIST), ...g(j), CONST, 2, SHL, ADD, ...s(o),
  ...rowAt(a, 0),
  CONST, 0, ...s(o),
  LOOP, VOID,
  ...at(d), ...at(d), ...vload, ...at(a), ...vload, ...fadd, ...vstore,
  ...g(o), CONST, 16, ADD, TEE, o, ...g(NB), LT_S, BR_IF, 0,
  END,
  ...g(j), CONST, 1, ADD, ...s(j),
  BR, 0,
  END, END,
  ...g(m), CONST, 1, ADD, ...s(m),
  BR, 0,
  END, END,
  END,
];

const name = (t: string) => [...uleb(t.length), ...Array.from(t, (ch) => ch.charCodeAt(0))];
const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0]])), // type 0: (i32 x6) -> ()
  ...section(2, vec([[...name("m"), ...name("mem"), 0x02, 0x00, 1]])), // import m.mem: memory, min 1 page
  ...section(3, vec([[0]])), // one function, of type 0
  ...section(7, vec([[...name("rowSums"), 0x00, 0]])), // export it
  ...section(10, vec([[...uleb(body.length), ...body]])),
]);

type RowSums = (dst: number, src: number, ptr: number, list: number, M: number, nb: number) => void;
/** The parts of the WebAssembly global used here (the project compiles without the DOM typings). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

let state: { memory: WasmMemory; rowSums: RowSums } | null | undefined;

function instance(): typeof state {
  if (state !== undefined) return state;
  try {
    const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const memory = new wa.Memory({ initial: 1 });
    const inst = new wa.Instance(new wa.Module(moduleBytes), { m: { mem: memory } });
    state = { memory, rowSums: inst.exports.rowSums as RowSums };
  } catch {
    state = null; // no WebAssembly SIMD here
  }
  return state;
}

const align = (n: number) => (n + 15) & ~15;

/**
 * dst[r, :N] = sum over j in [ptr[r], ptr[r + 1]) of src[list[j], :N], for r < rows, in
 * WebAssembly SIMD. Answers false (doing nothing) when N is not a multiple of 4 or SIMD is
 * unavailable.
 */
export function simdRowSums(dst: Float32Array, src: Float32Array, ptr: Int32Array, list: Int32Array, rows: number, N: number): boolean {
  if (N % 4 !== 0 || N === 0 || process.env.PHASOR_NO_SIMD === "1") return false;
  const w = instance();
  if (!w) return false;
  const nb = N * 4;
  const pPtr = 0, pList = align(pPtr + (rows + 1) * 4), pSrc = align(pList + list.length * 4), pDst = align(pSrc + src.length * 4), end = pDst + rows * nb;
  const have = w.memory.buffer.byteLength;
  if (end > have) w.memory.grow(Math.ceil((end - have) / 65536));
  const buf = w.memory.buffer;
  new Int32Array(buf, pPtr, rows + 1).set(ptr.subarray(0, rows + 1));
  const l = new Int32Array(buf, pList, list.length);
  for (let i = 0; i < list.length; i++) l[i] = list[i] * nb;
  new Float32Array(buf, pSrc, src.length).set(src);
  w.rowSums(pDst, pSrc, pPtr, pList, rows, nb);
  dst.set(new Float32Array(buf, pDst, rows * N));
  return true;
}
