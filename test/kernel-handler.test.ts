/**
 * The protocol handler without sockets, driven with a fake Engine (as tslab tests its
 * handler): busy/idle with the right parent, execute_input / execute_result / error,
 * silent, store_history, stop_on_error aborts, stdin, history, and the wire signing.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CellIO, Engine, ExecuteOutcome } from "../kernel/protocol/engine.js";
import { codePointOffset, ProtocolHandler, utf16Offset } from "../kernel/protocol/handler.js";
import { globToRegExp, History } from "../kernel/protocol/history.js";
import { type AnyMessage, type Channel, MalformedMessage, parseRequest } from "../kernel/protocol/messages.js";
import { decode, encode, type Outgoing, Signer, WireError } from "../kernel/protocol/wire.js";

type Sent = { channel: Channel; msg: Outgoing };

class FakeEngine implements Engine {
  interrupted = 0;
  gate: Promise<void> = Promise.resolve();
  async execute(req: { code: string }, io: CellIO): Promise<ExecuteOutcome> {
    await this.gate;
    if (req.code === "fail") return { status: "error", ename: "Boom", evalue: "it failed", traceback: ["Boom: it failed"] };
    if (req.code === "ask") return { status: "ok", result: { "text/plain": await io.input("name? ", false) }, payload: [] };
    io.stream("stdout", `ran ${req.code}\n`);
    return { status: "ok", result: { "text/plain": req.code.toUpperCase() }, payload: [] };
  }
  lastPos = -1;
  async complete(code: string, pos: number) {
    this.lastPos = pos;
    // The word before the cursor, as TypeScript's services report it (UTF-16 offsets).
    const start = code.slice(0, pos).search(/\w*$/);
    return { matches: ["abc"], cursorStart: start, cursorEnd: pos };
  }
  async inspect() { return { found: true, data: { "text/plain": "doc" } }; }
  async isComplete(code: string) { return { status: code.endsWith("{") ? ("incomplete" as const) : ("complete" as const), indent: "" }; }
  interrupt() { this.interrupted++; }
  async restart() {}
  async shutdown() {}
}

let n = 0;
function request(msg_type: string, content: object): AnyMessage {
  const header = { msg_id: `m${++n}`, msg_type, session: "s", username: "u", date: "", version: "5.3" };
  return parseRequest({ identities: [Buffer.from("id")], header, parent_header: {}, metadata: {}, content, buffers: [] });
}

function setup(engine = new FakeEngine()) {
  const sent: Sent[] = [];
  const history = new History(join(mkdtempSync(join(tmpdir(), "phasor-h-")), "h.jsonl"));
  const h = new ProtocolHandler({
    engine, history, info: { implementation_version: "0", language_version: "5", banner: "b" },
    send: (channel, msg) => sent.push({ channel, msg }),
    onShutdown: () => {}, log: () => {},
  });
  const settle = () => new Promise((r) => setTimeout(r, 20));
  const of = (id: string) => sent.filter((s) => (s.msg.parent as { msg_id?: string })?.msg_id === id);
  return { h, sent, engine, history, settle, of };
}

const exec = (code: string, extra: object = {}) => request("execute_request", { code, ...extra });

describe("protocol handler (fake engine)", () => {
  it("wraps an execute in busy/idle with execute_input, stream, execute_result and the reply", async () => {
    const { h, settle, of } = setup();
    const m = exec("hi");
    h.receive("shell", m);
    await settle();
    expect(of(m.header.msg_id).map((s) => `${s.channel}:${s.msg.msg_type}`)).toEqual([
      "iopub:status", "iopub:execute_input", "iopub:stream", "iopub:execute_result", "shell:execute_reply", "iopub:status",
    ]);
    const reply = of(m.header.msg_id).find((s) => s.msg.msg_type === "execute_reply")!.msg;
    expect(reply.content).toMatchObject({ status: "ok", execution_count: 1 });
    expect(reply.identities?.[0].toString()).toBe("id");
  });

  it("honours silent (no iopub output, count unchanged) and store_history=false", async () => {
    const { h, settle, of, history } = setup();
    const a = exec("quiet", { silent: true });
    const b = exec("nostore", { store_history: false });
    h.receive("shell", a);
    h.receive("shell", b);
    await settle();
    expect(of(a.header.msg_id).map((s) => s.msg.msg_type)).toEqual(["status", "execute_reply", "status"]);
    expect(of(b.header.msg_id).find((s) => s.msg.msg_type === "execute_reply")!.msg.content).toMatchObject({ execution_count: 0 });
    expect(history.query({ hist_access_type: "tail", n: 10, output: false, session: 0, start: 0, stop: 0, pattern: "*", unique: false })).toEqual([]);
  });

  it("aborts queued execute_requests after an error when stop_on_error is set", async () => {
    const engine = new FakeEngine();
    let open!: () => void;
    engine.gate = new Promise((r) => (open = r));
    const { h, settle, of } = setup(engine);
    const fail = exec("fail");
    const queued = exec("later");
    const kept = exec("kept", { stop_on_error: false });
    h.receive("shell", fail);
    h.receive("shell", queued);
    open();
    await settle();
    h.receive("shell", kept);
    await settle();
    expect(of(fail.header.msg_id).map((s) => s.msg.msg_type)).toContain("error");
    expect(of(queued.header.msg_id).find((s) => s.msg.msg_type === "execute_reply")!.msg.content).toEqual({ status: "aborted" });
    expect(of(queued.header.msg_id).map((s) => s.msg.msg_type)).toEqual(["status", "execute_reply", "status"]);
    expect(of(kept.header.msg_id).find((s) => s.msg.msg_type === "execute_reply")!.msg.content).toMatchObject({ status: "ok" });
  });

  it("asks stdin for input with the execute request as parent", async () => {
    const { h, settle, sent, of } = setup();
    const m = exec("ask", { allow_stdin: true });
    h.receive("shell", m);
    await settle();
    const req = sent.find((s) => s.msg.msg_type === "input_request")!;
    expect(req.channel).toBe("stdin");
    expect(req.msg.content).toEqual({ prompt: "name? ", password: false });
    h.receive("stdin", request("input_reply", { value: "Ada" }));
    await settle();
    expect(of(m.header.msg_id).find((s) => s.msg.msg_type === "execute_result")!.msg.content).toMatchObject({ data: { "text/plain": "Ada" } });
  });

  it("answers kernel_info on control with language typescript and protocol 5.3, and interrupts", async () => {
    const { h, settle, sent, engine } = setup();
    h.receive("control", request("kernel_info_request", {}));
    h.receive("control", request("interrupt_request", {}));
    await settle();
    const info = sent.find((s) => s.msg.msg_type === "kernel_info_reply")!;
    expect(info.channel).toBe("control");
    expect(info.msg.content).toMatchObject({ status: "ok", protocol_version: "5.3", language_info: { name: "typescript", file_extension: ".ts" } });
    expect(engine.interrupted).toBe(1);
  });

  it("answers complete, inspect, is_complete, comm_info and history", async () => {
    const { h, settle, sent } = setup();
    for (const [t, c] of [["complete_request", { code: "a", cursor_pos: 1 }], ["inspect_request", { code: "a", cursor_pos: 1 }],
      ["is_complete_request", { code: "f() {" }], ["comm_info_request", {}], ["history_request", { hist_access_type: "tail", n: 1 }]] as const) {
      h.receive("shell", request(t, c));
    }
    await settle();
    const replies = sent.filter((s) => s.channel === "shell").map((s) => [s.msg.msg_type, (s.msg.content as { status: string }).status]);
    expect(replies).toEqual([["complete_reply", "ok"], ["inspect_reply", "ok"], ["is_complete_reply", "incomplete"], ["comm_info_reply", "ok"], ["history_reply", "ok"]]);
  });
});

describe("cursor positions", () => {
  it("reads cursor_pos as code points and answers cursor_start/end in code points (protocol 5.2)", async () => {
    const { h, settle, of, engine } = setup();
    // "🧠" is one code point and two UTF-16 units: the cursor after "ab" is code point 8, UTF-16 unit 9.
    const code = 'const s = "🧠"; ab';
    const m = request("complete_request", { code, cursor_pos: [...code].length });
    h.receive("shell", m);
    await settle();
    expect(engine.lastPos).toBe(code.length);
    const reply = of(m.header.msg_id).find((s) => s.msg.msg_type === "complete_reply")!.msg;
    expect(reply.content).toMatchObject({ cursor_start: [...code].length - 2, cursor_end: [...code].length });
  });

  it("converts between code points and UTF-16 offsets, clamping past the end", () => {
    expect(utf16Offset("a🧠b", 2)).toBe(3);
    expect(codePointOffset("a🧠b", 3)).toBe(2);
    expect(utf16Offset("ab", 9)).toBe(2);
    expect(codePointOffset("plain", 4)).toBe(4);
  });
});

describe("message validation and signing", () => {
  it("rejects bad content with a MalformedMessage that keeps the header", () => {
    const header = { msg_id: "x", msg_type: "execute_request", session: "s", username: "u", date: "", version: "5.3" };
    try {
      parseRequest({ identities: [], header, parent_header: {}, metadata: {}, content: { code: 1 }, buffers: [] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MalformedMessage);
      expect((e as MalformedMessage).header?.msg_id).toBe("x");
    }
  });

  it("signs with HMAC-SHA256, verifies, refuses forgeries, and accepts anything with an empty key", () => {
    const signer = new Signer("secret");
    const frames = encode({ msg_type: "status", content: { execution_state: "idle" } }, "s", signer);
    expect(decode(frames, signer).content).toEqual({ execution_state: "idle" });
    expect(() => decode(frames, new Signer("other"))).toThrow(WireError);
    const open = new Signer("");
    const unsigned = encode({ msg_type: "status", content: {} }, "s", open);
    expect(unsigned[1].toString()).toBe("");
    expect(decode(unsigned, open).header).toMatchObject({ msg_type: "status", version: "5.3" });
  });
});

describe("history", () => {
  it("persists across restarts, numbers sessions, and answers tail, range and search", () => {
    const file = join(mkdtempSync(join(tmpdir(), "phasor-h-")), "h.jsonl");
    const first = new History(file);
    first.add(1, "6*7", "42");
    first.add(2, "let x = 1", null);
    first.close(); // as the kernel does before it exits
    const second = new History(file);
    expect(second.session).toBe(first.session + 1);
    second.add(1, "6*7", "42");
    const q = { output: false, session: 0, start: 0, stop: 0, n: 10, pattern: "*", unique: false };
    expect(second.query({ ...q, hist_access_type: "tail", n: 2 })).toEqual([[1, 2, "let x = 1"], [2, 1, "6*7"]]);
    expect(second.query({ ...q, hist_access_type: "range", session: 1, start: 2, stop: 3 })).toEqual([[1, 2, "let x = 1"]]);
    expect(second.query({ ...q, hist_access_type: "search", pattern: "6*7" })).toHaveLength(2);
    expect(second.query({ ...q, hist_access_type: "search", pattern: "6*7", unique: true })).toHaveLength(1);
    expect(second.query({ ...q, hist_access_type: "tail", n: 1, output: true })).toEqual([[2, 1, ["6*7", "42"]]]);
    expect(globToRegExp("a?c*").test("abcdef")).toBe(true);
  });

  it("writes a cell's line to disk by the end of the event-loop turn, without waiting for close", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "phasor-h-")), "sub", "h.jsonl");
    const h = new History(file);
    h.add(1, "1 + 1", "2");
    expect(h.query({ hist_access_type: "tail", output: false, session: 0, start: 0, stop: 0, n: 1, pattern: "*", unique: false })).toEqual([[h.session, 1, "1 + 1"]]);
    await new Promise((r) => setImmediate(r));
    expect(readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { source: string }).map((r) => r.source)).toEqual(["1 + 1"]);
  });
});
