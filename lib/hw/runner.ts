/**
 * The Runner interface: one way to run a Program wherever it runs (the local VM, a board
 * behind a board server, a vendor toolchain). deploy(Program), run(input, options) ->
 * RunResult, status(), close(). Runners are created by name from one explicit registry.
 */
import type { Program } from "../compiler/program.js";
import type { RunResult, VmInput } from "../vm/types.js";

/** Progress of a running job; `telemetry` carries runner-specific live figures (spikes so far, queue depth). */
export interface Progress {
  step: number;
  steps: number;
  /** Seconds since the job started running. */
  elapsed: number;
  job?: string;
  telemetry?: Record<string, number>;
}

/** Options of one run. */
export interface RunOptions {
  /** Steps (default: the input's length; required without input). */
  steps?: number;
  /** Batch size (default: the input's batch, else 1). */
  batch?: number;
  /** Layers whose state to record every step. */
  record?: string[];
  /** Aborting cancels the run (locally, or on the board server). */
  signal?: AbortSignal;
  /** Called as the run advances. */
  onProgress?: (p: Progress) => void;
}

/** What deploy reports: the program's content hash and where it went. */
export interface DeployInfo {
  runner: string;
  /** sha256 of the serialised Program (JSON + blobs); the handle a board server knows it by. */
  program: string;
  target: string;
  /** Files written (export runner). */
  files?: string[];
}

/** A runner's state, for %hw status and `phasor board` health checks. */
export interface RunnerStatus {
  runner: string;
  state: "idle" | "ready" | "running" | "closed";
  program?: { sha256: string; target: string };
  /** Runner-specific details (the board server's queue, limits, clients). */
  detail?: Record<string, unknown>;
}

/** One place to run Programs. */
export interface Runner {
  readonly name: string;
  /** Loads a Program; later runs use it. */
  deploy(program: Program): Promise<DeployInfo>;
  /** Runs the deployed Program on `input` (undefined for input-less programs with `steps`). */
  run(input: VmInput | undefined, options?: RunOptions): Promise<RunResult>;
  status(): Promise<RunnerStatus>;
  close(): Promise<void>;
}

/** Options a runner may take when created; each runner reads what it needs. */
export interface RunnerOptions {
  /** remote: the board's address, e.g. tcp://127.0.0.1:5555 (from remote://HOST:PORT). */
  address?: string;
  /** remote: directory holding client.key, client.pub and server.pub. */
  keys?: string;
  /** export: output directory. */
  dir?: string;
  /** remote: a job that hears nothing from the server for this long fails (seconds, default 20). */
  idleTimeout?: number;
}

/** A registry entry: how to make a runner. */
export interface RunnerSpec {
  name: string;
  /** One line for `%hw list`. */
  summary: string;
  create(options: RunnerOptions): Runner;
}
