import { describe, expect, test } from "vitest";
import { BLOCK, SlotQueues } from "./slot-queue.js";

/** Appends (at, val) to slot d as the VM's scatter does (room first, then block by block). */
function push(q: SlotQueues, d: number, at: number, val: number): void {
  q.room(1);
  let n = q.pos[d];
  if (n === BLOCK) { q.extend(d); n = 0; }
  const e = q.tail[d] * BLOCK + n;
  q.pos[d] = n + 1;
  q.at[e] = at; q.val[e] = val;
}

/** Queues over a ring of D slots of S entries, and slot d of the ring. */
function queues(D: number, S: number): { q: SlotQueues; ring: Float64Array; slot: (d: number) => Float64Array } {
  const ring = new Float64Array(D * S);
  return { q: new SlotQueues(D, ring, S), ring, slot: (d) => ring.subarray(d * S, (d + 1) * S) };
}

describe("SlotQueues", () => {
  test("a slot's entries are added in the order queued, across blocks and pool growth", () => {
    // A ring of 3 x 8192 entries: the pool may grow to 32 blocks, more than these entries need.
    const { q, slot } = queues(3, 8192);
    // 1e16 + 1 rounds back to 1e16 (float64): the order of additions shows in the result.
    push(q, 1, 0, 1e16);
    for (let k = 0; k < 3 * BLOCK; k++) { push(q, 1, 1, 1); push(q, 2, 0, 5); }
    push(q, 1, 0, 1);
    push(q, 1, 0, -1e16);
    q.drain(1, slot(1));
    expect(slot(1)[0]).toBe(0);
    expect(slot(1)[1]).toBe(3 * BLOCK);
    expect(slot(2)[0]).toBe(0);
    q.drain(2, slot(2));
    expect(slot(2)[0]).toBe(5 * 3 * BLOCK);
    expect(q.flushes).toBe(0);
    // The other order gives 1: (1e16 - 1e16) + 1.
    const r = queues(1, 8192);
    push(r.q, 0, 0, 1e16); push(r.q, 0, 0, -1e16); push(r.q, 0, 0, 1);
    r.q.drain(0, r.slot(0));
    expect(r.slot(0)[0]).toBe(1);
  });

  test("a drained slot is empty and its blocks go back to the pool: memory follows the entries pending at once", () => {
    const { q, slot } = queues(4, 1 << 16);
    let after = 0;
    for (let round = 0; round < 5; round++) {
      const d = round % 4;
      for (let k = 0; k < 10 * BLOCK; k++) push(q, d, 0, 1);
      slot(d)[0] = 0;
      q.drain(d, slot(d));
      expect(slot(d)[0]).toBe(10 * BLOCK);
      if (round === 0) after = q.bytes();
    }
    expect(q.bytes()).toBe(after);
    slot(0)[0] = 0;
    q.drain(0, slot(0));
    expect(slot(0)[0]).toBe(0);
  });

  test("past the cap (twice the ring's bytes, at least 4 blocks a slot) the queues flush into the ring, in order", () => {
    // A ring of 2 x 1 entries: the pool holds at most 8 blocks.
    const { q, ring } = queues(2, 1);
    push(q, 0, 0, 1e16);
    for (let k = 0; k < 20 * BLOCK; k++) push(q, 0, 0, 1);
    for (let k = 0; k < 3 * BLOCK + 5; k++) push(q, 1, 0, 1);
    push(q, 0, 0, -1e16);
    expect(q.flushes).toBeGreaterThan(0);
    expect(q.bytes()).toBeLessThanOrEqual(8 * BLOCK * 12 + 8 * 4);
    q.drain(0, ring.subarray(0, 1));
    q.drain(1, ring.subarray(1, 2));
    // Slot 0: every +1 was added to 1e16 first (lost to rounding), as without queues; slot 1 counted every entry.
    expect(ring[0]).toBe(0);
    expect(ring[1]).toBe(3 * BLOCK + 5);
  });
});
