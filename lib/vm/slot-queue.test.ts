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

describe("SlotQueues", () => {
  test("a slot's entries are added in the order queued, across blocks and pool growth", () => {
    const q = new SlotQueues(3), plane = new Float64Array(2);
    // 1e16 + 1 rounds back to 1e16 (float64): the order of additions shows in the result.
    push(q, 1, 0, 1e16);
    for (let k = 0; k < 3 * BLOCK; k++) { push(q, 1, 1, 1); push(q, 2, 0, 5); }
    push(q, 1, 0, 1);
    push(q, 1, 0, -1e16);
    q.drain(1, plane);
    expect(plane[0]).toBe(0);
    expect(plane[1]).toBe(3 * BLOCK);
    q.drain(2, plane);
    expect(plane[0]).toBe(5 * 3 * BLOCK);
    // The other order gives 1: (1e16 - 1e16) + 1.
    const r = new SlotQueues(1), p2 = new Float64Array(1);
    push(r, 0, 0, 1e16); push(r, 0, 0, -1e16); push(r, 0, 0, 1);
    r.drain(0, p2);
    expect(p2[0]).toBe(1);
  });

  test("a drained slot is empty and its blocks go back to the pool: memory follows the entries pending at once", () => {
    const q = new SlotQueues(4), plane = new Float64Array(1);
    let after = 0;
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 10 * BLOCK; k++) push(q, round % 4, 0, 1);
      plane[0] = 0;
      q.drain(round % 4, plane);
      expect(plane[0]).toBe(10 * BLOCK);
      if (round === 0) after = q.bytes();
    }
    expect(q.bytes()).toBe(after);
    plane[0] = 0;
    q.drain(0, plane);
    expect(plane[0]).toBe(0);
  });
});
