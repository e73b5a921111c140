// The board protocol handler without sockets, and the fair queue.
import { describe, expect, test } from "vitest";
import { compile } from "../../compiler/index.js";
import { graph, tensor } from "../../ir/builders.js";
import type { Reply } from "../protocol/messages.js";
import { programFrames } from "../protocol/codec.js";
import { VmRunner } from "../vm-runner.js";
import { BoardCore } from "./core.js";
import { FairQueue } from "./queue.js";

describe("FairQueue", () => {
  test("serves clients round-robin whatever their queue lengths", () => {
    const q = new FairQueue<{ client: string; job: string }>();
    for (let k = 0; k < 5; k++) q.push({ client: "a", job: `a${k}` });
    q.push({ client: "b", job: "b0" });
    q.push({ client: "c", job: "c0" });
    expect(q.positionOf("c0")).toBe(2);
    expect(q.drain().map((x) => x.job)).toEqual(["a0", "b0", "c0", "a1", "a2", "a3", "a4"]);
  });
});

describe("BoardCore", () => {
  const p = compile(graph().input("in", [4]).linear("fc", tensor(new Float64Array(12).fill(0.6), [3, 4])).node("lif", { type: "IF", r: tensor(new Float64Array(3).fill(1e4)), v_threshold: tensor(new Float64Array(3).fill(1)) }).output("o").build(), "generic-mesh", { reset: "zero" });
  const make = () => {
    const sent: Array<{ client: string; reply: Reply; frames: Uint8Array[] }> = [];
    const core = new BoardCore(new VmRunner(), async (client, reply, frames = []) => { sent.push({ client, reply, frames }); return client !== "gone"; }, { limits: { maxSteps: 100 } });
    const wait = async (pred: () => boolean) => { for (let k = 0; k < 200 && !pred(); k++) await new Promise((r) => setTimeout(r, 5)); };
    return { core, sent, wait };
  };
  const head = (h: object) => Buffer.from(JSON.stringify(h));

  test("deploy, run, result; errors for bad requests and limits; counts kept", async () => {
    const { core, sent, wait } = make();
    const { frames, sha256 } = programFrames(p);
    await core.receive("a", [head({ type: "deploy", id: "d1" }), ...frames]);
    expect(sent.at(-1)!.reply).toMatchObject({ type: "deployed", program: sha256 });
    const input = Buffer.from(new Float64Array(10 * 4).fill(1).buffer);
    await core.receive("a", [head({ type: "run", id: "r1", program: sha256, inputs: [{ name: "in", shape: [10, 1, 4] }] }), input]);
    await wait(() => sent.some((s) => s.reply.type === "result"));
    const result = sent.find((s) => s.reply.type === "result")!;
    expect(JSON.parse(Buffer.from(result.frames[0]).toString()).steps).toBe(10);
    await core.receive("a", [head({ type: "run", id: "r2", program: sha256, steps: 500, inputs: [{ name: "in", shape: [10, 1, 4] }] }), input]);
    expect(sent.at(-1)!.reply).toMatchObject({ type: "error", id: "r2", code: "over-limit" });
    await core.receive("b", [head({ type: "run", id: "r3", program: sha256 })]);
    expect(sent.at(-1)!.reply).toMatchObject({ type: "error", id: "r3", code: "unknown-program" });
    await core.receive("a", [Buffer.from([0xff, 0xfe])]);
    expect(sent.at(-1)!.reply).toMatchObject({ type: "error", code: "malformed" });
    expect(core.status()).toMatchObject({ done: 1, rejected: 3 });
    await core.shutdown("test", 1);
  });
});
