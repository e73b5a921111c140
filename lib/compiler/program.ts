/**
 * The Program: everything a VM needs to run a compiled network without the Graph. Arrays
 * live in `blobs` (named typed arrays) and are referenced by name; on disk the JSON holds
 * the structure and a .bin file holds the blobs, each at an 8-byte aligned offset. The types
 * are derived from the one schema of the format, lib/compiler/program-schema.ts (field
 * documentation is there, as each field's `description`).
 */
import type { Infer } from "../ir/json-schema.js";
import type { CONV_GEOMETRY_SCHEMA, CORE_SCHEMA, LAYER_PARAMS_SCHEMA, LAYER_SCHEMA, ProgramBody, PROJECTION_SCHEMA } from "./program-schema.js";

export { PROGRAM_FORMAT, PROGRAM_VERSION } from "./program-schema.js";

/** Names a blob; its dtype and length are in `Program.blobs`. */
export type BlobName = string;
/** Neuron state update per step (Euler at dt, integers on chip; see `Program.semantics`). */
export type LayerParams = Infer<typeof LAYER_PARAMS_SCHEMA>;
/** One layer of the program. */
export type ProgramLayer = Infer<typeof LAYER_SCHEMA>;
/** Synapses between two layers: expanded (csr), weight-shared (conv, with optional sum pooling before it) or procedural. */
export type ProgramProjection = Infer<typeof PROJECTION_SCHEMA>;
/** A convolution's shape (and the sum pooling before it), without its kernel. */
export type ConvGeometry = Infer<typeof CONV_GEOMETRY_SCHEMA>;
/** A used core and what it holds. */
export type ProgramCore = Infer<typeof CORE_SCHEMA>;
/** A compiled network: the schema's fields, and its blobs as typed arrays. */
export type Program = ProgramBody & { blobs: Record<BlobName, Int32Array | Float64Array> };

/** The execution contract stored in every Program. */
export const SEMANTICS = [
  "Per step t: input_p = sum of incoming projections on port p (recurrent ones carry step t-1's spikes; delays in steps) + the layer's bias (port 0) + each such projection's bias, delivered with the projection's delay (a recurrent projection's from step 1 on, none at t = 0).",
  "Models with a synaptic current (CubaLIF, CubaLI, MultiCubaLIF): v = decayV*v + (1-decayV)*vRest + sum_p i_p (old currents); i_p = decayI_p*i_p + input_p.",
  "Others: v = decayV*v + (1-decayV)*vRest + input_0. Spike when v > threshold; reset to vReset ('zero') or v -= threshold ('subtract'); refractory steps hold v at vReset.",
  "Targets with arithmetic profile 'loihi' follow Lava's bit-accurate LIF and Dense instead (lib/target/arith/loihi.ts): every projection delivers one step later, a = sum over projections of (weights of the spikes) shifted by weightExp; u = wrap24(trunc0(u*decayI/4096) + 64a); v = sat24(trunc0(v*decayV/4096) + u + bias) with the new u; spike when v > threshold (a multiple of 64), then v = 0.",
  "Chip layers hold integer codes in units of `scale`; decay codes are numerators over 2^decayBits (multiply) or shifts dash with decay 1 - 2^-dash (shift).",
].join(" ");
