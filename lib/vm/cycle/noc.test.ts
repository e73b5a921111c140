// The mesh (docs/cycle-models.md, "The mesh") against times worked out by hand: dimension-order
// routes (X then Y), a link starts a packet at max(enter, previous start + serial) and delivers
// it `hop` (east-west) or `hopNS` (north-south) later, a buffer of `depth` packets whose head
// alone moves on and keeps its slot until it has, a full buffer refusing (a stall) and waking its
// first waiter when a slot frees, multicast branching where the next steps differ, a local port
// with the within-tile latency to a core on the sender's router.
import { describe, expect, test } from "vitest";
import { genericMesh } from "../../target/presets/generic.js";
import { Kernel } from "./kernel.js";
import { Mesh, type Packet, type Sink } from "./noc.js";

// 4 x 3 routers, 2 cores each: core c sits at router floor(c / 2) = (r % 4, floor(r / 4)).
// Cores 0, 1 at (0, 0); 2 at (1, 0); 8 at (0, 1); 10 at (1, 1); 22 at (3, 2).
const target = genericMesh({ width: 4, height: 3, coresPerRouter: 2 });
const timing = { hop: 4, hopNS: 6, within: 2, serial: 3, depth: 2 };
const pkt = (dsts: number[], syn = dsts.map(() => 1)): Packet => ({ dsts, syn, token: false, unit: -1 });

/** A mesh whose cores' input queues take every packet and log (core, time). */
function setup(t = timing, refuseUntil = 0) {
  const k = new Kernel(), got: Array<[number, number]> = [];
  const sink = (core: number): Sink => ({
    offer: (_p, now, retry) => {
      if (now < refuseUntil) { k.at(refuseUntil, retry); return false; }
      got.push([core, now]);
      return true;
    },
  });
  return { k, got, mesh: new Mesh(k, target, t, sink) };
}

describe("mesh: links, buffers, routes", () => {
  test("a packet goes east, then north: hop 4 east-west, hopNS 6 north-south, two hops", () => {
    const { k, got, mesh } = setup();
    expect(mesh.at(10)).toEqual([1, 1]);
    // From (0, 0): the east link starts at 0 and reaches (1, 0) at 4; the north link there starts at 4, reaches (1, 1) at 10.
    expect(mesh.inject(0, pkt([10]), 0, () => undefined)).toBeNull();
    k.run();
    expect(got).toEqual([[10, 10]]);
    expect(mesh.counts.hops).toBe(2);
    const st = mesh.stats(1);
    expect(st.map((l) => [l.router, l.x, l.y, l.port, l.packets, l.waitCycles, l.maxQueue])).toEqual([[0, 0, 0, "E", 1, 0, 1], [1, 1, 0, "N", 1, 0, 1]]);
  });

  test("west and south: from (3, 2) to (0, 0) is three hops west then two south", () => {
    const { k, got, mesh } = setup();
    mesh.inject(22, pkt([0]), 0, () => undefined);
    k.run();
    // W at (3, 2), (2, 2), (1, 2): 4 each, arriving at (0, 2) at 12; S at (0, 2), (0, 1): 6 each, at (0, 0) at 24.
    expect(got).toEqual([[0, 24]]);
    expect(mesh.stats(1).map((l) => `${l.router}${l.port}`)).toEqual(["4S", "8S", "9W", "10W", "11W"]);
    expect(mesh.counts.hops).toBe(5);
  });

  test("a link serialises packets (serial 3) and its full buffer refuses, waking the waiter when a slot frees", () => {
    const { k, got, mesh } = setup();
    const third = pkt([2]);
    const retry = () => { if (mesh.inject(0, third, k.now, retry) === null) entered.push(k.now); };
    const entered: number[] = [];
    // Core 0 to core 2 (one hop east). First: starts 0, arrives 4. Second: starts 3, arrives 7. Third: buffer full (2).
    expect(mesh.inject(0, pkt([2]), 0, () => undefined)).toBeNull();
    expect(mesh.inject(0, pkt([2]), 0, () => undefined)).toBeNull();
    expect(mesh.inject(0, third, 0, retry)).toBe(third);
    expect(mesh.counts.stalls).toBe(1);
    expect(mesh.counts.stalledSinceCheck).toBe(true);
    k.run();
    // The first moves on at 4 and frees its slot: the third enters at 4, starts at max(4, 3 + 3) = 6, arrives at 10.
    expect(entered).toEqual([4]);
    expect(got).toEqual([[2, 4], [2, 7], [2, 10]]);
    // Wait beyond the latency: 0, 3 (started 3 after entering), 2 (entered 4, started 6): 5 cycles; 2.5 at R = 2.
    const [l] = mesh.stats(1);
    expect([l.packets, l.waitCycles, l.maxQueue]).toEqual([3, 5, 2]);
    expect(mesh.stats(2)[0].waitCycles).toBe(2.5);
  });

  test("a freed slot wakes only the first waiting sender; the next waits for the next slot", () => {
    const { k, got, mesh } = setup({ ...timing, depth: 1 });
    const entered: string[] = [];
    const sender = (name: string, p: Packet) => {
      const retry = () => { if (mesh.inject(0, p, k.now, retry) === null) entered.push(`${name}@${k.now}`); };
      if (mesh.inject(0, p, 0, retry) === null) entered.push(`${name}@0`);
    };
    // One-packet buffers, core 0 to core 2: a enters at 0 (arrives 4); b and c are refused (two stalls). At 4 a moves
    // on and b (the first waiter) enters, starting at max(4, 0 + 3) = 4, arriving 8; at 8 c enters (arrives 12).
    sender("a", pkt([2])); sender("b", pkt([2])); sender("c", pkt([2]));
    k.run();
    expect(entered).toEqual(["a@0", "b@4", "c@8"]);
    expect(got).toEqual([[2, 4], [2, 8], [2, 12]]);
    expect(mesh.counts.stalls).toBe(2);
  });

  test("head of line: a refused head holds the buffer; the next packet moves on when the head has", () => {
    // The input queues refuse until 20: both packets (arrived 4 and 7) reach core 2 at 20, in order.
    const { k, got, mesh } = setup(timing, 20);
    mesh.inject(0, pkt([2]), 0, () => undefined);
    mesh.inject(0, pkt([2]), 0, () => undefined);
    k.run();
    expect(got).toEqual([[2, 20], [2, 20]]);
    // Waits: 20 - 4 and 20 - 7 + 3.
    expect(mesh.stats(1)[0].waitCycles).toBe(16 + 16);
  });

  test("a core on the sender's router: the local port, within-tile latency 2, no hop", () => {
    const { k, got, mesh } = setup();
    mesh.inject(0, pkt([1]), 5, () => undefined);
    mesh.inject(0, pkt([0]), 5, () => undefined);
    k.run();
    expect(got).toEqual([[1, 7], [0, 7]]);
    expect(mesh.counts.hops).toBe(0);
    expect(mesh.stats(1)).toEqual([]);
  });

  test("a local port's buffer is bounded too (depth 1) and takes no serialisation time", () => {
    const { k, got, mesh } = setup({ ...timing, depth: 1 });
    const again = pkt([1]), times: number[] = [];
    const retry = () => { if (mesh.inject(0, again, k.now, retry) === null) times.push(k.now); };
    mesh.inject(0, pkt([1]), 0, () => undefined);
    expect(mesh.inject(0, again, 0, retry)).toBe(again);
    k.run();
    // The first reaches core 1 at 2 and frees the port; the second enters at 2 and arrives at 4.
    expect(times).toEqual([2]);
    expect(got).toEqual([[1, 2], [1, 4]]);
  });

  test("a multicast packet branches where its destinations' next steps differ", () => {
    const { k, got, mesh } = setup();
    // From core 0 at (0, 0) to 1 (same router), 2 (1, 0), 8 (0, 1) and 22 (3, 2).
    expect(mesh.inject(0, pkt([1, 2, 8, 22], [1, 2, 3, 4]), 0, () => undefined)).toBeNull();
    k.run();
    // 1: local port, 2. 2 and 22 share the east link: at (1, 0) at 4, where 2 leaves; 22 goes on east to (3, 0)
    // at 12, then north to (3, 2) at 24. 8: the north link, at 6.
    expect(got.sort((a, b) => a[0] - b[0])).toEqual([[1, 2], [2, 4], [8, 6], [22, 24]]);
    // Hops: one packet per link used: E (0, 0), N (0, 0), E (1, 0), E (2, 0), N (3, 0), N (3, 1).
    expect(mesh.counts.hops).toBe(6);
    expect(mesh.stats(1).map((l) => `${l.router}${l.port}:${l.packets}`)).toEqual(["0E:1", "0N:1", "1E:1", "2E:1", "3N:1", "7N:1"]);
  });

  test("multicast: a destination on the router leaves by its local port, those further south share one packet", () => {
    const { k, got, mesh } = setup();
    // From core 16 at (0, 2) to 0 (0, 0), 8 (0, 1) and 17 (its own router): 17 by the local port at 2; 0 and 8 share
    // the south link (at (0, 1) at 6, where 8 leaves); 0 goes on south, at (0, 0) at 12.
    mesh.inject(16, pkt([0, 8, 17]), 0, () => undefined);
    k.run();
    expect(got.sort((a, b) => a[0] - b[0])).toEqual([[0, 12], [8, 6], [17, 2]]);
    expect(mesh.stats(1).map((l) => `${l.router}${l.port}:${l.packets}`)).toEqual(["4S:1", "8S:1"]);
    expect(mesh.counts.hops).toBe(2);
  });

  test("a link's largest queue is the most it ever held, not the last", () => {
    const { k, mesh } = setup();
    // Two packets at 0 (two in the east link's buffer), then one more at 20, when the buffer is empty again.
    mesh.inject(0, pkt([2]), 0, () => undefined);
    mesh.inject(0, pkt([2]), 0, () => undefined);
    k.run();
    k.at(20, () => mesh.inject(0, pkt([2]), 20, () => undefined));
    k.run();
    expect(mesh.stats(1)[0].maxQueue).toBe(2);
    expect(mesh.stats(1)[0].packets).toBe(3);
  });

  test("a multicast branch that finds its buffer full is returned with its synapses; the others go on", () => {
    const { k, got, mesh } = setup({ ...timing, depth: 1 });
    // Core 0 fills the north link (to core 8, arriving 6); then a packet for 2 and 8: east taken, north refused.
    mesh.inject(0, pkt([8]), 0, () => undefined);
    const rest = mesh.inject(0, pkt([2, 8], [5, 9]), 0, () => undefined);
    expect(rest).toEqual({ dsts: [8], syn: [9], token: false, unit: -1 });
    expect(mesh.counts.stalls).toBe(1);
    k.run();
    expect(got).toEqual([[2, 4], [8, 6]]);
  });

  test("a token uses the links but is not a packet or a hop", () => {
    const { k, got, mesh } = setup();
    mesh.inject(0, { dsts: [10], syn: [0], token: true, unit: 3 }, 0, () => undefined);
    k.run();
    expect(got).toEqual([[10, 10]]);
    expect(mesh.counts.hops).toBe(0);
    expect(mesh.stats(1).map((l) => l.packets)).toEqual([0, 0]);
  });

  test("a link drains a long queue in order (the buffer is compacted as it goes)", () => {
    const { k, got, mesh } = setup({ ...timing, depth: 1000, serial: 1 });
    for (let i = 0; i < 200; i++) mesh.inject(0, pkt([2]), 0, () => undefined);
    k.run();
    // Packet i starts at i and arrives at i + 4.
    expect(got.map(([, t]) => t)).toEqual(Array.from({ length: 200 }, (_, i) => i + 4));
    expect(mesh.stats(1)[0].maxQueue).toBe(200);
  });
});
