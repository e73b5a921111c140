// The fair queue: one lane per client, the client served longest ago goes first (never
// served first of all, in arrival order), FIFO within a lane.
import { describe, expect, test } from "vitest";
import { FairQueue } from "./queue.js";

const job = (client: string, k: number) => ({ client, job: `${client}${k}` });
const jobs = (q: FairQueue<{ client: string; job: string }>) => q.items().map((x) => x.job);

describe("FairQueue", () => {
  test("round-robin over lanes of different lengths, FIFO within each; positions and size agree", () => {
    const q = new FairQueue<{ client: string; job: string }>();
    expect(q.shift()).toBeUndefined();
    for (let k = 0; k < 3; k++) expect(q.push(job("a", k))).toBe(k);
    expect(q.push(job("b", 0))).toBe(1);
    expect(q.push(job("c", 0))).toBe(2);
    expect(q.push(job("b", 1))).toBe(4);
    expect(jobs(q)).toEqual(["a0", "b0", "c0", "a1", "b1", "a2"]);
    expect(q.size).toBe(6);
    expect(q.countOf("a")).toBe(3);
    expect(q.countOf("z")).toBe(0);
    expect(q.positionOf("a2")).toBe(5);
    expect(q.positionOf("zz")).toBe(-1);
    expect(q.drain().map((x) => x.job)).toEqual(["a0", "b0", "c0", "a1", "b1", "a2"]);
    expect(q.size).toBe(0);
    expect(q.drain()).toEqual([]);
  });

  test("a client never served goes before every client served, even one whose job is running", () => {
    const q = new FairQueue<{ client: string; job: string }>();
    for (let k = 0; k < 50; k++) q.push(job("a", k));
    expect(q.shift()!.job).toBe("a0"); // running now
    expect(q.push(job("b", 0))).toBe(0);
    expect(q.shift()!.job).toBe("b0");
    expect(q.shift()!.job).toBe("a1");
    q.push(job("b", 1));
    q.push(job("c", 0));
    expect(jobs(q).slice(0, 3)).toEqual(["c0", "b1", "a2"]);
    expect(q.size).toBe(50);
  });

  test("remove takes one waiting job; removeWhere takes every match; emptied lanes disappear", () => {
    const q = new FairQueue<{ client: string; job: string }>();
    for (const c of ["a", "b"]) for (let k = 0; k < 3; k++) q.push(job(c, k));
    expect(q.remove("zz")).toBeUndefined();
    expect(q.remove("a1")).toEqual(job("a", 1));
    expect(q.size).toBe(5);
    expect(jobs(q)).toEqual(["a0", "b0", "a2", "b1", "b2"]);
    expect(q.removeWhere((x) => x.job.endsWith("2")).map((x) => x.job).sort()).toEqual(["a2", "b2"]);
    expect(q.size).toBe(3);
    expect(q.removeWhere((x) => x.client === "b").map((x) => x.job)).toEqual(["b0", "b1"]);
    expect(q.removeWhere(() => false)).toEqual([]);
    expect(q.remove("a0")).toEqual(job("a", 0));
    expect(q.size).toBe(0);
    expect(q.countOf("a")).toBe(0);
    q.push(job("b", 9));
    expect(jobs(q)).toEqual(["b9"]);
  });

  test("forgetClient: a client that left and comes back counts as never served; one still waiting is not forgotten", () => {
    const q = new FairQueue<{ client: string; job: string }>();
    q.push(job("a", 0));
    q.push(job("b", 0));
    q.shift();
    q.shift();
    q.push(job("b", 1));
    q.push(job("a", 1));
    expect(jobs(q)).toEqual(["a1", "b1"]);
    q.forgetClient("b");
    expect(jobs(q)).toEqual(["a1", "b1"]);
    q.shift();
    q.push(job("a", 2));
    q.forgetClient("a");
    expect(jobs(q)).toEqual(["b1", "a2"]);
    q.shift();
    q.shift();
    q.forgetClient("b");
    q.push(job("a", 3));
    q.push(job("b", 3));
    expect(jobs(q)).toEqual(["b3", "a3"]);
  });
});
