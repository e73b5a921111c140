/**
 * The protocol handler: turns requests into replies and iopub traffic. It knows nothing of
 * sockets (tests drive it with a fake Engine and a recording `send`) nor of TypeScript.
 */
import type { CellIO, Engine } from "./engine.js";
import type { History } from "./history.js";
import { type AnyMessage, type Channel, type ContentMap, type Header, type Message, type MsgType, replyType } from "./messages.js";
import type { Outgoing } from "./wire.js";

/** Static facts for kernel_info_reply. */
export interface KernelInfo {
  implementation_version: string;
  language_version: string;
  banner: string;
}

/** What the handler needs from its surroundings. */
export interface HandlerOptions {
  engine: Engine;
  history: History;
  info: KernelInfo;
  send(channel: Channel, msg: Outgoing): void;
  /** Called after shutdown_reply went out; the kernel closes sockets and exits. */
  onShutdown(restart: boolean): void;
  log(line: string): void;
}

type Pending = { resolve(v: string): void; reject(e: Error): void };

/** Dispatches requests by msg_type; shell requests run one at a time, control ones at once. */
export class ProtocolHandler {
  private executionCount = 0;
  private readonly shellQueue: AnyMessage[] = [];
  private draining = false;
  private pendingInput: Pending | null = null;
  private readonly aborting = new Set<string>();

  constructor(private readonly o: HandlerOptions) {}

  /** Accepts a validated request from a channel. */
  receive(channel: Channel, msg: AnyMessage): void {
    if (channel === "stdin") return this.onInputReply(msg);
    if (channel === "control") {
      void this.dispatch("control", msg);
      return;
    }
    this.shellQueue.push(msg);
    void this.drain();
  }

  /** Interrupts the running cell (SIGINT, `fromSignal`, or interrupt_request). */
  interrupt(fromSignal = false): void {
    this.pendingInput?.reject(new Error("interrupted while waiting for input"));
    this.pendingInput = null;
    this.o.engine.interrupt(fromSignal);
  }

  /** Replies with status error to a request that failed validation. */
  rejectMalformed(channel: Channel, header: Header, identities: Buffer[], why: string): void {
    if (channel === "stdin" || !header.msg_type.endsWith("_request")) return;
    const parent = header;
    this.publish("status", { execution_state: "busy" }, parent);
    this.o.send(channel, {
      msg_type: replyType(header.msg_type),
      parent,
      identities,
      content: { status: "error", ename: "MalformedMessage", evalue: why, traceback: [`MalformedMessage: ${why}`] },
    });
    this.publish("status", { execution_state: "idle" }, parent);
  }

  /** Publishes the 'starting' status once the sockets are up. */
  starting(): void {
    this.publish("status", { execution_state: "starting" }, {});
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let msg = this.shellQueue.shift(); msg; msg = this.shellQueue.shift()) await this.dispatch("shell", msg);
    } finally {
      this.draining = false;
    }
  }

  private async dispatch(channel: Channel, msg: AnyMessage): Promise<void> {
    const parent = msg.header;
    this.publish("status", { execution_state: "busy" }, parent);
    try {
      await this.handle(channel, msg);
    } catch (e) {
      this.o.log(`${msg.header.msg_type} failed: ${(e as Error).stack ?? String(e)}`);
      if (msg.header.msg_type.endsWith("_request")) {
        const err = e as Error;
        this.o.send(channel, {
          msg_type: replyType(msg.header.msg_type),
          parent,
          identities: msg.identities,
          content: { status: "error", ename: err.name ?? "Error", evalue: err.message ?? String(e), traceback: [] },
        });
      }
    } finally {
      this.publish("status", { execution_state: "idle" }, parent);
    }
  }

  private async handle(channel: Channel, msg: AnyMessage): Promise<void> {
    const reply = <T extends MsgType>(type: T, content: ContentMap[T]): void =>
      this.o.send(channel, { msg_type: type, parent: msg.header, identities: msg.identities, content });
    const e = this.o.engine;
    switch (msg.msg_type) {
      case "execute_request":
        return this.execute(channel, msg);
      case "kernel_info_request":
        return reply("kernel_info_reply", this.kernelInfo());
      // Cursor positions on the wire count code points (protocol 5.2); the engine counts UTF-16 units.
      case "complete_request": {
        const { code, cursor_pos } = msg.content;
        const c = await e.complete(code, utf16Offset(code, cursor_pos));
        const cursor_start = codePointOffset(code, c.cursorStart), cursor_end = codePointOffset(code, c.cursorEnd);
        return reply("complete_reply", { status: "ok", matches: c.matches, cursor_start, cursor_end, metadata: {} });
      }
      case "inspect_request": {
        const { code, cursor_pos, detail_level } = msg.content;
        const i = await e.inspect(code, utf16Offset(code, cursor_pos), detail_level);
        return reply("inspect_reply", { status: "ok", found: i.found, data: i.data, metadata: {} });
      }
      case "is_complete_request":
        return reply("is_complete_reply", await e.isComplete(msg.content.code));
      case "history_request":
        return reply("history_reply", { status: "ok", history: this.o.history.query(msg.content) });
      case "comm_info_request":
        return reply("comm_info_reply", { status: "ok", comms: {} });
      case "connect_request":
        return reply("connect_reply", { status: "error", ename: "NotSupported", evalue: "connect_request is deprecated", traceback: [] });
      case "comm_open":
        // No comm targets are registered: close it at once, as the spec asks.
        return this.publish("comm_close", { comm_id: msg.content.comm_id, data: {} }, msg.header);
      case "comm_msg":
      case "comm_close":
        return;
      case "interrupt_request":
        this.interrupt();
        return reply("interrupt_reply", { status: "ok" });
      case "shutdown_request": {
        const restart = msg.content.restart;
        reply("shutdown_reply", { status: "ok", restart });
        this.publish("shutdown_reply", { status: "ok", restart }, msg.header);
        this.o.onShutdown(restart);
        return;
      }
      default:
        this.o.log(`ignoring ${msg.header.msg_type} on ${channel}`);
    }
  }

  private kernelInfo(): ContentMap["kernel_info_reply"] {
    const { implementation_version, language_version, banner } = this.o.info;
    return {
      status: "ok",
      protocol_version: "5.3",
      implementation: "phasor",
      implementation_version,
      language_info: {
        name: "typescript",
        version: language_version,
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: { name: "javascript", typescript: true },
        pygments_lexer: "typescript",
      },
      banner,
      debugger: false,
      help_links: [{ text: "Phasor", url: "https://github.com/phasor-neuro/phasor" }],
    };
  }

  private async execute(channel: Channel, msg: Message<"execute_request">): Promise<void> {
    const c = msg.content;
    const parent = msg.header;
    const reply = (content: ContentMap["execute_reply"]): void =>
      this.o.send(channel, { msg_type: "execute_reply", parent, identities: msg.identities, content });
    if (this.aborting.delete(parent.msg_id)) return reply({ status: "aborted" });
    const storeHistory = c.store_history && !c.silent;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    if (!c.silent) this.publish("execute_input", { code: c.code, execution_count: count }, parent);
    const io = c.silent ? silentIO(c.allow_stdin ? (p, pw) => this.input(msg, p, pw) : undefined) : this.cellIO(msg);
    const out = await this.o.engine.execute({ code: c.code, executionCount: count, silent: c.silent, allowStdin: c.allow_stdin, userExpressions: c.user_expressions }, io);
    if (out.status === "ok") {
      if (out.result && !c.silent) this.publish("execute_result", { execution_count: count, data: out.result, metadata: {} }, parent);
      reply({ status: "ok", execution_count: count, payload: out.payload, user_expressions: out.userExpressions ?? {} });
    } else {
      const err = { ename: out.ename, evalue: out.evalue, traceback: out.traceback };
      if (!c.silent) this.publish("error", err, parent);
      reply({ status: "error", execution_count: count, ...err });
      if (c.stop_on_error) this.abortQueued();
    }
    if (storeHistory) this.o.history.add(count, c.code, out.status === "ok" ? plainText(out.result) : null);
  }

  /** Marks every queued execute_request as aborted (stop_on_error). */
  private abortQueued(): void {
    for (const m of this.shellQueue) if (m.header.msg_type === "execute_request") this.aborting.add(m.header.msg_id);
  }

  private cellIO(msg: Message<"execute_request">): CellIO {
    const parent = msg.header;
    return {
      stream: (name, text) => this.publish("stream", { name, text }, parent),
      display: (data, metadata, displayId) =>
        this.publish("display_data", { data, metadata, transient: displayId ? { display_id: displayId } : {} }, parent),
      update: (data, metadata, displayId) => this.publish("update_display_data", { data, metadata, transient: { display_id: displayId } }, parent),
      clear: (wait) => this.publish("clear_output", { wait }, parent),
      input: (prompt, password) => this.input(msg, prompt, password),
    };
  }

  private input(msg: Message<"execute_request">, prompt: string, password: boolean): Promise<string> {
    if (!msg.content.allow_stdin) return Promise.reject(new Error("this front end does not support input (allow_stdin is false)"));
    this.pendingInput?.reject(new Error("superseded by a newer input request"));
    return new Promise<string>((resolve, reject) => {
      this.pendingInput = { resolve, reject };
      this.o.send("stdin", { msg_type: "input_request", parent: msg.header, identities: msg.identities, content: { prompt, password } });
    });
  }

  private onInputReply(msg: AnyMessage): void {
    if (msg.msg_type !== "input_reply") return this.o.log(`ignoring ${msg.header.msg_type} on stdin`);
    const p = this.pendingInput;
    this.pendingInput = null;
    if (p) p.resolve(msg.content.value);
    else this.o.log("input_reply with no pending input_request");
  }

  private publish<T extends MsgType>(type: T, content: ContentMap[T], parent: Header | Record<string, never>): void {
    this.o.send("iopub", { msg_type: type, parent, content });
  }
}

function silentIO(input?: CellIO["input"]): CellIO {
  const none = (): void => {};
  return { stream: none, display: none, update: none, clear: none, input: input ?? (() => Promise.reject(new Error("no stdin"))) };
}

function plainText(bundle: Record<string, unknown> | undefined): string | null {
  const t = bundle?.["text/plain"];
  return typeof t === "string" ? t : null;
}

/** The UTF-16 offset of code point `cp` in `s` (clamped to the string). */
export function utf16Offset(s: string, cp: number): number {
  let u = 0;
  for (let c = 0; c < cp && u < s.length; c++) u += (s.codePointAt(u) ?? 0) > 0xffff ? 2 : 1;
  return Math.min(u, s.length);
}

/** The number of code points in the first `u` UTF-16 units of `s`. */
export function codePointOffset(s: string, u: number): number {
  let cp = 0;
  for (let i = 0; i < u && i < s.length; cp++) i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return cp;
}
