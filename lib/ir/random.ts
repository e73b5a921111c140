/** A seeded pseudo-random generator (xoshiro128**, seeded by splitmix32): same seed, same numbers, everywhere. */
export class Rng {
  private s = new Uint32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let k = 0; k < 4; k++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[k] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.nextU32() / 4294967296;
  }

  /** Bernoulli draws: the indices k < n for which a draw with probability p succeeds (geometric skipping). */
  *bernoulliIndices(n: number, p: number): Generator<number> {
    if (p <= 0) return;
    if (p >= 1) { for (let k = 0; k < n; k++) yield k; return; }
    const logq = Math.log(1 - p);
    for (let k = -1; ; ) {
      k += 1 + Math.floor(Math.log(1 - this.random()) / logq);
      if (k >= n) return;
      yield k;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
