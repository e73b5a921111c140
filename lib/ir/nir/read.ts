/**
 * Reading NIR files (HDF5, as nir.write produces them, versions 0.1.x to 1.0.x) into a Graph.
 * Format problems are collected and thrown together as one PhasorError.
 */
import { readFileSync } from "node:fs";
import { IssueList, PhasorError, isPhasorError } from "../errors.js";
import type { Graph, GraphNode, Node } from "../graph.js";
import { validateGraph } from "../validate.js";
import {
  DEFAULT_CONVENTION, applyConvention, conventionInfo, conventionLine, type ConventionName, type ConventionRecord,
} from "./conventions.js";
import { readString } from "./decode.js";
import { checkHdf5Bytes, loadH5, withH5Bytes, type H5File } from "./h5.js";
import { readNode, type ReadContext } from "./read-node.js";

/**
 * Import options. Defaults: convention `raw` (parameters taken exactly as stored, no dt
 * conversion) and no dt. A convention that needs dt and gets none is an error, never a guess.
 * Every entry point (CLI, magics, API) has these same defaults; see docs/conventions.md.
 */
export interface NirImportOptions {
  /** Time step in seconds the exporter baked into the parameters (see CONVENTIONS). */
  dt?: number;
  /** The exporting framework's parameter convention; default `raw`. */
  convention?: ConventionName;
}

/** A read graph plus what the reader knows about it. */
export interface NirReadResult {
  graph: Graph;
  /** The file's `/version` string ("unknown" when absent). */
  version: string;
  convention: ConventionName;
  /** The dt the parameters are canonical for, when a convention set one. */
  dt?: number;
  /**
   * The convention applied and the simulator settings it needs (reset, spikes, current): pass them to
   * simulate() with simulationOptions(); the graph keeps it in its metadata for the CLI and magics.
   */
  record: ConventionRecord;
  /** Human-readable notes: the convention line first, then conversions and ignored entries. */
  notes: string[];
}

/** Reads a NIR file (path or bytes) into a Graph; see readNirWithInfo for version and notes. */
export async function readNir(pathOrBytes: string | Uint8Array, opts: NirImportOptions = {}): Promise<Graph> {
  return (await readNirWithInfo(pathOrBytes, opts)).graph;
}

/** Reads a NIR file and reports its version, the convention applied and any notes. */
export async function readNirWithInfo(pathOrBytes: string | Uint8Array, opts: NirImportOptions = {}): Promise<NirReadResult> {
  const convention = opts.convention ?? DEFAULT_CONVENTION;
  conventionInfo(convention);
  const source = typeof pathOrBytes === "string" ? pathOrBytes : "<bytes>";
  const bytes = typeof pathOrBytes === "string" ? readBytes(pathOrBytes) : pathOrBytes;
  checkHdf5Bytes(bytes, source);
  const h5 = await loadH5();
  const notes: string[] = [];
  const issues = new IssueList();
  const ctx: ReadContext = { h5, issues, notes };
  let parsed: { graph?: GraphNode; version: string };
  try {
    parsed = withH5Bytes(h5, bytes, (file) => readFile(ctx, file));
  } catch (e) {
    if (isPhasorError(e)) throw e;
    throw new PhasorError([{ code: "corrupt", path: [source], message: `corrupt HDF5 file: ${hdf5Reason(e)}` }]);
  }
  issues.throwIfAny();
  const graph = parsed.graph;
  if (!graph) throw new PhasorError([{ code: "corrupt", path: [source], message: "no graph could be read" }]);
  // Structure, shapes and dangling edges (e.g. a nested graph naming a node it lacks).
  validateGraph(graph);
  const converted = applyConvention(graph, convention, opts.dt);
  notes.unshift(conventionLine(converted.record), ...converted.notes);
  const { graph: out, dt, record } = converted;
  return { graph: out, version: parsed.version, convention, dt, record, notes };
}

function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : hdf5Reason(e);
    throw new PhasorError([{ code: "not-found", path: [path], message: `cannot read NIR file: ${why}` }]);
  }
}

function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  // HDF5's error stack ends with the most specific message.
  return lines.length > 1 ? lines[lines.length - 2] + " " + lines[lines.length - 1] : (lines[0] ?? "unknown error");
}

/** `/version` and the root `/node` group (a NIRGraph). */
function readFile(ctx: ReadContext, file: H5File): { graph?: GraphNode; version: string } {
  const keys = file.keys();
  let version = "unknown";
  const versionDs = keys.includes("version") ? file.get("version") : null;
  if (versionDs instanceof ctx.h5.Dataset) version = readString(versionDs, ["version"], ctx.issues) ?? version;
  else ctx.notes.push("file has no /version dataset");
  const root = keys.includes("node") ? file.get("node") : null;
  if (!(root instanceof ctx.h5.Group)) {
    ctx.issues.add("missing-param", ["node"], "not a NIR file: there is no /node group");
    return { version };
  }
  const node: Node | undefined = readNode(ctx, root, []);
  if (node && node.type !== "NIRGraph") {
    ctx.issues.add("wrong-type", ["node", "type"], `the root node is a ${node.type}; Phasor reads files whose root is a NIRGraph`);
    return { version };
  }
  return { graph: node, version };
}
