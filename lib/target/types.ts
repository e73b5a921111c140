/**
 * A Target is data: the mesh, per-core limits, arithmetic, supported neuron models, timing
 * and energy constants of a neuromorphic chip. Every timing and energy constant says where
 * it comes from and what kind of figure it is.
 */

/**
 * Where a figure comes from: "silicon" (measured on the chip), "pre-silicon" (design simulation),
 * "all-in" (a whole-chip figure that includes other terms), "fitted" (derived from a published
 * whole-chip measurement by a calculation the source spells out), or "unpublished" (no figure
 * exists; value 0, never an invented number: every figure resting on it is reported as n/a).
 */
export type ConstantKind = "silicon" | "pre-silicon" | "all-in" | "fitted" | "unpublished";

/** A physical constant with its provenance. */
export interface Constant {
  value: number;
  unit: string;
  /** Citation: paper, datasheet or documentation page (and table/figure where known). */
  source: string;
  kind: ConstantKind;
}

/** How a target stores a neuron's leak: a multiplier of `decayBits` bits, a bit shift (v -= v >> dash), or none (integrate-and-fire only). */
export type DecayEncoding = "multiply" | "shift" | "none";

/** Per-core resources. Limits are counts (neurons, synapses, distinct inputs, destinations). */
export interface CoreSpec {
  neurons: number;
  /** Synapse memory in entries (one entry per stored weight). */
  synapses: number;
  /** Distinct presynaptic neurons (axons) a core can receive from. */
  fanIn: number;
  /** Routing destinations (cores) one core may send to; Infinity-like limits use a large number. */
  fanOut: number;
  /** Speck-style convolution cores: kernel and neuron memory in entries. */
  kernelMemory?: number;
  neuronMemory?: number;
  /** Speck-style convolution cores: bias memory in entries (one per output channel). */
  biasMemory?: number;
}

/** Numeric formats of weights, state and decays. */
export interface Arithmetic {
  weightBits: number;
  stateBits: number;
  decay: DecayEncoding;
  /** Bits of a multiplicative decay (decay = d / 2^decayBits). */
  decayBits?: number;
  /** Largest shift for `shift` decay (Xylo: dash <= 15). */
  maxShift?: number;
  /** Fixed point (true) or floating point (SpiNNaker2's ARM cores). */
  fixedPoint: boolean;
  /**
   * A chip's own order of operations where it differs from the generic fixed-point update
   * (lib/target/arith): "loihi" is Lava's bit-accurate compartment and Dense (12-bit decays,
   * activation and threshold << 6, 24-bit u wrap, v saturation, one step per Dense); "xylo" is
   * SynSense's bit-exact Xylo simulator (bit-shift decays of at least one LSB, the new currents
   * in v, several events per step, hidden events delivered the next step).
   */
  profile?: "loihi" | "xylo";
}

/** Mesh network-on-chip. */
export interface MeshSpec {
  width: number;
  height: number;
  /** Cores sharing one router (Loihi: 4 per tile); hops between them cost the within-tile figure. */
  coresPerRouter: number;
  /** Multicast in the routers (packets branch), or unicast (one packet per destination core). */
  multicast: boolean;
  /** Routing-table entries per router. */
  tableEntries: number;
}

/** Convolution support for weight-shared lowering. */
export interface ConvSpec {
  weightShared: boolean;
  maxKernel?: number;
  strides?: number[];
  maxInput?: number;
  maxOutput?: number;
  maxChannels?: number;
  pooling?: number[];
  /** Largest padding per axis (Speck: 7). */
  maxPadding?: number;
}

/** Chip-level limits (Xylo: 16 inputs, 1000 hidden, 8 outputs). */
export interface ChipLimits {
  inputs?: number;
  outputs?: number;
  hidden?: number;
  /** Targets of one neuron. */
  neuronFanOut?: number;
  /** Synaptic currents per neuron. */
  synapsesPerNeuron?: number;
  /** Destination layers per layer (Speck: 2). */
  layerFanOut?: number;
  /** Distinct hidden targets of one hidden neuron (Xylo: 64); readout weights do not count. */
  recurrentFanOut?: number;
  /** Hidden-to-hidden connections in all (Xylo: 32000, its recurrent fan-out memory). */
  recurrentSynapses?: number;
  /** Synaptic currents per output neuron (Xylo: 1). */
  outputSynapses?: number;
}

/** Cycle costs and clock. */
export interface TimingSpec {
  clock: Constant;
  synOp: Constant;
  neuronUpdate: Constant;
  hop: Constant;
  /** Hardware time step (TrueNorth's 1 ms tick), when fixed. */
  tick?: Constant;
  /** Update of a neuron that is not active in a step (Loihi: no input, state at rest, no bias); default: neuronUpdate. */
  neuronUpdateInactive?: Constant;
  /** Per hop in the north-south direction (hop is then east-west); default: hop. */
  hopNS?: Constant;
  /** Between cores sharing a router; default: one cycle. */
  withinTile?: Constant;
  /** Extra latency per message a core receives, per spike its neurons emit, per message it sends (SANA-FE). */
  receive?: Constant;
  spike?: Constant;
  packet?: Constant;
  /** Timestep barrier by the number of tiles (routers) in use; default: a token across the mesh and back. */
  barrier?: BarrierSpec;
  /**
   * How long a step lasts on the chip: "chip" (default), as long as its work and the barrier
   * take (the chip runs unthrottled); "real-time", one dt (or one tick) per step, the chip
   * idling for the rest (Xylo, Speck, SpiNNaker2, TrueNorth).
   */
  timeBase?: "chip" | "real-time";
}

/** Barrier latency by tiles in use: "step" takes the point with the most tiles not above the count (SANA-FE), "linear" interpolates. */
export interface BarrierSpec {
  lookup: "step" | "linear";
  points: Array<{ tiles: number; time: Constant }>;
}

/** Energy per event and static power. */
export interface EnergySpec {
  synOp: Constant;
  neuronUpdate: Constant;
  neuronUpdateInactive?: Constant;
  /** Energy per mesh hop (E-W where the target distinguishes directions). */
  hop: Constant;
  hopNS?: Constant;
  withinTile?: Constant;
  /** Per spike a chip neuron emits (SANA-FE's soma spike_out) and per message a core sends (its axon_out). */
  spike?: Constant;
  packet?: Constant;
  staticPerCore: Constant;
  /** Static power of the whole chip, whatever the cores in use (Speck's resting power). */
  staticPerChip?: Constant;
  /** Whole-chip dynamic power while the network runs, in place of per-event energies (an all-in figure). */
  dynamicPower?: Constant;
}

/** A complete hardware description. */
export interface Target {
  name: string;
  description: string;
  /** Bibliography: short key -> full citation. */
  references: Record<string, string>;
  mesh: MeshSpec;
  /** Total cores available (<= width * height * coresPerRouter). */
  cores: number;
  core: CoreSpec;
  /** Heterogeneous cores (Speck): per-core overrides, index = core id. */
  coreOverrides?: Partial<CoreSpec>[];
  arithmetic: Arithmetic;
  /** Supported neuron node types (NIR names). */
  models: string[];
  /** Supported reset modes. */
  resets: Array<"zero" | "subtract">;
  conv: ConvSpec;
  limits: ChipLimits;
  /** Named design-rule sets the compiler applies (e.g. "xylo", "speck"). */
  rules: string[];
  /** Mapping style: `mesh` partitions layers over cores; `layer-per-core` maps one layer per core (Speck); `single-core` puts every layer on one core (Xylo). */
  mapping: "mesh" | "layer-per-core" | "single-core";
  timing: TimingSpec;
  energy: EnergySpec;
}
