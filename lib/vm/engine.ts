/** What an engine is: something that advances a Network by one timestep. */
import type { Network } from "./network.js";
import type { CoreModel } from "./cores/index.js";
import type { CycleReport } from "./cycle/report.js";

/** An execution engine over a Network. */
export interface Engine {
  readonly name: "behavioural" | "cycle";
  readonly core: CoreModel;
  /** Executes timestep t. */
  step(t: number): void;
  /** Timing so far (cycle engine only). */
  timing?(): CycleReport;
  /** True when a full buffer or queue stalled a sender since the last call (cycle engine only). */
  overflowed?(): boolean;
}

/** Options for building an engine. */
export interface EngineOptions {
  /** Core model name (default: the target's). */
  coreModel?: string;
  /** Router input buffer depth in packets (cycle engine; default 16). */
  bufferDepth?: number;
  /** Cycles a link is busy per packet, the inverse of its bandwidth (cycle engine; default 1). */
  linkCycles?: number;
  /** Depth in messages of each queue inside a core's pipeline (cycle engine; default 16). */
  coreQueueDepth?: number;
}

/** Re-export for engines. */
export type { Network };
