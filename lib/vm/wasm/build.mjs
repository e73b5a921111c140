// Writes kernel.wat (the neuron-update kernels, generated here from one description of the
// arithmetic) and kernel-bytes.ts (the assembled module as base64), so that installing Phasor
// needs no WebAssembly tool. A developer tool: run it after editing this file, with wabt from
// npm at hand (npm install --no-save wabt, or WABT=path/to/wabt).
//   usage: node lib/vm/wasm/build.mjs [--unroll 4] [--check]
// --check writes nothing: it exits 1, naming the file, when kernel.wat or kernel-bytes.ts differs
// from what this generator and the pinned wabt (a devDependency) produce now.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { unroll: { type: "string", default: "4" }, "no-write": { type: "boolean", default: false }, check: { type: "boolean", default: false } } });
const stale = [];
/** Writes a generated file, or under --check compares it with the committed one. */
function emitFile(name, text) {
  if (!values.check) return writeFileSync(join(here, name), text);
  if (readFileSync(join(here, name), "utf8") !== text) stale.push(name);
}
const U = Number(values.unroll); // float64x2 pairs per iteration of the main loop

const get = (x) => `(local.get $${x})`;

/**
 * The main loops address c0, c1, out and until from v, r1 from r0 and f1 from f0, with
 * distances written into the code as immediates, so that only v, r0, f0 (and the few scalars)
 * are live pointers: fewer registers spilled, about 5% faster on CUBA. The distances depend on
 * the layer's layout (kernel.ts), so the module is assembled with placeholders, SENTINEL * id +
 * d, which allocKernelState patches per layout (each placeholder is a 5-byte LEB128 here, and
 * the patched value is written as a padded 5-byte LEB128: same length, valid wasm).
 */
const SENTINEL = 0x10000000;
const DIST = { c0: 1, c1: 2, out: 3, until: 4, r1: 5, f1: 6 };
const BASE = { c0: "v", c1: "v", out: "v", until: "v", r1: "r0", f1: "f0" };
const uses = [];
const placeholder = (id, d) => { uses.push({ id, d }); return SENTINEL * id + d; };
const mem = (op, ptr, off, ...rest) => {
  if (DIST[ptr]) { off = placeholder(DIST[ptr], off); ptr = BASE[ptr]; }
  return `(${op}${off ? ` offset=${off}` : ""} ${get(ptr)}${rest.length ? " " + rest.join(" ") : ""})`;
};
/** A pointer recomputed from its base (before the scalar tail, which takes every pointer). */
const derive = (ptr) => `(local.set $${ptr} (i32.add ${get(BASE[ptr])} (i32.const ${placeholder(DIST[ptr], 0)})))`;
const sat = (x) => `(f64x2.pmax (f64x2.pmin ${x} ${get("SMAX")}) ${get("LO")})`;
const ZERO = "(v128.const i64x2 0 0)";

/**
 * y + b, or y itself for the zero-bias variants (b = +-0): an input entry y (and, fixed point,
 * trunc(c d) + y) is never -0, the ring holding +0 or sums with a +0 start, so adding +-0 is the identity.
 */
const plusBias = (y, b, zb) => (zb ? y : `(f64x2.add ${y} ${get(b)})`);

/** The vector statements for pair u of a block: currents, membrane candidate x, masks, v. */
function pair(kind, sub, u, zb) {
  const o = 16 * u, a0 = `a0_${u}`, a1 = `a1_${u}`, x = `x_${u}`, rm = `rm_${u}`, sm = `sm_${u}`;
  const L = [`(local.set $${a0} ${mem("v128.load", "c0", o)})`, `(local.set $${a1} ${mem("v128.load", "c1", o)})`];
  if (kind === "int") {
    for (const [c, a, d, r, b] of [["c0", a0, "D0", "q0", "B0"], ["c1", a1, "D1", "q1", "B1"]])
      L.push(mem("v128.store", c, o, sat(plusBias(`(f64x2.add (f64x2.trunc (f64x2.mul ${get(a)} ${get(d)})) ${mem("v128.load", r, o)})`, b, zb))));
    L.push(`(local.set $${x} ${sat(`(f64x2.add (f64x2.add ${get("VREST")} (f64x2.trunc (f64x2.mul (f64x2.sub ${mem("v128.load", "v", o)} ${get("VREST")}) ${get("DV")}))) (f64x2.add ${get(a0)} ${get(a1)}))`)})`);
  } else {
    for (const [c, a, d, r, b] of [["c0", a0, "D0", "q0", "B0"], ["c1", a1, "D1", "q1", "B1"]])
      L.push(mem("v128.store", c, o, `(f64x2.add (f64x2.mul ${get(d)} ${get(a)}) ${plusBias(mem("v128.load", r, o), b, zb)})`));
    L.push(`(local.set $${x} (f64x2.add (f64x2.add (f64x2.mul ${get("DV")} ${mem("v128.load", "v", o)}) ${get("KV")}) (f64x2.add ${get(a0)} ${get(a1)})))`);
  }
  L.push(`(local.set $${rm} (f64x2.gt ${mem("v128.load", "until", o)} ${get("T")}))`);
  L.push(`(local.set $${sm} (v128.andnot (f64x2.gt ${get(x)} ${get("TH")}) ${get(rm)}))`);
  // v = refractory ? vr : spike ? (sub ? x - th : vr) : x
  L.push(mem("v128.store", "v", o, sub
    ? `(v128.bitselect ${get("VR")} (v128.bitselect (f64x2.sub ${get(x)} ${get("TH")}) ${get(x)} ${get(sm)}) ${get(rm)})`
    : `(v128.bitselect ${get("VR")} ${get(x)} (v128.or ${get(rm)} ${get(sm)}))`));
  return L;
}

/**
 * A block's input from ring slot r (flag bytes f, one per neuron), without a branch: the block
 * reads through q, which is the slot when a neuron of the block is flagged and otherwise the
 * zero block at address 0 (an unflagged entry holds +0, the very value read there instead).
 * The flags are cleared here; the block zeroes what it read through q after use (see consume).
 */
function inputs(r, f, q) {
  const w = U === 4 ? "i64" : U === 2 ? "i32" : null;
  if (!w) throw new Error("--unroll must be 2 or 4 (one flag word per block, a zero block of 64 bytes)");
  const ring = DIST[r] ? `(i32.add ${get(BASE[r])} (i32.const ${placeholder(DIST[r], 0)}))` : get(r);
  return [`(local.set $${q} (select (i32.const 0) ${ring} (${w}.eqz ${mem(`${w}.load`, f, 0)})))`, mem(`${w}.store`, f, 0, `(${w}.const 0)`)];
}
const consume = (q) => Array.from({ length: U }, (_, u) => mem("v128.store", q, 16 * u, ZERO));

/** Lane l of pair u when the block has a spike: a spiking lane's end of refractoriness and its place in the spike list. */
function lane(u, l) {
  return `(if (i64.ne (i64x2.extract_lane ${l} ${get(`sm_${u}`)}) (i64.const 0))
                (then
                  ${mem("f64.store", "until", 16 * u + 8 * l, get("t1r"))}
                  ${mem("f64.store", "out", 16 * u + 8 * l, "(f64.const 1)")}
                  (i32.store (i32.add ${get("spk")} (i32.shl ${get("n")} (i32.const 2))) (i32.add ${get("k")} (i32.const ${2 * u + l})))
                  (local.set $n (i32.add ${get("n")} (i32.const 1)))))`;
}

const PTRS = ["v", "c0", "c1", "r0", "r1", "until", "out", "spk"];
function params(kind) {
  const p = PTRS.map((x) => `(param $${x} i32)`).join(" ") + " (param $f0 i32) (param $f1 i32) (param $n i32) (param $count i32) (param $k i32)";
  const f = ["d0", "d1", "dv", "b0", "b1", kind === "int" ? "vrest" : "kv", "th", "vr"].map((x) => `(param $${x} f64)`).join(" ");
  return `${p}\n    ${f}\n    (param $t f64) (param $t1r f64)${kind === "int" ? " (param $smax f64)" : ""}`;
}
const scalarArgs = (kind) => [...PTRS.filter((x) => x !== "spk" || true), "n", "k", "d0", "d1", "dv", "b0", "b1", kind === "int" ? "vrest" : "kv", "th", "vr", "t", "t1r", ...(kind === "int" ? ["smax"] : [])];

function vectorFunc(kind, sub, zb) {
  const name = `${kind === "int" ? "intm2" : "flt2"}_${sub ? "s" : "r"}${zb ? "z" : ""}`;
  const consts = kind === "int" ? [["D0", "d0"], ["D1", "d1"], ["DV", "dv"], ["B0", "b0"], ["B1", "b1"], ["VREST", "vrest"], ["TH", "th"], ["VR", "vr"], ["SMAX", "smax"], ["LO", "lo"]]
    : [["D0", "d0"], ["D1", "d1"], ["DV", "dv"], ["B0", "b0"], ["B1", "b1"], ["KV", "kv"], ["TH", "th"], ["VR", "vr"]];
  const locals = ["(local $end i32) (local $q0 i32) (local $q1 i32) (local $T v128)", kind === "int" ? "(local $lo f64)" : "",
    consts.map(([c]) => `(local $${c} v128)`).join(" "),
    Array.from({ length: U }, (_, u) => `(local $a0_${u} v128) (local $a1_${u} v128) (local $x_${u} v128) (local $rm_${u} v128) (local $sm_${u} v128)`).join(" ")].filter(Boolean).join("\n    ");
  const setup = [kind === "int" ? "(local.set $lo (f64.neg (local.get $smax)))" : "", ...consts.map(([c, s]) => `(local.set $${c} (f64x2.splat ${get(s)}))`),
    `(local.set $T (f64x2.splat ${get("t")}))`,
    "(local.set $end (i32.add (local.get $k) (local.get $count)))"].filter(Boolean);
  const body = [...inputs("r0", "f0", "q0"), ...inputs("r1", "f1", "q1"), ...Array.from({ length: U }, (_, u) => pair(kind, sub, u, zb)).flat(), ...consume("q0"), ...consume("q1")];
  let any = get("sm_0");
  for (let u = 1; u < U; u++) any = `(v128.or ${any} ${get(`sm_${u}`)})`;
  const rare = Array.from({ length: U }, (_, u) => [lane(u, 0), lane(u, 1)]).flat();
  const adv = ["v", "r0"].map((p) => `(local.set $${p} (i32.add ${get(p)} (i32.const ${16 * U})))`)
    .concat([`(local.set $f0 (i32.add ${get("f0")} (i32.const ${2 * U})))`, `(local.set $k (i32.add ${get("k")} (i32.const ${2 * U})))`]);
  const one = kind === "int" ? "$intm2_1" : "$flt2_1";
  const tailArgs = scalarArgs(kind).map(get).join(" ");
  const I = "\n        ";
  return `  (func (export "${name}")
    ${params(kind)}
    (result i32)
    ${locals}
    ${setup.join("\n    ")}
    (block $done
      (loop $blocks
        (br_if $done (i32.gt_s (i32.add ${get("k")} (i32.const ${2 * U})) ${get("end")}))
        ${body.join(I)}
        (if (v128.any_true ${any})
          (then
            ${rare.join(I + "    ")}))
        ${adv.join(I)}
        (br $blocks)))
    ;; the last neurons one by one
    ${Object.keys(DIST).map(derive).join(I)}
    (block $fin
      (loop $rest
        (br_if $fin (i32.ge_s ${get("k")} ${get("end")}))
        (local.set $n (call ${one} ${tailArgs} (i32.const ${sub ? 1 : 0})))
        (f64.store ${get("r0")} (f64.const 0)) (f64.store ${get("r1")} (f64.const 0)) (i32.store8 ${get("f0")} (i32.const 0)) (i32.store8 ${get("f1")} (i32.const 0))
        ${["v", "c0", "c1", "r0", "r1", "out"].map((p) => `(local.set $${p} (i32.add ${get(p)} (i32.const 8)))`).join(I)}
        (local.set $f0 (i32.add ${get("f0")} (i32.const 1))) (local.set $f1 (i32.add ${get("f1")} (i32.const 1)))
        (local.set $until (i32.add ${get("until")} (i32.const 8)))
        (local.set $k (i32.add ${get("k")} (i32.const 1)))
        (br $rest)))
    (local.get $n))
`;
}

/**
 * The scatter of one step's binary spikes along a projection into a ring slot: for each of the
 * n spiking neurons k (int32 list at spk), each 16-bit post index j of row k (rows delimited by
 * the int32 indptr, indices at post) gets buf[j] += w and flag[j] = 1, spike by spike and in
 * row order, as the JS scatter does (network.ts); for projections whose weights are all w.
 * Returns the synapses reached.
 */
const scatterFunc = `  (func (export "scatterRows") (param $spk i32) (param $n i32) (param $indptr i32) (param $post i32) (param $buf i32) (param $flag i32) (param $w f64) (result i32)
    (local $q i32) (local $row i32) (local $p i32) (local $e i32) (local $j i32) (local $a i32) (local $reached i32)
    (block $spikes_done
      (loop $spikes
        (br_if $spikes_done (i32.ge_u (local.get $q) (local.get $n)))
        (local.set $row (i32.add (local.get $indptr) (i32.shl (i32.load (i32.add (local.get $spk) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 2))))
        (local.set $p (i32.add (local.get $post) (i32.shl (i32.load (local.get $row)) (i32.const 1))))
        (local.set $e (i32.add (local.get $post) (i32.shl (i32.load offset=4 (local.get $row)) (i32.const 1))))
        (local.set $reached (i32.add (local.get $reached) (i32.shr_u (i32.sub (local.get $e) (local.get $p)) (i32.const 1))))
        (block $row_done
          (loop $synapses
            (br_if $row_done (i32.ge_u (local.get $p) (local.get $e)))
            (local.set $j (i32.load16_u (local.get $p)))
            (local.set $a (i32.add (local.get $buf) (i32.shl (local.get $j) (i32.const 3))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $w)))
            (i32.store8 (i32.add (local.get $flag) (local.get $j)) (i32.const 1))
            (local.set $p (i32.add (local.get $p) (i32.const 2)))
            (br $synapses)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $spikes)))
    (local.get $reached))
`;

const wat = `;; GENERATED by build.mjs (next to this file); edit that, not this.
;;
;; Neuron-update kernels of the behavioural and cycle engines (see ../neurons.ts) for layers
;; whose parameters are the same for every neuron: two current ports, binary spikes out.
;; Every operation is the IEEE float64 operation the JS kernels perform, in the same order
;; (products, sums, trunc, saturation by comparison), so the results are identical bit for bit.
;;
;; Pointers are byte offsets into the imported memory: v, c0, c1, r0, r1 and out point to the
;; range's first neuron in float64 arrays, until to its end of refractoriness (float64), spk to the
;; batch entry's int32 spike list, which already holds n spikes; the range is neurons
;; k .. k + count - 1. Each function returns the new spike count.
;;
;; intm2_*: fixed point, multiplicative decay, saturation at +-smax, integral input:
;;   c = sat(trunc(c d) + r + b), x = sat(vRest + trunc((v - vRest) dV) + (c0 + c1)), old currents,
;;   where the decay factors come scaled (d = code 2^-bits: trunc((x code) 2^-bits) and
;;   trunc(x (code 2^-bits)) are the same float64, scaling by a power of two being exact and
;;   commuting with rounding).
;; flt2_*: float64 in model units: c = dI c + (r + b), x = dV v + kv + (c0 + c1), kv = (1 - dV) vRest.
;; *_rz, *_sz: the same for b0 = b1 = +-0, leaving out the additions of b (exact: r, and
;; trunc(c d) + r, are never -0, so adding +-0 changes nothing).
;; Both: at step t a refractory neuron (until > t) holds v = vr; otherwise x > th spikes:
;; v = (reset by subtraction, *_s ? x - th : vr), until = t1r (t + 1 + refractory steps), out = 1,
;; k appended to spk; else v = x (out, zero for every neuron that did not spike at the last step,
;; is left as it is: see network.ts, clear). The ring slots read are consumed (zeroed), as are their flags: f0 and f1
;; point to the range's first byte of the slots' flags (nonzero where a scatter may have written
;; the entry; an unflagged entry is +0), and a main-loop block reads its slot only when flagged.
;;
;; The main loops take ${2 * U} neurons at a time in float64x2 lanes (masks and selects instead
;; of branches); only a block with a spike goes lane by lane, to set until and out = 1 and append
;; to the spike list. out is written only there: the caller zeroes the last step's spikes' out. The last neurons go through the scalar intm2_1 / flt2_1.
(module
  (import "env" "memory" (memory 1))

${[false, true].flatMap((zb) => [vectorFunc("int", false, zb), vectorFunc("int", true, zb), vectorFunc("flt", false, zb), vectorFunc("flt", true, zb)]).join("\n")}
${scatterFunc}
${readFileSync(join(here, "scalar.wat.in"), "utf8")})
`;

if (!values["no-write"]) emitFile("kernel.wat", wat);
const require = createRequire(import.meta.url);
const wabt = await require(process.env.WABT ?? "wabt")();
const mod = wabt.parseWat("kernel.wat", wat, { simd: true, bulk_memory: true });
mod.validate();
const { buffer } = mod.toBinary({});
// Where the placeholders are: every 5-byte LEB128 whose value is SENTINEL * id + d, id 1..7.
// They must be exactly the ones the generator wrote (else some other bytes look like one).
const patches = [];
for (let i = 0; i + 5 <= buffer.length; i++) {
  if (!(buffer[i] & 0x80 && buffer[i + 1] & 0x80 && buffer[i + 2] & 0x80 && buffer[i + 3] & 0x80) || buffer[i + 4] & 0x80) continue;
  const v = (buffer[i] & 0x7f) + (buffer[i + 1] & 0x7f) * 2 ** 7 + (buffer[i + 2] & 0x7f) * 2 ** 14 + (buffer[i + 3] & 0x7f) * 2 ** 21 + buffer[i + 4] * 2 ** 28;
  const id = Math.floor(v / SENTINEL);
  if (id >= 1 && id <= 7) patches.push([i, id, v - id * SENTINEL]);
}
const key = (a) => a.map(({ id, d }) => `${id}:${d}`).sort().join(",");
if (key(patches.map(([, id, d]) => ({ id, d }))) !== key(uses)) throw new Error(`placeholders found (${patches.length}) differ from those written (${uses.length})`);
const b64 = Buffer.from(buffer).toString("base64");
const lines = b64.match(/.{1,100}/g).map((s) => `  "${s}"`).join(" +\n");
emitFile("kernel-bytes.ts", `// GENERATED by lib/vm/wasm/build.mjs (kernel.wat assembled); do not edit.
/** The neuron-update kernels as a WebAssembly module (base64, ${buffer.length} bytes). */
export const KERNEL_WASM =
${lines};
/**
 * The layout placeholders to patch: [byte offset, distance id, addend], each a 5-byte LEB128
 * for 2^28 * id + addend; ids ${Object.entries(DIST).map(([k, v]) => `${v} ${k} - ${BASE[k]}`).join(", ")}.
 */
export const KERNEL_PATCHES: ReadonlyArray<readonly [number, number, number]> = ${JSON.stringify(patches)};
`);
if (stale.length) {
  console.error(`${stale.join(" and ")} differ from a rebuild: run node lib/vm/wasm/build.mjs and commit the result`);
  process.exit(1);
}
console.log(`kernel.wat, kernel-bytes.ts${values.check ? " match a rebuild" : ""}: ${buffer.length} bytes, ${patches.length} layout placeholders`);
