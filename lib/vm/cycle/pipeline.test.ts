// A core's input side (docs/cycle-models.md, "The core pipeline", input side) against times worked
// out by hand from the spec's recurrences, with q = coreQueueDepth:
//   S1(m) = max(e(m), D1(m-1)),  D1(m) = max(S1(m) + axonIn, S2(m-q))
//   S2(m) = max(D1(m), D2(m-1)), D2(m) = max(S2(m) + synapse(n), S3(m-q))
//   S3(m) = max(D2(m), D3(m-1)), D3(m) = S3(m) + dendrite(n)
// and a message enters only once S1(m-q) <= now, else it waits (a stall) and retries at S1(m-q).
import { describe, expect, test } from "vitest";
import { Kernel } from "./kernel.js";
import type { Packet } from "./noc.js";
import { InputSide, type InputCosts } from "./pipeline.js";

const msg = (core: number, n: number): Packet => ({ dsts: [core], syn: [n], token: false, unit: -1 });
const token = (core: number, unit: number): Packet => ({ dsts: [core], syn: [0], token: true, unit });

/** An input side of core 5 with queue depth q, recording tokens and stalls. */
function side(q: number, c: InputCosts) {
  const k = new Kernel(), tokens: Array<[number, number, number]> = [];
  let stalls = 0;
  const s = new InputSide(k, 5, q, c, (core, unit, at) => tokens.push([core, unit, at]), () => stalls++);
  return { k, s, tokens, stalls: () => stalls };
}

describe("input side: axon in, synapse, dendrite with bounded queues", () => {
  test("three messages entering at once: stages overlap, each waits for the one before it", () => {
    // axonIn 1, synapse 2 per message + 3 per synapse, dendrite 1 per synapse; q = 2.
    const { s } = side(2, { axonIn: 1, synMsg: 2, synSyn: 3, dendSyn: 1 });
    // m0 (n = 2) at 0: S1 0, D1 1; S2 1, D2 1 + 2 + 6 = 9; S3 9, D3 9 + 2 = 11.
    expect(s.offer(msg(5, 2), 0, () => undefined)).toBe(true);
    expect(s.d3).toBe(11);
    // m1 (n = 1) at 0: S1 max(0, 1) = 1, D1 2; S2 max(2, 9) = 9, D2 9 + 5 = 14; S3 max(14, 11) = 14, D3 15.
    expect(s.offer(msg(5, 1), 0, () => undefined)).toBe(true);
    expect(s.d3).toBe(15);
    // m2 (n = 0) at 1: S1(m0) = 0 <= 1, enters. S1 max(1, 2) = 2, D1 max(3, S2(m0) = 1) = 3;
    // S2 max(3, 14) = 14, D2 max(16, S3(m0) = 9) = 16; S3 max(16, 15) = 16, D3 16.
    expect(s.offer(msg(5, 0), 1, () => undefined)).toBe(true);
    expect(s.d3).toBe(16);
    // Busy: the stages' service times, 1 + 8 + 2, 1 + 5 + 1, 1 + 2 + 0; three messages received.
    expect(s.busy).toBe(11 + 7 + 3);
    expect(s.messages).toBe(3);
  });

  test("blocking after service: axon in holds a message while the synapse queue is full (q = 1)", () => {
    const { s } = side(1, { axonIn: 1, synMsg: 0, synSyn: 1, dendSyn: 0 });
    // m0 (n = 10) at 0: S1 0, D1 1, S2 1, D2 11, S3 11, D3 11.
    s.offer(msg(5, 10), 0, () => undefined);
    // m1 (n = 1) at 0: S1(m0) = 0 <= 0. S1 max(0, 1) = 1, D1 max(2, S2(m0) = 1) = 2; S2 max(2, 11) = 11,
    // D2 max(12, S3(m0) = 11) = 12; S3 max(12, 11) = 12, D3 12.
    s.offer(msg(5, 1), 0, () => undefined);
    expect(s.d3).toBe(12);
    // m2 (n = 1) at 1: S1(m1) = 1 <= 1. S1 max(1, 2) = 2, D1 max(3, S2(m1) = 11) = 11 (blocked 8 cycles);
    // S2 max(11, 12) = 12, D2 max(13, S3(m1) = 12) = 13; S3 13, D3 13.
    s.offer(msg(5, 1), 1, () => undefined);
    expect(s.d3).toBe(13);
    // m3 (n = 0) at 11: S1(m2) = 2. S1 max(11, D1(m2) = 11) = 11, D1 max(12, S2(m2) = 12) = 12; S2 max(12, 13) = 13,
    // D2 max(13, 13) = 13; S3 max(13, 13) = 13, D3 13: it ends with m2 (no synapses, no dendrite work).
    s.offer(msg(5, 0), 11, () => undefined);
    expect(s.d3).toBe(13);
    // Busy counts service only, not blocking: 1 + 10, 1 + 1, 1 + 1, 1.
    expect(s.busy).toBe(11 + 2 + 2 + 1);
  });

  test("a full input queue refuses the message, counts a stall and retries when S1(m - q) has passed", () => {
    const { k, s, stalls } = side(2, { axonIn: 4, synMsg: 0, synSyn: 0, dendSyn: 0 });
    // m0 at 0: S1 0, D1 4. m1 at 0: S1 4, D1 8. m2 at 0: S1(m0) = 0 <= 0, enters: S1 8, D1 12.
    for (let i = 0; i < 3; i++) expect(s.offer(msg(5, 0), 0, () => undefined)).toBe(true);
    // m3 at 0: S1(m1) = 4 > 0: refused, one stall, retried at 4.
    const retried: number[] = [];
    expect(s.offer(msg(5, 0), 0, () => retried.push(k.now))).toBe(false);
    expect(stalls()).toBe(1);
    expect(s.messages).toBe(3);
    k.run();
    expect(retried).toEqual([4]);
    // At 4 it enters: S1 max(4, 12) = 12, D1 16.
    expect(s.offer(msg(5, 0), 4, () => undefined)).toBe(true);
    expect(s.d3).toBe(16);
    // A message may enter exactly when S1(m - q) = now (m4 at 12: S1(m2) = 8, and m5 at 12: S1(m3) = 12).
    expect(s.offer(msg(5, 0), 12, () => undefined)).toBe(true);
    expect(s.offer(msg(5, 0), 12, () => undefined)).toBe(true);
    expect(stalls()).toBe(1);
  });

  test("a token costs no stage time, is not a message, and is reported when it passes the dendrite", () => {
    const { s, tokens } = side(4, { axonIn: 1, synMsg: 1, synSyn: 2, dendSyn: 1 });
    // m0 (n = 3) at 0: D1 1, D2 1 + 1 + 6 = 8, D3 8 + 3 = 11.
    s.offer(msg(5, 3), 0, () => undefined);
    // Token of unit 7 at 2: S1 max(2, 1) = 2, D1 2; S2 max(2, 8) = 8, D2 8; S3 max(8, 11) = 11, D3 11.
    s.offer(token(5, 7), 2, () => undefined);
    expect(tokens).toEqual([[5, 7, 11]]);
    expect(s.messages).toBe(1);
    expect(s.busy).toBe(1 + 7 + 3);
    expect(s.d3).toBe(11);
  });

  test("a multicast message charges the synapses it reaches on this core only", () => {
    const { s } = side(2, { axonIn: 0, synMsg: 0, synSyn: 1, dendSyn: 0 });
    // Destinations 3, 5, 9 with 4, 7, 2 synapses: core 5 charges 7.
    s.offer({ dsts: [3, 5, 9], syn: [4, 7, 2], token: false, unit: -1 }, 0, () => undefined);
    expect(s.d3).toBe(7);
    // This core first among the destinations: 3 synapses.
    s.offer({ dsts: [5, 9], syn: [3, 2], token: false, unit: -1 }, 0, () => undefined);
    expect(s.d3).toBe(10);
    // A message naming other cores only reaches no synapse here.
    s.offer({ dsts: [3, 9], syn: [4, 2], token: false, unit: -1 }, 0, () => undefined);
    expect(s.d3).toBe(10);
    expect(s.busy).toBe(10);
  });
});
