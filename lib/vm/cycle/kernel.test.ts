// The discrete-event kernel: activations run in time order, ties in the order they were
// scheduled (so a run is deterministic), never in the past; `pending` counts what is queued.
import { describe, expect, test } from "vitest";
import { Kernel } from "./kernel.js";

describe("discrete-event kernel", () => {
  test("many activations: time order, ties in scheduling order (a stable sort of the schedule)", () => {
    const k = new Kernel(), ran: number[] = [];
    // 60 activations at times 7i mod 11 (ties: several at each time), scheduled in order i.
    const times = Array.from({ length: 60 }, (_, i) => (7 * i) % 11);
    times.forEach((t, i) => k.at(t, () => ran.push(i)));
    expect(k.pending).toBe(60);
    expect(k.run()).toBe(10);
    const expected = times.map((t, i) => [t, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
    expect(ran).toEqual(expected);
    expect(k.executed).toBe(60);
    expect(k.pending).toBe(0);
  });

  test("activations scheduled while running interleave by time; a time in the past runs now", () => {
    const k = new Kernel(), log: string[] = [];
    k.at(10, () => {
      log.push(`a@${k.now}`);
      k.at(3, () => log.push(`past@${k.now}`)); // not before now: runs at 10, after what is already due at 10
      k.schedule(-5, () => log.push(`neg@${k.now}`)); // a negative delay is none
      k.schedule(2, () => log.push(`b@${k.now}`));
    });
    k.at(10, () => log.push(`c@${k.now}`));
    k.at(11, () => log.push(`d@${k.now}`));
    expect(k.run()).toBe(12);
    expect(log).toEqual(["a@10", "c@10", "past@10", "neg@10", "d@11", "b@12"]);
  });

  test("an empty kernel runs nothing and stays at its time", () => {
    const k = new Kernel();
    expect(k.run()).toBe(0);
    expect(k.executed).toBe(0);
  });
});
