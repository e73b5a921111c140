/** Shorthand for a constant with provenance. */
import type { Constant, ConstantKind } from "../types.js";

/** A constant: value, unit, citation, kind. */
export function c(value: number, unit: string, source: string, kind: ConstantKind): Constant {
  return { value, unit, source, kind };
}

/** A constant with no published figure: value 0 and kind "unpublished", never an invented number; `note` says what is published instead. */
export function unpublished(unit: string, note: string): Constant {
  return c(0, unit, `no published figure: ${note}`, "unpublished");
}
