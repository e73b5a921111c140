/** Timing of a cycle-level run: per-step latency, per-core busy cycles, per-link traffic and congestion. */

/** Traffic on one directed mesh link. */
export interface LinkStats {
  router: number;
  x: number;
  y: number;
  port: "E" | "W" | "N" | "S" | "L";
  packets: number;
  /** Cycles packets spent in this link's buffer beyond the link's latency (serialisation and blocking). */
  waitCycles: number;
  /** Largest number of packets in its buffer at once. */
  maxQueue: number;
}

/** What the cycle-level engine measured (docs/cycle-models.md). */
export interface CycleReport {
  clockHz: number;
  coreModel: string;
  /** Cycles of each timestep, barrier included (ticks / ticksPerCycle: fractional when a latency is). */
  stepCycles: number[];
  totalCycles: number;
  /** Integer ticks per cycle in which every latency is exact. */
  ticksPerCycle?: number;
  /** Present when a latency needed more than 2^20 ticks per cycle and was rounded to 1/2^20 cycle. */
  roundedLatencies?: boolean;
  /** Busy cycles per core (its stages' service times) over the run. */
  coreBusy: Record<number, number>;
  /** Cycle at which each core finished its work, per step (for the barrier view). */
  coreDone: Record<number, number[]>;
  links: LinkStats[];
  /** Packets put on the mesh (a multicast packet once) and messages cores sent (one per destination core, to themselves included). */
  packets: number;
  messages?: number;
  selfMessages?: number;
  hops: number;
  /** Times a packet or spike found the next buffer or queue full (a stall). */
  overflows: number;
  bufferDepth: number;
  coreQueueDepth?: number;
  /** The barrier's constants as simulated. */
  barrier?: { hopCycles: number; syncCycles: number; tiles: number };
  /** Simulated events (kernel activations). */
  events: number;
  /** Why the cycle counts are n/a (they rest on timing constants without a published figure); absent when they are not. */
  na?: string;
  /** Why the clock (hence cycles in seconds) is n/a; absent when it is published. */
  clockNa?: string;
}
