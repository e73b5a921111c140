// The cycle engine's exact time base (lib/vm/cycle/time.ts) by hand: a latency's denominator in
// cycles by continued fractions, ticks per cycle as the least common multiple of them, and the
// fallback to 2^20 ticks per cycle (rounding) when no exact base fits.
import { describe, expect, test } from "vitest";
import { MAX_R, denominator, ticksPerCycle, toTicks } from "../lib/vm/cycle/time.js";

describe("exact ticks", () => {
  test("denominators: 3.5 -> 2, 1/3 -> 3, 9.7 -> 10, 0.125 -> 8, whole numbers -> 1", () => {
    expect([denominator(3.5), denominator(1 / 3), denominator(9.7), denominator(0.125), denominator(2), denominator(0)]).toEqual([2, 3, 10, 8, 1, 1]);
    expect(denominator(-2.25)).toBe(4);
  });

  test("sqrt 2: the first convergent within 1e-9 relative, 47321/33461 (19601/13860 is 1.8e-9 off)", () => {
    expect(denominator(Math.SQRT2)).toBe(33461);
  });

  test("no denominator up to 2^20: 0 (1e-7 cycles needs 10^7)", () => {
    expect(MAX_R).toBe(2 ** 20);
    expect(denominator(1e-7)).toBe(0);
    expect(denominator(1 / 1048576)).toBe(1048576);
    expect(denominator(1 / 1048577)).toBe(0);
  });

  test("ticks per cycle: the lcm of the denominators; zero and non-finite latencies ignored", () => {
    expect(ticksPerCycle([3.5, 9.7, 1])).toEqual({ R: 10, rounded: false });
    expect(ticksPerCycle([1 / 3, 0.25, 0.5])).toEqual({ R: 12, rounded: false });
    expect(ticksPerCycle([0, Infinity, NaN, 2])).toEqual({ R: 1, rounded: false });
    expect(ticksPerCycle([])).toEqual({ R: 1, rounded: false });
  });

  test("when no exact base fits (a denominator above 2^20, or an lcm above it), 2^20 ticks per cycle and rounded", () => {
    expect(ticksPerCycle([1e-7, 0.5])).toEqual({ R: MAX_R, rounded: true });
    expect(ticksPerCycle([1 / 1021, 1 / 1031])).toEqual({ R: MAX_R, rounded: true }); // 1021 x 1031 = 1052651 > 2^20
    expect(ticksPerCycle([1 / 1021, 1 / 1021])).toEqual({ R: 1021, rounded: false });
  });

  test("toTicks: cycles x R, rounded to a whole tick", () => {
    expect([toTicks(3.5, 2), toTicks(1 / 3, 12), toTicks(1e-7, MAX_R), toTicks(2.4, 1), toTicks(2.6, 1)]).toEqual([7, 4, 0, 2, 3]);
  });
});
