import { describe, expect, it } from "vitest";
import { concatParts, decodeData, encodeData, packArrays, sha256, splitParts, unpackArrays } from "./codec.js";

describe("cluster codecs", () => {
  it("plain data keeps its typed arrays, NaN and infinities through JSON", () => {
    const v = {
      w: new Float64Array([0.1, -2, 1e-300]),
      i: new Int32Array([1, -1]),
      f: new Float32Array([1.5]),
      b: Buffer.from([7, 8]),
      x: NaN,
      y: -Infinity,
      s: "a",
      n: [1, { z: Infinity }],
    };
    const back = decodeData<typeof v>(encodeData(v));
    expect(back.w).toBeInstanceOf(Float64Array);
    expect(Array.from(back.w)).toEqual([0.1, -2, 1e-300]);
    expect(back.i).toBeInstanceOf(Int32Array);
    expect(Array.from(back.i)).toEqual([1, -1]);
    expect(back.f).toBeInstanceOf(Float32Array);
    expect(back.b).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.b)).toEqual([7, 8]);
    expect(back.x).toBeNaN();
    expect(back.y).toBe(-Infinity);
    expect(back.n).toEqual([1, { z: Infinity }]);
  });

  it("a typed-array view at an offset encodes only its own elements", () => {
    const big = new Float64Array([1, 2, 3, 4]);
    expect(Array.from(decodeData<Float64Array>(encodeData(big.subarray(1, 3))))).toEqual([2, 3]);
  });

  it("named float32 arrays pack into one blob and back, with shapes", () => {
    const a = {
      "h.weight": { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] },
      b: { data: new Float32Array([0.5]) },
    };
    const bytes = packArrays(a);
    expect(bytes.byteLength).toBeGreaterThanOrEqual(7 * 4);
    const back = unpackArrays(bytes);
    expect(Array.from(back["h.weight"].data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back["h.weight"].shape).toEqual([2, 3]);
    expect(Array.from(back.b.data)).toEqual([0.5]);
    expect(() => unpackArrays(bytes.subarray(0, bytes.byteLength - 4))).toThrow(/runs past the end/);
  });

  it("parts concatenate and split; sha256 names the bytes", () => {
    const parts = [Uint8Array.from([1, 2, 3]), new Uint8Array(0), Uint8Array.from([9])];
    expect(splitParts(concatParts(parts)).map((p) => Array.from(p))).toEqual([[1, 2, 3], [], [9]]);
    expect(sha256(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
