/**
 * The NIR file schema: for each NIR node type, the datasets the reference library writes
 * (nir/serialization.py, nir/ir/*.py), how each is stored, and what Phasor calls it.
 */

/** How a field is stored: float tensor (dtype kept), int64 scalar, int64 vector, or string. */
export type FieldKind = "tensor" | "int" | "ints";

/** One dataset of a node group. */
export interface FieldSpec {
  /** Dataset name in the file. */
  name: string;
  kind: FieldKind;
  /** Absent means the reader leaves the Graph field undefined (and the writer skips it). */
  optional?: boolean;
  /** Graph field name when it differs from the dataset name. */
  graphName?: string;
  /** Expected rank for tensors (exact), when the NIR class fixes it. */
  rank?: number;
  /** Minimum rank for tensors. */
  minRank?: number;
  /** An `ints` field the reference writes as an int64 scalar (a Python int); read either way. */
  scalar?: boolean;
}

const t = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: "tensor", ...extra });
const ints = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: "ints", ...extra });
const int = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, kind: "int", ...extra });
const vReset = t("v_reset", { optional: true });

/**
 * NIR node types (other than NIRGraph) and their datasets, in the reference library's naming.
 * Version differences the reader absorbs: 0.1.x has no Flatten `input_type` and no Conv
 * `input_shape`; 0.2.x adds both (Flatten's as a plain int64 dataset); 1.0.x adds `v_reset`
 * (IF, LIF, CubaLIF; zeros when absent), CubaLI, `w_in`, AvgPool2d, `metadata` groups, Conv
 * padding as the string 'same'/'valid', and `input_type`/`output_type` groups in some builds.
 */
export const NIR_FIELDS = {
  Input: [ints("shape")],
  Output: [ints("shape")],
  Affine: [t("weight", { minRank: 2 }), t("bias")],
  Linear: [t("weight", { minRank: 2 })],
  Scale: [t("scale")],
  Conv1d: [
    t("weight", { rank: 3 }), ints("stride"), ints("padding"), ints("dilation"), int("groups"), t("bias", { rank: 1 }),
    // nir.Conv1d.input_shape is an int (NIR's type inference sets it to a numpy int64 scalar).
    ints("input_shape", { optional: true, scalar: true }),
  ],
  Conv2d: [
    t("weight", { rank: 4 }), ints("stride"), ints("padding"), ints("dilation"), int("groups"), t("bias", { rank: 1 }),
    ints("input_shape", { optional: true }),
  ],
  SumPool2d: [ints("kernel_size"), ints("stride"), ints("padding")],
  AvgPool2d: [ints("kernel_size"), ints("stride"), ints("padding")],
  // NIR 0.2+ stores Flatten's input shape as a plain int64 dataset named `input_type`.
  Flatten: [int("start_dim"), int("end_dim"), ints("input_type", { optional: true, graphName: "input_shape" })],
  Delay: [t("delay")],
  Threshold: [t("threshold")],
  I: [t("r")],
  IF: [t("r"), t("v_threshold"), vReset],
  LI: [t("tau"), t("r"), t("v_leak")],
  LIF: [t("tau"), t("r"), t("v_leak"), t("v_threshold"), vReset],
  CubaLI: [t("tau_syn"), t("tau_mem"), t("r"), t("v_leak"), t("w_in")],
  CubaLIF: [t("tau_syn"), t("tau_mem"), t("r"), t("v_leak"), t("v_threshold"), vReset, t("w_in")],
} as const satisfies Record<string, readonly FieldSpec[]>;

/** A NIR primitive other than NIRGraph. */
export type NirLeafType = keyof typeof NIR_FIELDS;

/** Every node type a NIR file may hold, for error messages. */
export const NIR_TYPES: readonly string[] = [...Object.keys(NIR_FIELDS), "NIRGraph"].sort();

/** Datasets every node group may carry besides its fields. */
export const COMMON_ENTRIES = ["type", "metadata", "input_type", "output_type"] as const;

/** Conv fields the reference allows as the strings 'same' or 'valid'. */
export const PADDING_STRINGS = ["same", "valid"] as const;

/** True for a NIR primitive other than NIRGraph. */
export function isNirLeafType(type: string): type is NirLeafType {
  return Object.prototype.hasOwnProperty.call(NIR_FIELDS, type);
}

/** The Graph field a dataset maps to. */
export function graphField(spec: FieldSpec): string {
  return spec.graphName ?? spec.name;
}
