/** Shorthand for a constant with provenance. */
import type { Constant, ConstantKind } from "../types.js";

/** A constant: value, unit, citation, kind. */
export function c(value: number, unit: string, source: string, kind: ConstantKind): Constant {
  return { value, unit, source, kind };
}

/** Marks a figure this project has not located in a primary source; the report prints the note. */
export const UNVERIFIED = "UNVERIFIED placeholder (no primary figure located); replace before quoting";
