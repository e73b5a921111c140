/**
 * The compute threads of a worker process, one per concurrent job. A thread that dies (out of
 * memory, a crash in native code) fails its job, which BullMQ then retries, and is replaced.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { PhasorError } from "../ir/errors.js";
import type { ComputeReply, ComputeTask } from "./compute-thread.js";
import type { JobData } from "./jobs.js";

/** The compiled compute thread: beside this file in a build, else in dist/ (tests run the sources). */
export function computeScript(): string {
  const here = join(__dirname, "compute-thread.js");
  const built = resolve(__dirname, "..", "..", "dist", "lib", "cluster", "compute-thread.js");
  const file = existsSync(here) ? here : built;
  if (!existsSync(file))
    throw new PhasorError(`a cluster worker needs the compiled ${built}; run \`npm run build\``, "no-worker");
  return file;
}

/** An error a job raised that retrying cannot fix (bad input, a model that does not fit). */
export class JobUserError extends Error {}

interface Slot {
  thread?: Worker;
  busy: boolean;
  pending?: { resolve: (r: ComputeReply) => void; reject: (e: Error) => void };
}

/** A fixed number of compute threads; `run` takes a free one (the caller never runs more jobs than threads). */
export class ComputePool {
  private readonly slots: Slot[];
  private next = 1;

  constructor(
    size: number,
    private readonly script = computeScript(),
  ) {
    this.slots = Array.from({ length: size }, () => ({ busy: false }));
  }

  /** Runs one job on a free thread; resolves with its result and any bytes to store. */
  async run(job: JobData, blobs: Record<string, Uint8Array>): Promise<{ result: unknown; bytes?: Uint8Array }> {
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) throw new Error("compute pool: no free thread (more jobs than --concurrency)");
    slot.busy = true;
    try {
      const thread = (slot.thread ??= this.start(slot));
      const reply = await new Promise<ComputeReply>((resolveReply, reject) => {
        slot.pending = { resolve: resolveReply, reject };
        thread.postMessage({ id: this.next++, job, blobs } satisfies ComputeTask);
      });
      if (!reply.ok) throw reply.user ? new JobUserError(reply.message) : new Error(reply.message);
      return { result: reply.result, bytes: reply.bytes };
    } finally {
      slot.pending = undefined;
      slot.busy = false;
    }
  }

  private start(slot: Slot): Worker {
    const t = new Worker(this.script);
    const lost = (e: Error) => {
      if (slot.thread !== t) return;
      slot.thread = undefined; // the next job starts a fresh thread
      slot.pending?.reject(e);
    };
    t.on("message", (r: ComputeReply) => slot.pending?.resolve(r));
    t.on("error", (e) => lost(new Error(`compute thread failed: ${e.message}`)));
    t.on("exit", (code) => lost(new Error(`compute thread exited (code ${code})`)));
    return t;
  }

  /** Stops every thread. */
  async close(): Promise<void> {
    await Promise.all(
      this.slots.map(async (s) => {
        const t = s.thread;
        s.thread = undefined;
        if (t) await t.terminate();
      }),
    );
  }
}
