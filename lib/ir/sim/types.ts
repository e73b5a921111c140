/** Public types of the reference simulator: options, inputs and results. */

/** A float buffer in the simulation's dtype. */
export type Buf = Float64Array | Float32Array;

/** Dense input: `shape` is [T, ...inputShape] (batch 1, or broadcast to `batch`) or [T, B, ...inputShape]. */
export interface DenseInput {
  /** Values [T, ...]: small integers such as spike counts can be Uint8Array (a byte per value). */
  data: Float32Array | Float64Array | Uint8Array | number[];
  shape: number[];
}

/** Event input: `[step, index]` or `[step, batch, index]` (index = flat element index); value 1 unless `values` gives one per event. */
export interface EventInput {
  events: Array<[number, number] | [number, number, number]>;
  steps: number;
  batch?: number;
  values?: number[];
}

/**
 * Input drawn step by step, never held whole: `shape` as DenseInput's ([T, ...inputShape] or [T, B, ...inputShape]);
 * `sample(t, out)` writes step t's B x N values into `out` (zeroed before each call). Steps may be asked in any order.
 */
export interface StreamInput {
  shape: number[];
  sample(t: number, out: Float64Array | Float32Array): void;
}

/** Input of one Input node. */
export type NodeInput = DenseInput | EventInput | StreamInput;

/** Input for the whole graph: one NodeInput, or one per Input node keyed by its name. */
export type SimInput = NodeInput | Record<string, NodeInput>;

/** Initial state: node name -> variable (v, i, i0, i1, ...) -> N values (every batch) or B*N values. */
export type SimInit = Record<string, Record<string, ArrayLike<number>>>;

/** Options of `simulate`. */
export interface SimOptions {
  /** Time step in seconds. */
  dt: number;
  /** Number of steps; default: the input's length (required without input). */
  steps?: number;
  input?: SimInput;
  /** Batch size; default: the input's batch (1 when it has none). */
  batch?: number;
  /** 'euler' (forward Euler, as Norse) or 'exact' (zero-order-hold exponential); default euler. */
  integrator?: "euler" | "exact";
  /** 'zero' (v = v_reset, 0 when absent) or 'subtract' (v -= v_threshold); default zero. */
  reset?: "zero" | "subtract";
  /**
   * 'single' (default): one spike when v > v_threshold. 'multiple' (Rockpool, Sinabs): n = floor(v / v_threshold)
   * spikes when v >= v_threshold, the node outputs n and 'subtract' takes n * v_threshold off v.
   */
  spikes?: "single" | "multiple";
  /**
   * Euler only: the synaptic current a CubaLI/CubaLIF membrane integrates, 'previous' (default, as Norse: the
   * current before this step's update) or 'updated' (as snnTorch, Rockpool and lava-dl: after it, so this
   * step's input reaches v this step).
   */
  current?: "previous" | "updated";
  /** Precision of state and results; default float64. */
  dtype?: "float64" | "float32";
  /** Nodes whose state to record (a nested graph's name records all its nodes). */
  record?: string[];
  init?: SimInit;
  /** Aborting throws an error named AbortError (checked every few steps). */
  signal?: AbortSignal;
  /** Called about every 1% of the run and after the last step, with (steps done, steps). */
  onProgress?: (step: number, steps: number) => void;
}

/** Spike list: [step, index] pairs for batch 1, [step, batch, index] triples for batch > 1; n spikes in a step, n entries. */
export type SpikeList = Array<[number, number] | [number, number, number]>;

/** Result of `simulate`. Arrays are laid out [T, B, N] (C order, N = elements per sample). */
export interface SimResult {
  dt: number;
  steps: number;
  batch: number;
  /** Spikes of every spiking node (neurons with a threshold and Threshold nodes), recorded or not. */
  spikes: Record<string, SpikeList>;
  /** Recorded variables of the recorded nodes: v, i (i0, i1, ... for MultiCubaLIF), spike, or out. */
  records: Record<string, Record<string, Buf>>;
  /** Values of the top-level Output nodes, always float64. */
  outputs: Record<string, Float64Array>;
  /** Input and output shape of every (flattened) node, per sample. */
  shapes: Record<string, { input: number[]; output: number[] }>;
}
