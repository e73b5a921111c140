/**
 * A minimal Jupyter client for kernel tests: starts `bin/phasor.js kernel` on a fresh
 * connection file (in its own process group, as Jupyter does) and talks zeromq to it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as zmq from "zeromq";
import { freePorts } from "./support.js";

export interface Msg {
  header: { msg_id: string; msg_type: string; [k: string]: unknown };
  parent_header: { msg_id?: string; [k: string]: unknown };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

export const ROOT = resolve(__dirname, "..");

/** A kernel process plus client sockets. */
export class TestKernel {
  readonly iopub: Msg[] = [];
  readonly replies: Record<"shell" | "control" | "stdin", Msg[]> = { shell: [], control: [], stdin: [] };
  stderr = "";
  private waiters: (() => void)[] = [];
  private constructor(
    readonly proc: ChildProcess,
    readonly key: string,
    private readonly sockets: { shell: zmq.Dealer; control: zmq.Dealer; stdin: zmq.Dealer; sub: zmq.Subscriber },
    private readonly session = randomUUID(),
  ) {}

  /**
   * Starts a kernel. Free ports are picked before the kernel binds them, so another process
   * can take one in between (the client's own outgoing connections use ephemeral ports too);
   * the kernel then exits saying "cannot bind", and, as Jupyter's restarter does, a fresh
   * connection file is written and the kernel started again.
   */
  static async start(o: { key?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<TestKernel> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await TestKernel.startOnce(o);
      } catch (e) {
        if (attempt >= 3 || !/cannot bind/.test((e as Error).message)) throw e;
      }
    }
  }

  private static async startOnce(o: { key?: string; env?: Record<string, string>; cwd?: string }): Promise<TestKernel> {
    const dir = o.cwd ?? mkdtempSync(join(tmpdir(), "phasor-test-"));
    const key = o.key ?? randomUUID();
    const [shell_port, control_port, stdin_port, iopub_port, hb_port] = await freePorts(5);
    const ports = { shell_port, control_port, stdin_port, iopub_port, hb_port };
    const file = join(dir, "connection.json");
    writeFileSync(file, JSON.stringify({ ...ports, ip: "127.0.0.1", transport: "tcp", key, signature_scheme: "hmac-sha256", kernel_name: "phasor" }));
    const proc = spawn(process.execPath, [join(ROOT, "bin", "phasor.js"), "kernel", "-f", file], {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PHASOR_HISTORY_FILE: join(dir, "history.jsonl"), ...o.env },
    });
    const url = (p: number): string => `tcp://127.0.0.1:${p}`;
    const sockets = { shell: new zmq.Dealer(), control: new zmq.Dealer(), stdin: new zmq.Dealer(), sub: new zmq.Subscriber() };
    const id = Buffer.from(randomUUID());
    for (const d of [sockets.shell, sockets.stdin]) d.routingId = id.toString();
    for (const s of Object.values(sockets)) s.linger = 0;
    sockets.shell.connect(url(ports.shell_port));
    sockets.control.connect(url(ports.control_port));
    sockets.stdin.connect(url(ports.stdin_port));
    sockets.sub.connect(url(ports.iopub_port));
    sockets.sub.subscribe();
    const k = new TestKernel(proc, key, sockets);
    proc.stderr?.on("data", (b: Buffer) => (k.stderr += b.toString()));
    void k.pump();
    for (const ch of ["shell", "control", "stdin"] as const) void k.pumpReplies(ch);
    // iopub is a slow joiner: ask for kernel_info until its status arrives.
    let exited = false;
    proc.once("close", () => (exited = true));
    for (let i = 0; i < 100 && !exited; i++) {
      const id = k.send("shell", "kernel_info_request", {});
      const ok = await Promise.race([k.waitIdle(id).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
      if (ok) {
        await new Promise((r) => setTimeout(r, 100));
        k.replies.shell.length = 0; // the kernel_info replies of the handshake
        return k;
      }
    }
    await k.close();
    throw new Error("kernel did not answer: " + k.stderr);
  }

  private async pump(): Promise<void> {
    try {
      for await (const frames of this.sockets.sub) {
        this.iopub.push(this.decode(frames));
        for (const w of this.waiters.splice(0)) w();
      }
    } catch {
      // closed
    }
  }

  private async pumpReplies(ch: "shell" | "control" | "stdin"): Promise<void> {
    try {
      for await (const frames of this.sockets[ch]) {
        this.replies[ch].push(this.decode(frames));
        for (const w of this.waiters.splice(0)) w();
      }
    } catch {
      // closed
    }
  }

  decode(frames: Buffer[]): Msg {
    const at = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
    const [header, parent_header, metadata, content] = frames.slice(at + 2, at + 6).map((f) => JSON.parse(f.toString()) as Record<string, unknown>);
    return { header, parent_header, metadata, content } as Msg;
  }

  /** Signed frames for a message (pass a wrong key to forge a signature). */
  frames(msg_type: string, content: object, key = this.key, msg_id: string = randomUUID()): Buffer[] {
    const header = { msg_id, msg_type, session: this.session, username: "test", date: new Date().toISOString(), version: "5.3" };
    const parts = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
    const h = createHmac("sha256", key);
    for (const p of parts) h.update(p);
    return [Buffer.from("<IDS|MSG>"), Buffer.from(key ? h.digest("hex") : ""), ...parts];
  }

  /** Sends raw frames on a channel. */
  sendRaw(channel: "shell" | "control" | "stdin", frames: Buffer[]): void {
    void this.sockets[channel].send(frames);
  }

  /** Sends a request; returns its msg_id. */
  send(channel: "shell" | "control" | "stdin", msg_type: string, content: object): string {
    const id = randomUUID();
    this.sendRaw(channel, this.frames(msg_type, content, this.key, id));
    return id;
  }

  /** The reply to `parentId` on a channel (or the next one at all). */
  async reply(channel: "shell" | "control" | "stdin", parentId?: string, timeoutMs = 30_000): Promise<Msg> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const list = this.replies[channel];
      const i = list.findIndex((m) => parentId === undefined || m.parent_header.msg_id === parentId);
      if (i >= 0) return list.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no ${channel} reply in ${timeoutMs} ms; stderr:\n${this.stderr}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /**
   * The kernel's stderr from `from` on, once it matches `pattern`: stderr and the sockets are separate pipes, so a
   * reply can arrive before the line the kernel logged first (under load it does).
   */
  async stderrMatching(pattern: string | RegExp, from = 0, timeoutMs = 30_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    const hit = () => { const t = this.stderr.slice(from); return typeof pattern === "string" ? t.includes(pattern) : pattern.test(t); };
    while (!hit()) {
      if (Date.now() > end) return this.stderr.slice(from);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.stderr.slice(from);
  }

  /** Resolves when iopub shows idle for `msgId`. */
  async waitIdle(msgId: string, timeoutMs = 30_000): Promise<Msg[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const mine = this.iopub.filter((m) => m.parent_header.msg_id === msgId);
      if (mine.some((m) => m.header.msg_type === "status" && m.content.execution_state === "idle")) return mine;
      if (Date.now() > end) throw new Error(`no idle for ${msgId}; stderr:\n${this.stderr}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** Runs a cell; returns the reply and the iopub messages it caused. */
  async execute(code: string, extra: object = {}, timeoutMs = 30_000): Promise<{ reply: Msg; out: Msg[] }> {
    const id = this.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra });
    const reply = await this.reply("shell", id, timeoutMs);
    const out = await this.waitIdle(id, timeoutMs);
    return { reply, out };
  }

  /** Sends SIGINT to the kernel's process group, as jupyter_client does in signal mode. */
  signalGroup(): void {
    if (this.proc.pid) process.kill(-this.proc.pid, "SIGINT");
  }

  /** Stops the kernel and closes sockets. */
  async close(): Promise<void> {
    for (const s of Object.values(this.sockets)) s.close();
    if (this.proc.exitCode === null && this.proc.pid) {
      try {
        process.kill(-this.proc.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

/** The text of the first message of a type in `out`. */
export function textOf(out: Msg[], type: string): string {
  return out.filter((m) => m.header.msg_type === type).map((m) => JSON.stringify(m.content)).join("\n");
}
