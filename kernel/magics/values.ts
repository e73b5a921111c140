/** Resolving magic arguments that name a cell variable or a file. */
import { resolve } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import type { Graph } from "../../lib/ir/graph.js";
import { readNir, type Convention } from "../../lib/ir/nir/index.js";
import type { MagicContext } from "./types.js";

/** Whether a value looks like a Graph (a root NIRGraph). */
export function isGraph(v: unknown): v is Graph {
  return typeof v === "object" && v !== null && (v as { type?: unknown }).type === "NIRGraph" && typeof (v as { nodes?: unknown }).nodes === "object" && Array.isArray((v as { edges?: unknown }).edges);
}

/** A Graph from a .nir file (relative to the notebook) or from the cell variable of that name. */
export async function graphOf(spec: string, ctx: MagicContext, magic: string, nir: { convention?: Convention; dt?: number } = {}): Promise<Graph> {
  if (spec.endsWith(".nir")) return readNir(resolve(ctx.cwd, spec), nir);
  const v = ctx.getVariable(spec);
  if (v === undefined) throw new PhasorError(`%${magic}: no variable "${spec}"; give the name of a variable holding a Graph, or a .nir file`, "usage");
  if (!isGraph(v)) throw new PhasorError(`%${magic}: "${spec}" is not a Graph (build one with phasor.graph()...build(), or load one with %nir load)`, "usage");
  return v;
}

/** Parses a positive number option, with a message naming the bad text. */
export function positive(v: string): number {
  const x = Number(v);
  if (!(x > 0)) throw new Error(`expected a positive number, got "${v}"`);
  return x;
}

/** Parses a positive integer option. */
export function positiveInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return x;
}
