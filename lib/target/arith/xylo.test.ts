// Xylo's arithmetic against values worked out by hand from SynSense's bit-exact simulator
// (xylosim.v2, XyloIAFNeuron::evolve) and Rockpool's Xylo overview: a shift decay of at least
// one LSB towards zero, the new currents in v, several events per step, subtractive reset.
import { describe, expect, test } from "vitest";
import { bitshiftDecrement, sat16, xyloStep } from "./xylo.js";

describe("Xylo arithmetic", () => {
  test("the bit-shift decrement is x >> dash (floor), or one LSB towards zero when that is 0", () => {
    expect([bitshiftDecrement(1000, 4), bitshiftDecrement(-1000, 4)]).toEqual([62, -63]);
    expect([bitshiftDecrement(7, 4), bitshiftDecrement(-7, 4), bitshiftDecrement(0, 4)]).toEqual([1, -1, 0]);
    expect(bitshiftDecrement(16, 4)).toBe(1);
  });

  test("16-bit saturation", () => {
    expect([sat16(40000), sat16(-40000), sat16(-32768), sat16(32767)]).toEqual([32767, -32768, -32768, 32767]);
  });

  test("one step: the current decays first, v takes the new current, events subtract the threshold", () => {
    // i = 100 - (100 >> 1) = 50; v = 0 - 0 + 50 = 50; 50 >= 30: one event, v = 20.
    expect(xyloStep([100], 0, [1], 2, 0, 30, 31)).toEqual({ i: [50], v: 20, events: 1 });
    // Threshold 10: five events and v = 0 on a hidden neuron; one event (v = 40) on an output neuron.
    expect(xyloStep([100], 0, [1], 2, 0, 10, 31)).toEqual({ i: [50], v: 0, events: 5 });
    expect(xyloStep([100], 0, [1], 2, 0, 10, 1)).toEqual({ i: [50], v: 40, events: 1 });
    // v = 3 with dash 4 leaks one LSB; two currents add; the bias adds to v: 3 - 1 + (9 - 1) + (-5 + 1) + 2 = 8.
    expect(xyloStep([9, -5], 3, [4, 4], 4, 2, 100, 31)).toEqual({ i: [8, -4], v: 8, events: 0 });
    // Exactly at the threshold is an event (>=): 31 leaks one LSB to 30 = threshold.
    expect(xyloStep([0], 31, [1], 15, 0, 30, 31)).toEqual({ i: [0], v: 0, events: 1 });
    expect(xyloStep([0], 30, [1], 15, 0, 30, 31)).toEqual({ i: [0], v: 29, events: 0 });
  });

  test("v saturates at 16 bits before the events are counted", () => {
    expect(xyloStep([32767], 32767, [15], 15, 0, 32767, 31)).toEqual({ i: [32766], v: 0, events: 1 });
  });
});
