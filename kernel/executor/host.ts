/**
 * The kernel side of cell execution. Cells run in a child Node process so that the kernel
 * never blocks: it keeps answering heartbeats and control messages while a cell spins, and
 * interrupts the child with SIGINT (which breaks a synchronous loop through vm's
 * breakOnSigint and rejects pending awaits). A child that will not stop, or that dies, is
 * replaced; the cell gets an error saying so.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CellIO, Completion, CompletenessReply, Engine, ExecuteOutcome, ExecuteRequest, Inspection } from "../protocol/engine.js";
import { type ChildMessage, type HostMessage, type HostRequest, isChildMessage, type ReplyMap } from "./ipc.js";

/** Options for the child host. */
export interface HostOptions {
  /** Directory cells run in (relative imports, files). */
  cwd?: string;
  /** Milliseconds an interrupted cell may take to stop before the child is replaced. */
  interruptGraceMs?: number;
  log?(line: string): void;
}

type Waiter = { op: HostRequest["op"]; resolve(v: ReplyMap[keyof ReplyMap]): void };

/** The compiled child entry point (tests run from sources, so fall back to dist/). */
function childScript(): string {
  const here = join(__dirname, "child.js");
  return existsSync(here) ? here : resolve(__dirname, "..", "..", "dist", "kernel", "executor", "child.js");
}

const DEAD: Record<HostRequest["op"], ReplyMap[keyof ReplyMap]> = {
  execute: { status: "error", ename: "ExecutionProcessDied", evalue: "", traceback: [] },
  complete: { matches: [], cursorStart: 0, cursorEnd: 0 },
  inspect: { found: false, data: {} },
  isComplete: { status: "unknown" },
};

/** An Engine whose cells run in a child process. */
export class ChildHost implements Engine {
  private child!: ChildProcess;
  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private io: CellIO | null = null;
  private running: number | null = null;
  private interruptTimer: NodeJS.Timeout | null = null;
  private sigintAcked = false;
  private closing = false;
  private ready!: Promise<void>;
  /** Whether `ready` has resolved for the current child (then requests go out at once). */
  private isReady = false;

  constructor(private readonly o: HostOptions = {}) {
    this.spawn();
  }

  private spawn(): void {
    const child = fork(childScript(), [], {
      cwd: this.o.cwd ?? process.cwd(),
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, PHASOR_CHILD: "1" },
    });
    this.child = child;
    this.isReady = false;
    this.ready = new Promise<void>((r) => {
      const onReady = (m: unknown): void => {
        if (isChildMessage(m) && m.ev === "ready") {
          child.off("message", onReady);
          if (this.child === child) this.isReady = true;
          r();
        }
      };
      child.on("message", onReady);
      child.once("exit", () => r());
    });
    child.on("message", (m: unknown) => {
      if (this.child === child && isChildMessage(m)) this.onMessage(m);
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.onExit(code, signal);
    });
    child.on("error", (e) => this.o.log?.(`execution process error: ${e.message}`));
  }

  /** Resolves once the child has loaded TypeScript and can run cells. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private onMessage(m: ChildMessage): void {
    const io = this.io;
    switch (m.ev) {
      case "reply": {
        const w = this.waiters.get(m.id);
        this.waiters.delete(m.id);
        if (m.id === this.running) this.finishRunning();
        w?.resolve(m.value);
        return;
      }
      case "stream":
        return io?.stream(m.name, m.text);
      case "display":
        return io?.display(m.data, m.metadata, m.displayId);
      case "update":
        return io?.update(m.data, m.metadata, m.displayId);
      case "clear":
        return io?.clear(m.wait);
      case "input":
        return this.answerInput(m.inputId, m.prompt, m.password);
      case "sigint":
        this.sigintAcked = true;
        return;
      case "ready":
        return;
    }
  }

  private answerInput(inputId: number, prompt: string, password: boolean): void {
    const io = this.io;
    const send = (a: Omit<Extract<HostMessage, { op: "input" }>, "op">): void => this.post({ op: "input", ...a });
    if (!io) return send({ inputId, error: "no cell is running" });
    io.input(prompt, password).then(
      (value) => send({ inputId, value }),
      (e: unknown) => send({ inputId, error: (e as Error).message }),
    );
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const why = signal ? `signal ${signal}` : `exit code ${code}`;
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    const wasRunning = this.running !== null;
    this.finishRunning();
    for (const w of waiters) {
      if (w.op !== "execute") w.resolve(DEAD[w.op]);
      else {
        const evalue = `the process running cells ended (${why}); it was restarted and all variables were lost`;
        w.resolve({ status: "error", ename: "ExecutionProcessDied", evalue, traceback: [`ExecutionProcessDied: ${evalue}`] });
      }
    }
    if (this.closing) return;
    this.o.log?.(`execution process ended (${why})${wasRunning ? " during a cell" : ""}; starting a new one`);
    this.spawn();
  }

  private finishRunning(): void {
    this.running = null;
    if (this.interruptTimer) clearTimeout(this.interruptTimer);
    this.interruptTimer = null;
  }

  private post(m: HostMessage): void {
    if (this.child.connected) this.child.send(m);
  }

  private request<K extends HostRequest["op"]>(req: Extract<HostRequest, { op: K }>): Promise<ReplyMap[K]> {
    return new Promise<ReplyMap[K]>((resolve) => {
      // The child answers an op with that op's reply type (see child.ts).
      this.waiters.set(req.id, { op: req.op, resolve: resolve as (v: ReplyMap[keyof ReplyMap]) => void });
      this.post(req);
    });
  }

  /**
   * Runs a cell in the child; output goes to `io` while it runs (and after, for background
   * work). The request is posted before this returns when the child is ready, so the cell
   * starts while the kernel is still announcing it.
   */
  execute(req: ExecuteRequest, io: CellIO): Promise<ExecuteOutcome> {
    const run = (): Promise<ExecuteOutcome> => {
      this.io = io;
      const id = this.nextId++;
      this.running = id;
      return this.request({ op: "execute", id, code: req.code, executionCount: req.executionCount, allowStdin: req.allowStdin, userExpressions: req.userExpressions });
    };
    return this.isReady ? run() : this.ready.then(run);
  }

  /** Completion candidates for the cursor position. */
  async complete(code: string, pos: number): Promise<Completion> {
    await this.ready;
    return this.request({ op: "complete", id: this.nextId++, code, pos });
  }

  /** Type and documentation at the cursor position. */
  async inspect(code: string, pos: number, detail: number): Promise<Inspection> {
    await this.ready;
    return this.request({ op: "inspect", id: this.nextId++, code, pos, detail });
  }

  /** complete / incomplete / invalid, magics included. */
  async isComplete(code: string): Promise<CompletenessReply> {
    await this.ready;
    return this.request({ op: "isComplete", id: this.nextId++, code });
  }

  /** Interrupts the running cell; see interruptFromSignal for the signal case. */
  interrupt(fromSignal = false): void {
    if (fromSignal) return this.interruptFromSignal();
    this.signalChild();
    this.armGrace();
  }

  /**
   * The kernel got SIGINT. Jupyter signals the whole process group, so the child usually
   * has it already; forward it only if the child shows no sign of it shortly.
   */
  interruptFromSignal(): void {
    this.sigintAcked = false;
    const id = this.running;
    setTimeout(() => {
      if (!this.sigintAcked && id !== null && this.running === id) this.signalChild();
    }, 150).unref();
    this.armGrace();
  }

  private signalChild(): void {
    try {
      if (this.child.pid !== undefined && this.child.exitCode === null) process.kill(this.child.pid, "SIGINT");
    } catch (e) {
      this.o.log?.(`cannot signal the execution process: ${(e as Error).message}`);
    }
  }

  /** A cell that ignores the interrupt (e.g. a loop inside a timer callback) costs its process. */
  private armGrace(): void {
    if (this.running === null || this.interruptTimer) return;
    const id = this.running;
    this.interruptTimer = setTimeout(() => {
      if (this.running !== id) return;
      this.io?.stream("stderr", "The cell did not stop after the interrupt; restarting the process that runs cells.\n");
      this.child.kill("SIGKILL");
    }, this.o.interruptGraceMs ?? 5000);
    this.interruptTimer.unref();
  }

  /** Replaces the child: every variable is forgotten. */
  async restart(): Promise<void> {
    const old = this.child;
    const gone = new Promise<void>((r) => old.once("exit", () => r()));
    old.kill("SIGKILL");
    await gone; // onExit has spawned the replacement by now
    await this.ready;
  }

  /** Stops the child for good. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((r) => {
      c.once("exit", () => r());
      c.kill("SIGKILL");
    });
  }
}
