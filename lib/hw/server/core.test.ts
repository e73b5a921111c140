// The board protocol handler without sockets: limits, budgets, fairness, departures and
// shutdown, each checked through the replies a client would get.
import { describe, expect, test } from "vitest";
import { compile } from "../../compiler/index.js";
import type { Program } from "../../compiler/program.js";
import { graph, tensor } from "../../ir/builders.js";
import type { RunResult } from "../../vm/types.js";
import type { Reply } from "../protocol/messages.js";
import { programFrames } from "../protocol/codec.js";
import type { Runner, RunOptions } from "../runner.js";
import { VmRunner } from "../vm-runner.js";
import { PhasorError } from "../../ir/errors.js";
import { BoardCore, type ClientInfo, type CoreOptions } from "./core.js";
import type { SendResult } from "./outbox.js";

/** in[n] -> IF[3], all weights 0.6. */
function net(n: number): Program {
  const g = graph().input("in", [n]).linear("fc", tensor(new Float64Array(3 * n).fill(0.6), [3, n]))
    .node("lif", { type: "IF", r: tensor(new Float64Array(3).fill(1e4)), v_threshold: tensor(new Float64Array(3).fill(1)) }).output("o").build();
  return compile(g, "generic-mesh", { reset: "zero" });
}
const p4 = net(4);
const head = (h: object) => Buffer.from(JSON.stringify(h));
const ones = (n: number) => Buffer.from(new Float64Array(n).fill(1).buffer);
const run = (id: string, sha: string, T = 10, extra: object = {}) => [head({ type: "run", id, program: sha, inputs: [{ name: "in", shape: [T, 1, 4] }], ...extra }), ones(T * 4)];

/** A runner whose runs finish when the test says so (or never), recording the order they started in. */
class GateRunner implements Runner {
  readonly name = "gate";
  readonly started: string[] = [];
  private open: Array<{ resolve: (r: RunResult) => void; reject: (e: unknown) => void; o: RunOptions }> = [];
  constructor(private readonly honourAbort = true) {}
  async deploy(): Promise<{ runner: string; program: string; target: string }> { return { runner: "gate", program: "", target: "" }; }
  run(input: unknown, o: RunOptions = {}): Promise<RunResult> {
    this.started.push(String(o.steps));
    return new Promise((resolve, reject) => {
      this.open.push({ resolve, reject, o });
      if (this.honourAbort) o.signal?.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" })));
    });
  }
  /** Finishes the oldest open run. */
  finish(): void { this.open.shift()?.resolve(fakeResult(0)); }
  /** Fails the oldest open run with `e`. */
  fail(e: unknown): void { this.open.shift()?.reject(e); }
  /** Reports progress of the oldest open run. */
  progress(step: number, steps: number): void { this.open[0]?.o.onProgress?.({ step, steps, elapsed: 0 }); }
  async status(): Promise<{ runner: string; state: "idle" }> { return { runner: "gate", state: "idle" }; }
  async close(): Promise<void> {}
}

/** A result of about 1.5 kB. */
function fakeResult(steps: number): RunResult {
  const r: Partial<RunResult> = { steps, spikes: {}, outputs: { o: new Float64Array(100).fill(0.123456789) }, records: {} };
  return r as RunResult;
}

type Sent = { conn: string; reply: Reply; frames: Uint8Array[] };
function make(o: CoreOptions & { runner?: Runner } = {}) {
  const sent: Sent[] = [];
  const pipe = new Map<string, SendResult>();
  const core = new BoardCore(o.runner ?? new VmRunner(), async (conn, reply, frames) => {
    const r = pipe.get(conn) ?? "sent";
    if (r === "sent") sent.push({ conn, reply, frames });
    return r;
  }, { heartbeatMs: 20, ...o, limits: { maxSteps: 1000, ...o.limits } });
  const wait = async (pred: () => boolean, ms = 3000) => { for (const t0 = Date.now(); !pred() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 5)); expect(pred()).toBe(true); };
  const of = (conn: string, type?: string) => sent.filter((s) => s.conn === conn && (!type || s.reply.type === type)).map((s) => s.reply);
  const last = (conn: string) => of(conn).at(-1)!;
  const deploy = async (conn: string, p: Program = p4) => { const { frames, sha256 } = programFrames(p); await core.receive(conn, [head({ type: "deploy", id: "d" }), ...frames]); return sha256; };
  return { core, sent, pipe, wait, of, last, deploy };
}
const key = (name: string): ClientInfo => ({ key: name.repeat(8).slice(0, 16), name });

describe("BoardCore requests", () => {
  test("deploy, run, result; bad requests answered with their code; counts kept", async () => {
    const { core, wait, of, last, deploy } = make();
    const sha = await deploy("a");
    expect(last("a")).toMatchObject({ type: "deployed", program: sha });
    await core.receive("a", run("r1", sha));
    await wait(() => of("a", "result").length === 1);
    const result = of("a", "result")[0] as Extract<Reply, { type: "result" }>;
    expect(result).toMatchObject({ id: "r1", job: "j1" });
    await core.receive("a", run("r2", sha, 10, { steps: 5000 }));
    expect(last("a")).toMatchObject({ type: "error", id: "r2", code: "over-limit", message: "steps: steps 5000 exceeds this server's limit of 1000" });
    await core.receive("b", run("r3", sha));
    expect(last("b")).toMatchObject({ type: "error", id: "r3", code: "unknown-program" });
    await core.receive("a", [Buffer.from([0xff, 0xfe])]);
    expect(last("a")).toMatchObject({ type: "error", id: "", code: "malformed" });
    await core.receive("a", [head({ type: "ping", id: "p" })]);
    expect(last("a")).toMatchObject({ type: "pong", id: "p" });
    expect(core.status()).toMatchObject({ done: 1, rejected: 3, failed: 0, cancelled: 0, connections: 2, clients: 2 });
    await core.shutdown("test", 1);
  });

  test("hello: the same version is welcomed with the limits, another is refused naming both", async () => {
    const { core, last } = make();
    await core.receive("a", [head({ type: "hello", id: "h1", v: 1 })]);
    expect(last("a")).toMatchObject({ type: "welcome", v: 1, server: "phasor-board", runner: "vm", limits: { maxSteps: 1000, maxBatch: 1024 } });
    await core.receive("a", [head({ type: "hello", id: "h2", v: 2 })]);
    expect(last("a")).toMatchObject({ type: "error", code: "version", message: "v: this server speaks board protocol version 1; the client asked for version 2" });
  });

  test("header fields named __proto__, toString, constructor are unknown fields, not rules", async () => {
    const { core, last } = make();
    for (const f of ["__proto__", "toString", "constructor", "hasOwnProperty"]) {
      await core.receive("a", [Buffer.from(`{"type":"ping","id":"x","${f}":{"kind":"int"}}`)]);
      expect(last("a")).toMatchObject({ type: "error", id: "x", code: "unknown-field", path: [f] });
    }
    await core.receive("a", [head({ type: "constructor", id: "y" })]);
    expect(last("a")).toMatchObject({ type: "error", code: "unknown-type" });
    expect(core.status().rejected).toBe(5);
  });

  test("inputs are compared dimension by dimension: [256,1,3,4] does not run on a 12-wide layer", async () => {
    const { core, last, deploy } = make({ limits: { maxSteps: 1000 } });
    const sha = await deploy("a", net(12));
    await core.receive("a", [head({ type: "run", id: "r", program: sha, inputs: [{ name: "in", shape: [256, 1, 3, 4] }] }), ones(256 * 12)]);
    expect(last("a")).toMatchObject({ type: "error", code: "input-shape", message: "inputs.in: input in has shape [256,1,3,4]; layer in needs [T, B, 12]" });
    await core.receive("a", [head({ type: "run", id: "r2", program: sha, inputs: [{ name: "in", shape: [5, 1, 12] }] }), ones(5 * 11)]);
    expect(last("a")).toMatchObject({ type: "error", code: "bad-input" });
    await core.receive("a", [head({ type: "run", id: "r3", program: sha, inputs: [{ name: "other", shape: [5, 1, 12] }] }), ones(5 * 12)]);
    expect(last("a")).toMatchObject({ type: "error", code: "unknown-input" });
    await core.receive("a", [head({ type: "run", id: "r4", program: sha, batch: 3, inputs: [{ name: "in", shape: [5, 2, 12] }] }), ones(5 * 24)]);
    expect(last("a")).toMatchObject({ type: "error", code: "input-batch" });
    await core.receive("a", [head({ type: "run", id: "r5", program: sha })]);
    expect(last("a")).toMatchObject({ type: "error", code: "missing-input" });
    await core.receive("a", [head({ type: "run", id: "r6", program: sha, record: ["lif", "nope"], inputs: [{ name: "in", shape: [5, 1, 12] }] }), ones(5 * 12)]);
    expect(last("a")).toMatchObject({ type: "error", code: "unknown-layer", path: ["record", "nope"], message: expect.stringMatching(/no layer "nope" to record; layers: in, lif/) });
    expect(core.status().queued + core.status().running.length + core.status().done).toBe(0);
  });

  test("a program with CSR indices out of range, a NaN or string scale, or a bad shape is refused at deploy", async () => {
    const { core, last, deploy } = make();
    const csr = p4.projections.find((x) => x.csr)!.csr!;
    for (const bad of [1e6, -1]) {
      const indices = Int32Array.from(p4.blobs[csr.indices] as Int32Array);
      indices[0] = bad;
      await deploy("a", { ...p4, blobs: { ...p4.blobs, [csr.indices]: indices } });
      expect(last("a")).toMatchObject({ type: "error", code: "bad-program", message: expect.stringMatching(`targets neuron ${bad}, outside 0..2`) });
    }
    const edit = async (change: (doc: { layers: Array<Record<string, unknown> & { params?: Record<string, unknown> }>; projections: Array<Record<string, unknown>> }) => void) => {
      const { frames } = programFrames(p4);
      const doc = JSON.parse(frames[0].toString());
      change(doc);
      await core.receive("a", [head({ type: "deploy", id: "e" }), Buffer.from(JSON.stringify(doc)), frames[1]]);
      return last("a");
    };
    expect(await edit((d) => { d.layers.find((l) => l.params)!.params!.scale = "NaN"; })).toMatchObject({ code: "bad-program", message: expect.stringMatching(/params\.scale: must be a number \(finite, not NaN\), got "NaN"/) });
    expect(await edit((d) => { d.projections[0].scale = 0; })).toMatchObject({ code: "bad-program", message: expect.stringMatching(/projections\.0\.scale: must be > 0, got 0/) });
    expect(await edit((d) => { d.layers[0].shape = [-4]; })).toMatchObject({ code: "bad-program", message: expect.stringMatching(/layers\.0\.shape\.0: must be >= 1, got -4/) });
    expect(await edit((d) => { d.layers[0].size = 5; })).toMatchObject({ code: "bad-program", message: expect.stringMatching(/size 5 is not the product/) });
    expect(core.status().held.programs).toBe(0);
  });

  test("each job limit refuses before running: steps, batch, work, jobs per client; the wall clock stops a job", async () => {
    const gate = new GateRunner();
    const { core, last, of, wait, deploy } = make({ runner: gate, limits: { maxSteps: 1000, maxBatch: 4, maxWork: 3 * 100, maxJobsPerClient: 2, maxWallSeconds: 0.15 } });
    const sha = await deploy("a");
    await core.receive("a", [head({ type: "run", id: "b", program: sha, batch: 5, inputs: [{ name: "in", shape: [10, 5, 4] }] }), ones(200)]);
    expect(last("a")).toMatchObject({ code: "over-limit", message: "batch: batch 5 exceeds this server's limit of 4" });
    await core.receive("a", run("w", sha, 101));
    expect(last("a")).toMatchObject({ code: "over-limit", message: "work: work 303 exceeds this server's limit of 300" });
    await core.receive("a", run("ok1", sha, 100));
    await core.receive("a", run("ok2", sha, 100));
    await core.receive("a", run("third", sha, 100));
    expect(last("a")).toMatchObject({ code: "over-limit", message: "jobs: this client already has 2 jobs; the limit is 2" });
    await wait(() => of("a", "cancelled").length === 1);
    expect(of("a", "cancelled")[0]).toMatchObject({ id: "ok1", reason: "wall-time limit of 0.15 s reached" });
    expect(core.status()).toMatchObject({ cancelled: 1, rejected: 3 });
    await core.shutdown("test", 0);
  });

  test("a result over maxResultBytes is an error naming the limit", async () => {
    const { core, of, wait, deploy } = make({ limits: { maxResultBytes: 100 } });
    const sha = await deploy("a");
    await core.receive("a", run("r", sha));
    await wait(() => of("a", "error").length === 1);
    expect(of("a", "error")[0]).toMatchObject({ id: "r", job: "j1", code: "result-too-large", message: expect.stringMatching(/at most 100/) });
    expect(core.status().failed).toBe(1);
  });
});

describe("BoardCore fairness", () => {
  test("50 queued jobs of one client: a new client's job is next", async () => {
    const gate = new GateRunner();
    const { core, of, wait, deploy } = make({ runner: gate, limits: { maxJobsPerClient: 100 } });
    core.connected("a", key("alice"));
    core.connected("b", key("bob"));
    const sa = await deploy("a"), sb = await deploy("b");
    for (let k = 0; k < 50; k++) await core.receive("a", run(`a${k}`, sa, 10 + k));
    await wait(() => gate.started.length === 1);
    await core.receive("b", run("b0", sb, 999));
    expect(of("b", "queued").at(-1)).toMatchObject({ position: 1 });
    gate.finish();
    await wait(() => gate.started.length === 2);
    expect(gate.started).toEqual(["10", "999"]);
    gate.finish();
    await wait(() => gate.started.length === 3);
    expect(gate.started[2]).toBe("11");
    await core.shutdown("test", 0);
  });

  test("fair by client key: a second connection of the same key shares its lane", async () => {
    const gate = new GateRunner();
    const { core, wait, deploy } = make({ runner: gate, limits: { maxJobsPerClient: 3 } });
    core.connected("a1", key("alice"));
    core.connected("a2", key("alice"));
    core.connected("b", key("bob"));
    const s1 = await deploy("a1"), s2 = await deploy("a2"), sb = await deploy("b");
    await core.receive("a1", run("x", s1, 11));
    await wait(() => gate.started.length === 1);
    await core.receive("a1", run("y", s1, 12));
    await core.receive("a2", run("z", s2, 13));
    await core.receive("b", run("w", sb, 21));
    await core.receive("a2", run("v", s2, 14));
    expect(core.status().queued).toBe(3);
    for (let k = 2; k <= 4; k++) { gate.finish(); await wait(() => gate.started.length === k); }
    expect(gate.started).toEqual(["11", "21", "12", "13"]);
    await core.shutdown("test", 0);
  });
});

describe("BoardCore budget", () => {
  test("a connection that does not read: held replies stay within maxUnreadBytes, its jobs stop, it is told when it reads", async () => {
    const gate = new GateRunner();
    const lines: string[] = [];
    const { core, pipe, of, wait, deploy } = make({ runner: gate, log: (l) => lines.push(l), limits: { maxUnreadBytes: 4000, maxJobsPerClient: 100 } });
    const sha = await deploy("a");
    pipe.set("a", "full");
    for (let k = 0; k < 6; k++) await core.receive("a", run(`r${k}`, sha, 100 + k));
    for (let k = 0; k < 6 && core.status().running.length; k++) {
      gate.finish();
      await new Promise((r) => setTimeout(r, 10));
      expect(core.status().held.unreadBytes).toBeLessThanOrEqual(4000);
    }
    await wait(() => core.status().queued === 0 && core.status().running.length === 0);
    expect(lines.some((l) => /^connection a#1 is not reading: \d+ bytes unread \(limit 4000\); [1-9]\d* job\(s\) stopped$/.test(l))).toBe(true);
    const rejected = core.status().rejected;
    await core.receive("a", run("late", sha));
    expect(core.status().rejected).toBe(rejected + 1);
    expect(lines.at(-1)).toMatch(/^refused run late of a#1: this connection has \d+ bytes of replies it has not read; read them first$/);
    pipe.set("a", "sent");
    await wait(() => core.status().held.unreadBytes === 0);
    const terminal = (id: string) => of("a").filter((r) => r.id === id && ["result", "cancelled", "error"].includes(r.type));
    expect(of("a", "error").some((r) => (r as { code: string }).code === "not-delivered")).toBe(true);
    for (let k = 0; k < 6; k++) expect(terminal(`r${k}`).length).toBeLessThanOrEqual(1);
    expect(core.status().cancelled).toBeGreaterThan(0);
    await core.shutdown("test", 0);
  });

  test("a departed connection releases its programs and jobs; its undelivered replies reach its key's next connection", async () => {
    const gate = new GateRunner();
    const { core, of, wait, deploy } = make({ runner: gate });
    core.connected("a", key("alice"));
    const sha = await deploy("a");
    await deploy("a", net(5));
    await core.receive("a", run("r1", sha));
    await core.receive("a", run("r2", sha));
    await wait(() => gate.started.length === 1);
    expect(core.status().held).toMatchObject({ connections: 1, programs: 2, queuedJobs: 1 });
    core.disconnected("a");
    expect(core.status().held).toMatchObject({ connections: 0, programs: 0, programBytes: 0, queuedJobs: 0, queuedBytes: 0 });
    await wait(() => core.status().running.length === 0);
    expect(core.status().held.undeliveredBytes).toBeGreaterThan(0);
    core.connected("a2", key("alice"));
    await wait(() => of("a2").length === 2);
    expect(of("a2").map((r) => [r.type, r.id])).toEqual([["cancelled", "r2"], ["cancelled", "r1"]]);
    expect(core.status().held.undeliveredBytes).toBe(0);
    core.connected("c", key("carol"));
    expect(of("c")).toEqual([]);
  });

  test("held replies expire after undeliveredSeconds; idle connections are forgotten after idleSeconds", async () => {
    const { core, wait, deploy, of } = make({ limits: { undeliveredSeconds: 0.05, idleSeconds: 0.1 } });
    core.connected("a", key("alice"));
    const sha = await deploy("a");
    await core.receive("a", run("r", sha));
    core.disconnected("a");
    await wait(() => core.status().running.length === 0);
    await wait(() => core.status().held.undeliveredBytes === 0);
    core.connected("a2", key("alice"));
    expect(of("a2")).toEqual([]);
    await deploy("a2");
    expect(core.status().held.programs).toBe(1);
    await wait(() => core.status().held.connections === 0);
    expect(core.status().held.programs).toBe(0);
  });

  test("server-wide budgets: connections, program bytes, queued jobs and queued bytes answer server-full", async () => {
    const gate = new GateRunner();
    const bytes = programFrames(p4).frames.reduce((n, f) => n + f.byteLength, 0);
    const { core, last, deploy, wait } = make({ runner: gate, limits: { maxConnections: 2, maxProgramBytesTotal: bytes * 2, maxQueuedJobs: 2, maxQueuedBytes: 10 * 32 * 2 + 1, maxJobsPerClient: 10 } });
    const sa = await deploy("a"), sb = await deploy("b");
    await deploy("c");
    expect(last("c")).toMatchObject({ type: "error", code: "server-full" });
    await core.receive("a", [head({ type: "deploy", id: "d2" }), ...programFrames(net(5)).frames]);
    expect(last("a")).toMatchObject({ code: "server-full", message: expect.stringMatching(/bytes of programs/) });
    await core.receive("a", run("r1", sa, 10));
    await wait(() => gate.started.length === 1);
    await core.receive("a", run("r2", sa, 10));
    await core.receive("b", run("r3", sb, 10));
    await core.receive("b", run("r4", sb, 1));
    expect(last("b")).toMatchObject({ code: "server-full", message: expect.stringMatching(/2 jobs are waiting/) });
    gate.finish();
    await wait(() => core.status().queued === 1);
    await core.receive("b", run("r5", sb, 11));
    expect(last("b")).toMatchObject({ code: "server-full", message: expect.stringMatching(/bytes of inputs/) });
    await core.shutdown("test", 0);
  });
});

describe("BoardCore shutdown and log", () => {
  test("shutdown ends within grace + 1 s even when the runner ignores the abort and no client reads", async () => {
    const gate = new GateRunner(false);
    const { core, pipe, deploy, wait } = make({ runner: gate });
    const sha = await deploy("a");
    await core.receive("a", run("r1", sha));
    await core.receive("a", run("r2", sha));
    await wait(() => gate.started.length === 1);
    pipe.set("a", "gone");
    const t0 = Date.now();
    const s = await core.shutdown("stop", 0.2);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(s).toEqual({ finishing: ["j1"], cancelled: ["j2"] });
    expect(core.status().state).toBe("draining");
  });

  test("log lines name each connection by its client and a number", async () => {
    const lines: string[] = [];
    const { core, deploy } = make({ log: (l) => lines.push(l) });
    core.connected("0000000001", key("alice"));
    core.connected("0000000002", key("bob"));
    core.connected("0000000003", key("alice"));
    for (const c of ["0000000001", "0000000002", "0000000003"]) await core.receive(c, [head({ type: "nope", id: "x" })]);
    await deploy("0000000002");
    core.disconnected("0000000002");
    const rejected = lines.filter((l) => l.startsWith("rejected"));
    expect(rejected).toEqual([
      `rejected a message from alice/${key("alice").key.slice(0, 8)}#1: unknown message type "nope"`,
      `rejected a message from bob/${key("bob").key.slice(0, 8)}#2: unknown message type "nope"`,
      `rejected a message from alice/${key("alice").key.slice(0, 8)}#3: unknown message type "nope"`,
    ]);
    expect(lines.at(-1)).toBe(`connection bob/${key("bob").key.slice(0, 8)}#2 closed: connection closed; 1 program(s) released, 0 job(s) dropped`);
  });
});

describe("BoardCore requests, continued", () => {
  test("cancel: a queued job, the running job, another connection's job, an unknown job", async () => {
    const gate = new GateRunner();
    const { core, of, last, wait, deploy } = make({ runner: gate, limits: { maxJobsPerClient: 10 } });
    core.connected("a", key("alice"));
    core.connected("b", key("bob"));
    const sa = await deploy("a"), sb = await deploy("b");
    for (const id of ["r1", "r2", "r3"]) await core.receive("a", run(id, sa));
    await core.receive("b", run("b1", sb));
    await wait(() => gate.started.length === 1);
    expect(core.status().held).toMatchObject({ queuedJobs: 3, queuedBytes: 3 * 320 });
    await core.receive("a", [head({ type: "cancel", id: "c1", job: "j2" })]);
    expect(of("a", "cancelled").map((r) => [r.id, (r as { reason: string }).reason])).toEqual([["r2", "cancelled by the client"], ["c1", "cancel requested"]]);
    expect(core.status()).toMatchObject({ queued: 2, cancelled: 1, held: { queuedBytes: 2 * 320 } });
    await core.receive("b", [head({ type: "cancel", id: "c2", job: "j3" })]);
    expect(last("b")).toMatchObject({ type: "error", id: "c2", code: "unknown-job", message: "job: no job j3 of this connection" });
    expect(core.status().queued).toBe(2);
    await core.receive("b", [head({ type: "cancel", id: "c3", job: "j1" })]);
    expect(last("b")).toMatchObject({ code: "unknown-job", message: "job: no queued or running job j1 of this connection (give the job id from queued or started)" });
    await core.receive("a", [head({ type: "cancel", id: "c4", job: "j1" })]);
    await wait(() => of("a", "cancelled").some((r) => r.id === "r1"));
    expect(of("a", "cancelled").find((r) => r.id === "r1")).toMatchObject({ job: "j1", reason: "cancelled by the client" });
    expect(of("a", "cancelled").find((r) => r.id === "c4")).toMatchObject({ job: "j1", reason: "cancel requested" });
    await wait(() => gate.started.length === 2);
    expect(core.status().running[0]).toMatchObject({ job: "j4", client: `bob/${key("bob").key.slice(0, 8)}#2` });
    await core.shutdown("test", 0);
  });

  test("status, ping and bye; progress and queue positions reach the client on heartbeats", async () => {
    const gate = new GateRunner();
    const lines: string[] = [];
    const { core, of, last, wait, deploy } = make({ runner: gate, name: "bench-1", log: (l) => lines.push(l) });
    core.connected("a", key("alice"));
    const sha = await deploy("a");
    await core.receive("a", run("r1", sha));
    await core.receive("a", run("r2", sha));
    await wait(() => gate.started.length === 1);
    gate.progress(3, 10);
    await core.receive("a", [head({ type: "status", id: "s" })]);
    const s = last("a") as Extract<Reply, { type: "status" }>;
    expect(s).toMatchObject({ type: "status", id: "s", server: "bench-1", runner: "gate", clients: 1, connections: 1, queued: 1, state: "serving" });
    expect(s.running).toEqual([{ job: "j1", client: `alice/${key("alice").key.slice(0, 8)}#1`, step: 3, steps: 10, elapsed: expect.any(Number) }]);
    expect(s.running[0].elapsed).toBeLessThan(5);
    expect(s.uptime).toBeGreaterThan(0);
    expect(s.uptime).toBeLessThan(30);
    await wait(() => of("a", "progress").length > 0 && of("a", "queued").some((r) => r.id === "r2" && of("a", "queued").filter((q) => q.id === "r2").length > 1));
    expect(of("a", "progress")[0]).toMatchObject({ id: "r1", job: "j1", step: 3, steps: 10, telemetry: { queued: 1 } });
    expect(of("a", "queued").filter((q) => q.id === "r2").every((q) => (q as { position: number }).position === 1)).toBe(true);
    const t = Date.now() / 1e3;
    await core.receive("a", [head({ type: "ping", id: "p" })]);
    expect((last("a") as { time: number }).time).toBeGreaterThan(t - 5);
    expect((last("a") as { time: number }).time).toBeLessThan(t + 5);
    await core.receive("a", [head({ type: "bye", id: "b" })]);
    expect(core.status().held).toMatchObject({ connections: 0, programs: 0, queuedJobs: 0 });
    expect(lines.find((l) => / closed: /.test(l))).toBe(`connection alice/${key("alice").key.slice(0, 8)}#1 closed: client said bye; 1 program(s) released, 2 job(s) dropped`);
    await wait(() => core.status().cancelled === 2);
    await core.shutdown("test", 0);
  });

  test("a runner failure is runner-failed (stack to the log), an abort is aborted, a PhasorError keeps its issues", async () => {
    const gate = new GateRunner();
    const lines: string[] = [];
    const { core, of, wait, deploy } = make({ runner: gate, log: (l) => lines.push(l) });
    const sha = await deploy("a");
    for (const id of ["r1", "r2", "r3", "r4"]) await core.receive("a", run(id, sha));
    await wait(() => gate.started.length === 1);
    gate.fail(new TypeError("boom"));
    await wait(() => gate.started.length === 2);
    gate.fail(Object.assign(new Error("stopped by the board"), { name: "AbortError" }));
    await wait(() => gate.started.length === 3);
    gate.fail(new PhasorError([{ code: "unknown-layer", path: ["x"], message: "no layer x" }, { code: "other", path: [], message: "second" }]));
    await wait(() => gate.started.length === 4);
    gate.fail("a string");
    await wait(() => of("a", "error").length === 4);
    expect(of("a", "error").map((e) => [e.id, (e as { code: string }).code, (e as { message: string }).message, (e as { job?: string }).job])).toEqual([
      ["r1", "runner-failed", "boom", "j1"], ["r2", "aborted", "stopped by the board", "j2"], ["r3", "unknown-layer", "x: no layer x; second", "j3"], ["r4", "runner-failed", "a string", "j4"],
    ]);
    expect(lines.filter((l) => l.startsWith("internal error: ")).map((l) => l.split("\n")[0])).toEqual(["internal error: TypeError: boom", "internal error: a string"]);
    expect(core.status()).toMatchObject({ failed: 4, done: 0 });
  });

  test("deploy: over maxProgramBytes; the oldest of maxProgramsPerClient programs is dropped; redeploying refreshes one", async () => {
    const bytes = programFrames(p4).frames.reduce((n, f) => n + f.byteLength, 0);
    const { core, last, deploy, wait, of } = make({ limits: { maxProgramsPerClient: 2, maxProgramBytes: bytes + 500 } });
    await deploy("a", net(40));
    expect(last("a")).toMatchObject({ code: "over-limit", message: expect.stringMatching(new RegExp(`^program: program of \\d+ bytes exceeds this server's limit of ${bytes + 500}$`)) });
    const s4 = await deploy("a", p4), s5 = await deploy("a", net(5));
    await deploy("a", p4);
    const s6 = await deploy("a", net(6));
    expect(core.status().held.programs).toBe(2);
    await core.receive("a", run("r5", s5, 1));
    expect(last("a")).toMatchObject({ code: "unknown-program", message: `program: no deployed program ${s5.slice(0, 12)}… on this connection; deploy it first` });
    await core.receive("a", run("r4", s4));
    await wait(() => of("a", "result").length === 1);
    expect(s6).toMatch(/^[0-9a-f]{64}$/);
    expect(core.status().held.programBytes).toBeGreaterThan(bytes);
  });

  test("after shutdown: runs are refused (draining); the running job finishing within grace sends its result", async () => {
    const gate = new GateRunner();
    const { core, of, last, wait, deploy } = make({ runner: gate });
    core.connected("b", key("bob"));
    const sha = await deploy("a");
    await core.receive("a", run("r1", sha));
    await core.receive("a", run("r2", sha));
    await wait(() => gate.started.length === 1);
    const done = core.shutdown("maintenance", 5);
    await wait(() => of("b", "shutdown").length === 1);
    expect(of("b", "shutdown")[0]).toEqual({ type: "shutdown", id: "", reason: "maintenance", finishing: ["j1"], cancelled: ["j2"] });
    expect(of("a", "cancelled")).toEqual([{ type: "cancelled", id: "r2", job: "j2", reason: "maintenance" }]);
    await core.receive("a", run("r3", sha));
    expect(last("a")).toMatchObject({ type: "error", id: "r3", code: "draining", message: "the server is shutting down and takes no new jobs" });
    gate.finish();
    expect(await done).toEqual({ finishing: ["j1"], cancelled: ["j2"] });
    expect(of("a", "result").map((r) => r.id)).toEqual(["r1"]);
    expect(gate.started).toHaveLength(1);
  });

  test("a job past the grace is stopped with a reason naming it; an idle server shuts down at once", async () => {
    const gate = new GateRunner();
    const { core, of, wait, deploy } = make({ runner: gate });
    const sha = await deploy("a");
    await core.receive("a", run("r1", sha));
    await wait(() => gate.started.length === 1);
    const t0 = Date.now();
    await core.shutdown("bye now", 0.1);
    expect(Date.now() - t0).toBeLessThan(1000);
    await wait(() => of("a", "cancelled").length === 1);
    expect(of("a", "cancelled")[0]).toMatchObject({ id: "r1", reason: "bye now; the job did not finish within 0.1 s" });
    const idle = make();
    const t1 = Date.now();
    expect(await idle.core.shutdown()).toEqual({ finishing: [], cancelled: [] });
    expect(Date.now() - t1).toBeLessThan(100);
  });

  test("a runner that ignores the abort: shutdown waits grace + 1 s for it, no less", async () => {
    const gate = new GateRunner(false);
    const { core, deploy, wait } = make({ runner: gate });
    const sha = await deploy("a");
    await core.receive("a", run("r1", sha));
    await wait(() => gate.started.length === 1);
    const t0 = Date.now();
    await core.shutdown("stop", 0.1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1050);
  });

  test("connections beyond maxConnections get server-full (id \"\") and hold nothing; a busy connection is not idle", async () => {
    const gate = new GateRunner();
    const lines: string[] = [];
    const { core, sent, wait, deploy, of } = make({ runner: gate, log: (l) => lines.push(l), limits: { maxConnections: 1, idleSeconds: 0.05 } });
    core.connected("a", key("alice"));
    core.connected("a", key("alice"));
    core.connected("b", key("bob"));
    expect(lines.at(-1)).toBe(`connection of bob/${key("bob").key.slice(0, 8)} not tracked: 1 connections held (limit 1)`);
    await core.receive("b", [head({ type: "ping", id: "p" })]);
    await wait(() => sent.some((s) => s.conn === "b"));
    expect(of("b")).toEqual([{ type: "error", id: "", code: "server-full", message: "the server holds 1 connections; try again later", path: [], issues: [{ code: "server-full", path: [], message: "the server holds 1 connections; try again later" }] }]);
    const sha = await deploy("a");
    await core.receive("a", run("r1", sha));
    await wait(() => gate.started.length === 1);
    await new Promise((r) => setTimeout(r, 150));
    expect(core.status().connections).toBe(1);
    gate.finish();
    await wait(() => core.status().connections === 0);
    expect(lines.at(-1)).toMatch(/^connection alice\/\w{8}#1 closed: idle for 0.05 s; 1 program\(s\) released, 0 job\(s\) dropped$/);
  });

  test("a connection with no key info is named by its id; a departed job's replies go to its key, news does not", async () => {
    const gate = new GateRunner();
    const lines: string[] = [];
    const { core, wait, deploy, of } = make({ runner: gate, log: (l) => lines.push(l) });
    const sha = await deploy("0123456789abcdef");
    expect(lines[0]).toBe("connection 0123456789ab#1 opened");
    await core.receive("0123456789abcdef", run("r1", sha));
    await wait(() => gate.started.length === 1);
    core.disconnected("0123456789abcdef");
    core.disconnected("0123456789abcdef");
    await wait(() => core.status().running.length === 0);
    expect(lines.filter((l) => l.startsWith("job j1"))).toEqual(["job j1 of 0123456789ab stopped: connection closed"]);
    core.connected("again", { key: "0123456789abcdef", name: "0123456789abcdef" });
    await wait(() => of("again").length === 1);
    expect(of("again")[0]).toMatchObject({ type: "cancelled", id: "r1", reason: "connection closed" });
    expect(lines.at(-1)).toBe("connection 0123456789ab#2 opened; 1 held reply(ies) sent to it");
  });

  test("a result reports its job's seconds and decodes to the run's steps", async () => {
    const { core, wait, of, deploy } = make();
    const sha = await deploy("a");
    await core.receive("a", run("r1", sha, 12));
    await wait(() => of("a", "result").length === 1);
    const r = sent0(of("a", "result")[0]);
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.seconds).toBeLessThan(30);
    expect(of("a").map((x) => x.type)).toEqual(["deployed", "queued", "started", "result"]);
  });
});

function sent0(r: Reply): { seconds: number } {
  return r as { seconds: number };
}
