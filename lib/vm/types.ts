/** Public types of the VM: run options, inputs, results, counters. */
import type { NodeInput } from "../ir/sim/types.js";
import type { EnergyReport } from "./energy.js";
import type { NeuroBenchMetrics } from "./neurobench.js";
import type { CycleReport } from "./cycle/report.js";

/** Which engine executes the Program. */
export type EngineName = "behavioural" | "cycle";

/** Input of a run: one NodeInput for the single input layer, or one per input layer by name. */
export type VmInput = NodeInput | Record<string, NodeInput>;

/** Initial state in model units: layer -> variable (v, i0, i1, ...) -> N values (every batch) or B*N. */
export type VmInit = Record<string, Record<string, ArrayLike<number>>>;

/** Options of a VM run. */
export interface VmOptions {
  /** Number of steps (default: the input's length; required without input). */
  steps?: number;
  input?: VmInput;
  /** Batch size (default: the input's batch, else 1). */
  batch?: number;
  /** Layers whose state (v, i0.., spike) to record every step, in model units. */
  record?: string[];
  init?: VmInit;
  /** Aborting throws an error named AbortError (checked every few steps). */
  signal?: AbortSignal;
  /** Called about every 1% of the run and after the last step, with (steps done, steps). */
  onProgress?: (step: number, steps: number) => void;
  /** Count NeuroBench's MembraneUpdates (compares every neuron's v every step, about one more pass over the state). */
  membraneUpdates?: boolean;
  /**
   * How scattered events reach a layer's input ring (the results are the same bit for bit): "ring" adds each
   * one into its arrival slot at once; "queue" appends it to that slot's queue and adds the queue just before
   * the slot is read (sequential writes: faster once the rings outgrow the processor's cache); "auto"
   * (default) queues where the network's rings hold more than QUEUE_RING_BYTES.
   */
  delivery?: "auto" | "ring" | "queue";
}

/** Spikes as the reference simulator lists them: [step, index] (batch 1) or [step, batch, index]. */
export type SpikeList = Array<[number, number] | [number, number, number]>;

/** Event and memory counts of one layer or one core (totals over the run and the batch). */
export interface Counts {
  /** Hardware-centric (not NeuroBench's Dense, see neurobench.ts): every stored synapse, every step. */
  synOpsDense: number;
  /** Hardware-centric: stored synapses reached by +1 events, event by event (not NeuroBench's Effective_ACs). */
  synOpsAC: number;
  /** Hardware-centric: stored synapses reached by other (graded or -1) events (not NeuroBench's Effective_MACs). */
  synOpsMAC: number;
  neuronUpdates: number;
  spikes: number;
  /** Packets injected into the mesh (one per spike per destination core when unicast, one per spike when multicast). */
  packets: number;
  /** Link traversals (mesh hops) of all packets. */
  hops: number;
  /** Deliveries between cores sharing a router (no mesh link). */
  localDeliveries: number;
  memReads: number;
  memWrites: number;
}

/** Counters of a run: totals, per layer and per core (core -1 is the host partition). */
export interface Counters {
  total: Counts;
  layers: Record<string, Counts>;
  cores: Record<number, Counts>;
  steps: number;
  batch: number;
}

/** What a run returns. */
export interface RunResult {
  engine: EngineName;
  target: string;
  dt: number;
  steps: number;
  batch: number;
  /** Spikes of every spiking layer, as the reference simulator lists them. */
  spikes: Record<string, SpikeList>;
  /** Recorded variables [T, B, N] in model units. */
  records: Record<string, Record<string, Float64Array>>;
  /** Readout (host Output) values [T, B, N]. */
  outputs: Record<string, Float64Array>;
  counters: Counters;
  energy: EnergyReport;
  neurobench: NeuroBenchMetrics;
  /** The mesh and where each used core sits (for per-core figures). */
  mesh: { width: number; height: number };
  cores: Array<{ id: number; x: number; y: number; layer: string }>;
  /** Timing of the cycle-accurate engine. */
  cycles?: CycleReport;
  /** Wall-clock seconds of the simulation loop. */
  seconds: number;
}

/** An all-zero Counts. */
export function zeroCounts(): Counts {
  return { synOpsDense: 0, synOpsAC: 0, synOpsMAC: 0, neuronUpdates: 0, spikes: 0, packets: 0, hops: 0, localDeliveries: 0, memReads: 0, memWrites: 0 };
}

/** Adds b into a. */
export function addCounts(a: Counts, b: Counts): Counts {
  for (const k of Object.keys(a) as Array<keyof Counts>) a[k] += b[k];
  return a;
}
