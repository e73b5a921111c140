import { describe, expect, it } from "vitest";
import { Rng } from "./random.js";

/** The standard normal density. */
const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** P(0 < X < x) for a standard normal X, x >= 0, by Simpson's rule on 2,000 panels (error far below 1e-12). */
function halfMass(x: number): number {
  const n = 2000, h = x / n;
  let s = phi(0) + phi(x);
  for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * phi(k * h);
  return (s * h) / 3;
}

/** The standard normal CDF. */
const cdf = (x: number): number => (x >= 0 ? 0.5 + halfMass(x) : 0.5 - halfMass(-x));

/** P(|X| > x) = 1 - 2 P(0 < X < x). */
const twoTail = (x: number): number => 1 - 2 * halfMass(x);

function draws(seed: number, n: number): Float64Array {
  const rng = new Rng(seed), out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = rng.normal();
  return out;
}

describe("Rng.normal (ziggurat)", () => {
  const n = 1_000_000, x = draws(11, n);

  it("has mean 0 and sd 1 within 4 standard errors over 1e6 draws", () => {
    const mean = x.reduce((a, v) => a + v, 0) / n;
    const sd = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    // The sample sd of a normal has standard error 1 / sqrt(2n).
    expect(Math.abs(sd - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
  });

  it("puts P(|x| > 3) and P(|x| > 4) within 4 standard errors of the normal's", () => {
    for (const c of [3, 4]) {
      const p = twoTail(c), seen = x.reduce((a, v) => a + (Math.abs(v) > c ? 1 : 0), 0) / n;
      expect(Math.abs(seen - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it("matches the normal's mass in each of 40 bins of width 0.25 over [-5, 5] (rectangles and wedges alike)", () => {
    const bins = new Float64Array(40);
    for (const v of x) if (Math.abs(v) < 5) bins[Math.floor((v + 5) * 4)]++;
    for (let b = 0; b < 40; b++) {
      const p = cdf(-5 + (b + 1) / 4) - cdf(-5 + b / 4), se = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(bins[b] / n - p), `bin ${b}`).toBeLessThan(5 * se + 1e-7);
    }
  });

  it("passes a Kolmogorov-Smirnov test against the normal CDF (1e6 draws, 0.1% level)", () => {
    const s = Float64Array.from(x).sort();
    let d = 0;
    // The CDF at every 100th order statistic; both CDFs rise between them, so the distance
    // anywhere in a block exceeds the larger at its ends by at most 100 / n.
    for (let k = 0; k < n; k += 100) {
      const F = cdf(s[k]);
      d = Math.max(d, Math.abs(F - k / n), Math.abs(F - (k + 1) / n));
    }
    expect(d + 100 / n).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it("draws the tail beyond r = 3.65415... with the right frequency and shape, and the mass in (2.5, r) (1e7 draws)", () => {
    const r = 3.6541528853610088, rng = new Rng(5), N = 10_000_000;
    let count = 0, excess = 0, excess2 = 0, below = 0;
    for (let k = 0; k < N; k++) {
      const v = Math.abs(rng.normal());
      if (v > r) { count++; excess += v - r; excess2 += (v - r) ** 2; } else if (v > 2.5) below++;
    }
    // Just below r the widest layers' wedges hold much of the mass (their density test matters most there).
    const q = twoTail(2.5) - twoTail(r);
    expect(Math.abs(below / N - q)).toBeLessThan(4 * Math.sqrt((q * (1 - q)) / N));
    const p = twoTail(r);
    expect(Math.abs(count / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
    // E[X - r | X > r] = phi(r) / Q(r) - r, with Q(r) = P(X > r) = p / 2.
    const want = phi(r) / (p / 2) - r, mean = excess / count, sd = Math.sqrt(excess2 / count - mean * mean);
    expect(Math.abs(mean - want)).toBeLessThan((4 * sd) / Math.sqrt(count));
  });

  it("is deterministic: the same seed gives the same draws, another seed others", () => {
    expect(Array.from(draws(3, 1000))).toEqual(Array.from(draws(3, 1000)));
    expect(Array.from(draws(4, 1000))).not.toEqual(Array.from(draws(3, 1000)));
  });
});

describe("Rng block draws", () => {
  it("intsInto gives floor(random() x size) of the same stream, and with size 2^32 the raw words of nextU32", () => {
    const a = new Rng(21), b = new Rng(21), out = new Int32Array(5000);
    for (const size of [1, 7, 40000, 2 ** 31 + 3]) {
      a.intsInto(out, 1000, size);
      const want = Array.from({ length: 1000 }, () => Math.floor(b.random() * size));
      expect(Array.from(out.subarray(0, 1000))).toEqual(want);
    }
    a.intsInto(out, 5000, 2 ** 32);
    expect(Array.from(out, (w) => w >>> 0)).toEqual(Array.from({ length: 5000 }, () => b.nextU32()));
  });

  it("normalsInto steps the stream as nextU32 does: a draw in a rectangle (~99%) takes one word, its sign the word's", () => {
    const one = new Float64Array(1);
    let fast = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const a = new Rng(seed), b = new Rng(seed);
      a.normalsInto(one, 1, 0, 1, -Infinity, Infinity, -Infinity, Infinity);
      // The words after the draw's one: the same as the 2nd to 6th of nextU32 (the whole state stepped alike).
      const w1 = b.nextU32(), after = Array.from({ length: 5 }, () => b.nextU32());
      if (a.nextU32() !== after[0]) continue;
      expect(Array.from({ length: 4 }, () => a.nextU32())).toEqual(after.slice(1));
      fast++;
      expect(Math.sign(one[0]) * Math.sign((w1 | 0) >> 8)).not.toBe(-1);
    }
    expect(fast).toBeGreaterThan(380);
  });

  it("normalsInto: one value at a time or a block, the same values; redraw and clipping applied in order", () => {
    const a = new Rng(8), b = new Rng(8), block = new Float64Array(20000), one = new Float64Array(1);
    a.normalsInto(block, 20000, 1, 2, -0.5, Infinity, -Infinity, 4);
    const single = Array.from({ length: 20000 }, () => {
      b.normalsInto(one, 1, 1, 2, -0.5, Infinity, -Infinity, 4);
      return one[0];
    });
    expect(Array.from(block)).toEqual(single);
    expect(Math.min(...block)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...block)).toBe(4);
  });
});
