/** The `vm` runner: the local VM (behavioural or cycle-accurate engine) behind the Runner interface. */
import { createHash } from "node:crypto";
import { PhasorError } from "../ir/errors.js";
import type { Program } from "../compiler/program.js";
import { serializeProgram } from "../compiler/serialize.js";
import { VmSession } from "../vm/session.js";
import type { EngineName, RunResult, VmInput } from "../vm/types.js";
import type { DeployInfo, RunOptions, Runner, RunnerStatus } from "./runner.js";

/** sha256 of a Program's serialised form (JSON text then blob bytes): its handle everywhere. */
export function programHash(p: Program): string {
  const { json, bin } = serializeProgram(p);
  return createHash("sha256").update(json).update(bin).digest("hex");
}

/** Runs Programs on the local VM; `run` yields to the event loop so aborts and servers stay live. */
export class VmRunner implements Runner {
  readonly name: string;
  private program?: Program;
  private hash?: string;
  private running = false;
  private closed = false;

  constructor(readonly engine: EngineName = "behavioural") {
    this.name = engine === "cycle" ? "vm:cycle" : "vm";
  }

  /** Keeps the Program (already validated by whoever built or parsed it). */
  async deploy(program: Program, hash?: string): Promise<DeployInfo> {
    this.check();
    this.program = program;
    this.hash = hash ?? programHash(program);
    return { runner: this.name, program: this.hash, target: program.target.name };
  }

  async run(input: VmInput | undefined, o: RunOptions = {}): Promise<RunResult> {
    this.check();
    if (!this.program) throw new PhasorError(`runner ${this.name}: deploy a Program before running`, "not-deployed");
    const t0 = performance.now();
    const s = new VmSession(this.program, {
      engine: this.engine, input, steps: o.steps, batch: o.batch, record: o.record, signal: o.signal,
      onProgress: o.onProgress && ((step, steps) => o.onProgress!({ step, steps, elapsed: (performance.now() - t0) / 1e3 })),
    });
    this.running = true;
    try {
      return await s.runAsync(16);
    } finally {
      this.running = false;
    }
  }

  async status(): Promise<RunnerStatus> {
    const state = this.closed ? "closed" : this.running ? "running" : this.program ? "ready" : "idle";
    return { runner: this.name, state, program: this.program && { sha256: this.hash!, target: this.program.target.name } };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.program = undefined;
  }

  private check(): void {
    if (this.closed) throw new PhasorError(`runner ${this.name} is closed`, "closed");
  }
}
