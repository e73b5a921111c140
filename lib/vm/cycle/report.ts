/** Timing of a cycle-accurate run: per-step latency, per-core busy cycles, per-link traffic and congestion. */

/** Traffic on one directed mesh link. */
export interface LinkStats {
  router: number;
  x: number;
  y: number;
  port: "E" | "W" | "N" | "S" | "L";
  packets: number;
  /** Cycles packets waited for this link (contention). */
  waitCycles: number;
  /** Largest number of packets queued at once. */
  maxQueue: number;
}

/** What the cycle-accurate engine measured. */
export interface CycleReport {
  clockHz: number;
  coreModel: string;
  /** Cycles of each timestep, barrier included. */
  stepCycles: number[];
  totalCycles: number;
  /** Busy cycles per core (synaptic ops, updates, packet injection) over the run. */
  coreBusy: Record<number, number>;
  /** Cycle at which each core finished its update, per step (for the barrier view). */
  coreDone: Record<number, number[]>;
  links: LinkStats[];
  packets: number;
  hops: number;
  /** Buffer occupancy beyond the configured depth (each time it happened). */
  overflows: number;
  bufferDepth: number;
  /** Simulated events (kernel activations). */
  events: number;
  /** Why the cycle counts are n/a (they rest on timing constants without a published figure); absent when they are not. */
  na?: string;
  /** Why the clock (hence cycles in seconds) is n/a; absent when it is published. */
  clockNa?: string;
}
