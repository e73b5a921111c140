/**
 * The WebAssembly neuron-update kernels (kernel.wat, shipped as bytes in kernel-bytes.ts):
 * float64x2 SIMD versions of the two-port spiking updates of ../neurons.ts for layers whose
 * parameters are uniform, with identical results. A layer that can use them gets its state
 * allocated in a WebAssembly memory of its own (typed-array views, so every other reader and
 * writer is unchanged), and a module compiled for that memory's layout (the distances between
 * its arrays are immediates in the code; one module per layout). Where WebAssembly or its SIMD
 * is missing, or PHASOR_VM_WASM=0 is set, allocKernelState gives null and the JS kernels run.
 */
import { KERNEL_PATCHES, KERNEL_WASM } from "./kernel-bytes.js";

/** Arguments of the kernels: byte offsets v, c0, c1, r0, r1, until, out, spk, and of the ring slots' flags f0, f1; spikes so far n; count; first neuron k; the uniform parameters; the step t and t + 1 + refractory. */
type IntKernel = (v: number, c0: number, c1: number, r0: number, r1: number, until: number, out: number, spk: number, f0: number, f1: number, n: number, count: number, k: number,
  d0: number, d1: number, dv: number, b0: number, b1: number, vrest: number, th: number, vr: number, t: number, t1r: number, smax: number) => number;
type FloatKernel = (v: number, c0: number, c1: number, r0: number, r1: number, until: number, out: number, spk: number, f0: number, f1: number, n: number, count: number, k: number,
  d0: number, d1: number, dv: number, b0: number, b1: number, kv: number, th: number, vr: number, t: number, t1r: number) => number;

/** The exported kernels (see kernel.wat): *_r reset to vReset on a spike, *_s subtract the threshold; *_rz, *_sz are for zero port biases. */
export interface KernelExports {
  intm2_r: IntKernel;
  intm2_s: IntKernel;
  flt2_r: FloatKernel;
  flt2_s: FloatKernel;
  intm2_rz: IntKernel;
  intm2_sz: IntKernel;
  flt2_rz: FloatKernel;
  flt2_sz: FloatKernel;
  /** One step's binary spikes (n int32 indices at spk) scattered along rows (int32 indptr, 16-bit post indices) into a ring slot (buf) with weight w, flagging each entry (flag); returns the synapses reached. */
  scatterRows: (spk: number, n: number, indptr: number, post: number, buf: number, flag: number, w: number) => number;
}

/** A layer state's arrays inside a WebAssembly memory, with their byte offsets. */
export interface KernelState {
  fn: KernelExports;
  /**
   * Byte offsets of v, c0, c1, out, until, spk, of ring slot d of port p at ring[p][d] and of
   * its flags (one byte per entry, nonzero where the slot may hold a nonzero input) at flag[p][d].
   */
  v: number; c0: number; c1: number; out: number; until: number; spk: number; ring: number[][]; flag: number[][];
  /** Byte offset of the space reserved for the caller (allocKernelState's `extra` bytes). */
  extra: number;
  /** The memory all offsets refer to. */
  memory: ArrayBuffer;
}

/** The part of the WebAssembly JS API used here (the compiler's lib has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number }) => { buffer: ArrayBuffer };
}
const W = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes at the start of a kernel memory that stay zero (see kernel.wat). */
const ZERO_BLOCK = 64;

const modules = new Map<string, object | null>();

/**
 * The module for a layout: dist[id] is the byte distance the code's placeholder id stands for
 * (see build.mjs: c0, c1, out and until from v, r1 from r0, f1 from f0), written over each
 * placeholder as a padded 5-byte LEB128. Compiled once per layout; null where it cannot run.
 */
export function kernelModule(dist: readonly number[]): object | null {
  if (process.env.PHASOR_VM_WASM === "0" || !W || dist.some((d) => d < 0 || d > 2 ** 30)) return null;
  const key = dist.join(",");
  let m = modules.get(key);
  if (m !== undefined) return m;
  m = null;
  try {
    const bytes = Buffer.from(KERNEL_WASM, "base64");
    for (const [at, id, add] of KERNEL_PATCHES) {
      const v = dist[id] + add;
      for (let b = 0; b < 4; b++) bytes[at + b] = ((v >>> (7 * b)) & 0x7f) | 0x80;
      bytes[at + 4] = (v >>> 28) & 0x07;
    }
    if (W.validate(bytes)) m = new W.Module(bytes);
  } catch {
    m = null;
  }
  modules.set(key, m);
  return m;
}

/**
 * Allocates the arrays of a two-port layer state (B*N neurons, D ring slots) in a fresh
 * WebAssembly memory; null when the kernels are unavailable.
 */
export function allocKernelState(BN: number, D: number, ports: number, extra = 0): { k: KernelState; f64: (at: number) => Float64Array; i32: (at: number) => Int32Array; u8: (at: number) => Uint8Array } | null {
  // Bytes 0..63 are the kernels' zero block (read in place of a ring block none of whose entries is flagged).
  const f = 8 * BN;
  let at = ZERO_BLOCK;
  const next = (n: number) => { const a = at; at += n; return a; };
  const v = next(f), c0 = next(f), c1 = next(f), out = next(f);
  const ring = Array.from({ length: ports }, () => Array.from({ length: D }, () => next(f)));
  const until = next(f), spk = next(4 * BN);
  const flag = Array.from({ length: ports }, () => Array.from({ length: D }, () => next(BN)));
  const start = (at + 7) & ~7;
  const m = kernelModule([0, c0 - v, c1 - v, out - v, until - v, ring[1][0] - ring[0][0], flag[1][0] - flag[0][0]]);
  if (!m) return null;
  const memory = new W!.Memory({ initial: Math.max(1, Math.ceil((start + extra + 8) / 65536)) });
  const fn = new W!.Instance(m, { env: { memory } }).exports as unknown as KernelExports;
  const k: KernelState = { fn, v, c0, c1, out, ring, flag, until, spk, extra: start, memory: memory.buffer };
  const buf = memory.buffer;
  return { k, f64: (a) => new Float64Array(buf, a, BN), i32: (a) => new Int32Array(buf, a, BN), u8: (a) => new Uint8Array(buf, a, BN) };
}
