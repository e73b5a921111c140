/**
 * A Target is data: the mesh, per-core limits, arithmetic, supported neuron models, timing
 * and energy constants of a neuromorphic chip. Every timing and energy constant says where
 * it comes from and what kind of figure it is. The types are derived from the one schema in
 * lib/target/schema.ts (field documentation is there, as each field's `description`).
 */
import type { Infer } from "../ir/json-schema.js";
import type {
  ARITHMETIC_SCHEMA, BARRIER_SCHEMA, CONSTANT_KIND_SCHEMA, CONSTANT_SCHEMA, CONV_SCHEMA, CORE_SCHEMA, DECAY_ENCODING_SCHEMA, ENERGY_SCHEMA,
  LIMITS_SCHEMA, LINK_SCHEMA, MESH_SCHEMA, NEURON_MODEL_SCHEMA, SYSTEM_SCHEMA, TARGET_SCHEMA, TIMING_SCHEMA,
} from "./schema.js";

/** Where a figure comes from: "silicon", "pre-silicon", "all-in", "fitted" or "unpublished" (value 0, reported as n/a). */
export type ConstantKind = Infer<typeof CONSTANT_KIND_SCHEMA>;
/** A physical constant with its provenance (value, unit, source, kind). */
export type Constant = Infer<typeof CONSTANT_SCHEMA>;
/** How a target stores a neuron's leak: "multiply", "shift" or "none". */
export type DecayEncoding = Infer<typeof DECAY_ENCODING_SCHEMA>;
/** Per-core resources. */
export type CoreSpec = Infer<typeof CORE_SCHEMA>;
/** Numeric formats of weights, state and decays. */
export type Arithmetic = Infer<typeof ARITHMETIC_SCHEMA>;
/** Mesh network-on-chip. */
export type MeshSpec = Infer<typeof MESH_SCHEMA>;
/** Convolution support for weight-shared lowering. */
export type ConvSpec = Infer<typeof CONV_SCHEMA>;
/** Chip-level limits. */
export type ChipLimits = Infer<typeof LIMITS_SCHEMA>;
/** Cycle costs and clock. */
export type TimingSpec = Infer<typeof TIMING_SCHEMA>;
/** Barrier latency by tiles in use. */
export type BarrierSpec = Infer<typeof BARRIER_SCHEMA>;
/** Energy per event and static power. */
export type EnergySpec = Infer<typeof ENERGY_SCHEMA>;
/** A neuron model a target may support (NIR names). */
export type NeuronModel = Infer<typeof NEURON_MODEL_SCHEMA>;
/** An inter-chip or inter-board link of a system. */
export type LinkSpec = Infer<typeof LINK_SCHEMA>;
/** A multi-chip system: chips and boards in grids, their links (lib/target/system.ts). */
export type SystemSpec = Infer<typeof SYSTEM_SCHEMA>;
/** A complete hardware description. */
export type Target = Infer<typeof TARGET_SCHEMA>;
