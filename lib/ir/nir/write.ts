/**
 * Writing a Graph as a NIR file in the reference library's HDF5 layout (nir.write):
 * `/version`, `/node/type`, `/node/edges` (E, 2) strings, `/node/nodes/<name>/<field>`,
 * nested graphs, metadata groups. Strings are variable-length UTF-8, null-terminated,
 * as h5py writes them; ints are int64; floats keep their dtype.
 */
import { writeFileSync } from "node:fs";
import { IssueList } from "../errors.js";
import type { Graph, GraphNode, Metadata, MetadataValue, Node, Tensor } from "../graph.js";
import { specOf } from "../nodes.js";
import { validateGraph } from "../validate.js";
import { buildH5Bytes, loadH5, nullTerminateVlenStrings, type H5, type H5Group } from "./h5.js";
import { NIR_FIELDS, graphField, isNirLeafType, type FieldSpec } from "./schema.js";

/** The NIR library version whose layout Phasor writes (recorded in `/version`). */
export const NIR_VERSION_WRITTEN = "1.0.7";

/** Writer options; defaults match the released NIR library (no compression). */
export interface NirWriteOptions {
  /** `/version` string; default NIR_VERSION_WRITTEN. */
  version?: string;
  /** gzip numeric arrays as nir.write does since late 2025; default "none" as in every release up to 1.0.7. */
  compression?: "none" | "gzip";
  /** gzip level 0-9; default 4 (h5py's). */
  compressionLevel?: number;
}

/** Writes `graph` as NIR to `path` (when given) and returns the file's bytes. */
export async function writeNir(graph: Graph, path?: string, opts: NirWriteOptions = {}): Promise<Uint8Array> {
  checkNirExpressible(graph);
  validateGraph(graph);
  const h5 = await loadH5();
  const writer = new Writer(h5, opts);
  let bytes = buildH5Bytes(h5, (file) => {
    writer.string(file, "version", opts.version ?? NIR_VERSION_WRITTEN);
    writer.node(file.create_group("node"), graph);
  });
  bytes = nullTerminateVlenStrings(bytes, writer.strings);
  if (path !== undefined) writeFileSync(path, bytes);
  return bytes;
}

/** Throws one PhasorError naming every node and field that NIR cannot express (Phasor extensions). */
export function checkNirExpressible(graph: Graph): void {
  const issues = new IssueList();
  collectExtensions(graph, [], issues);
  issues.throwIfAny();
}

function collectExtensions(g: GraphNode, path: string[], issues: IssueList): void {
  for (const [name, node] of Object.entries(g.nodes)) {
    const at = [...path, name];
    if (node.type === "NIRGraph") {
      collectExtensions(node, at, issues);
      continue;
    }
    const spec = specOf(node.type);
    if (!spec || spec.extension || !isNirLeafType(node.type)) {
      issues.add("not-nir", at, `${node.type} is a Phasor extension that NIR cannot express; the NIR writer refuses it`);
      continue;
    }
    for (const f of spec.fields) {
      if (f.extension && fieldValues(node)[f.name] !== undefined) {
        issues.add("not-nir", [...at, f.name], `${f.name} is a Phasor extension field that NIR cannot express; remove it to write NIR`);
      }
    }
  }
  g.edges.forEach((e, k) => {
    if (e.port !== undefined && e.port !== 0) {
      issues.add("not-nir", [...path, "edges", k], `edge ${e.src} -> ${e.dst} uses synaptic port ${e.port}, a Phasor extension NIR cannot express`);
    }
  });
}

/** A node's fields by name. */
function fieldValues(node: Node): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node));
}

/** Writes nodes into groups; counts string datasets for the null-terminator fix-up. */
class Writer {
  strings = 0;
  constructor(private readonly h5: H5, private readonly opts: NirWriteOptions) {}

  node(group: H5Group, node: Node): void {
    this.string(group, "type", node.type);
    if (node.type === "NIRGraph") this.graph(group, node);
    else if (isNirLeafType(node.type)) this.fields(group, node, NIR_FIELDS[node.type]);
    if (node.metadata && Object.keys(node.metadata).length) this.metadata(group.create_group("metadata"), node.metadata);
    for (const key of ["input_type", "output_type"] as const) {
      const ports = node[key];
      if (!ports) continue;
      const g = group.create_group(key);
      for (const [port, shape] of Object.entries(ports)) this.ints(g, port, shape, [shape.length]);
    }
  }

  private graph(group: H5Group, g: GraphNode): void {
    if (g.edges.length === 0) {
      // h5py turns an empty edge list into a float64 array of shape (0,).
      group.create_dataset({ name: "edges", data: new Float64Array(0), shape: [0], dtype: "<d" });
    } else {
      const names = g.edges.flatMap((e) => [e.src, e.dst]);
      group.create_dataset({ name: "edges", data: names, shape: [g.edges.length, 2], dtype: "S" });
      this.strings++;
    }
    const nodes = group.create_group("nodes");
    for (const [name, child] of Object.entries(g.nodes)) this.node(nodes.create_group(name), child);
  }

  private fields(group: H5Group, node: Node, specs: readonly FieldSpec[]): void {
    const values = fieldValues(node);
    for (const spec of specs) {
      const v = values[graphField(spec)];
      if (v === undefined) continue;
      if (spec.kind === "tensor") this.tensor(group, spec.name, v as Tensor);
      else if (spec.kind === "int") this.ints(group, spec.name, [v as number], []);
      else {
        const list = v as number[];
        this.ints(group, spec.name, list, spec.scalar && list.length === 1 ? [] : [list.length]);
      }
    }
  }

  string(group: H5Group, name: string, value: string): void {
    group.create_dataset({ name, data: value, shape: [], dtype: "S" });
    this.strings++;
  }

  private tensor(group: H5Group, name: string, t: Tensor): void {
    const dtype = t.data instanceof Float32Array ? "<f" : "<d";
    group.create_dataset({ name, data: t.data, shape: t.shape, dtype, ...this.gzip(t.shape) });
  }

  private ints(group: H5Group, name: string, values: number[], shape: number[]): void {
    const data = BigInt64Array.from(values, (x) => BigInt(x));
    group.create_dataset({ name, data, shape, dtype: "<q", ...this.gzip(shape) });
  }

  /** Compression settings for a numeric dataset (scalars and empty arrays cannot be chunked). */
  private gzip(shape: number[]): { compression?: "gzip"; compression_opts?: number; chunks?: number[] } {
    if (this.opts.compression !== "gzip" || shape.length === 0 || shape.some((d) => d === 0)) return {};
    return { compression: "gzip", compression_opts: this.opts.compressionLevel ?? 4, chunks: shape };
  }

  private metadata(group: H5Group, meta: Metadata): void {
    for (const [key, value] of Object.entries(meta)) this.metadataValue(group, key, value);
  }

  /** As h5py stores Python values: str -> vlen string, int -> int64, float -> float64, list -> array. */
  private metadataValue(group: H5Group, key: string, v: MetadataValue): void {
    if (typeof v === "string") return this.string(group, key, v);
    if (typeof v === "boolean") {
      group.create_dataset({ name: key, data: new Int8Array([v ? 1 : 0]), shape: [], dtype: "|b" });
      return;
    }
    if (typeof v === "number") {
      if (Number.isInteger(v)) this.ints(group, key, [v], []);
      else group.create_dataset({ name: key, data: new Float64Array([v]), shape: [], dtype: "<d" });
      return;
    }
    if (v instanceof Float32Array || v instanceof Float64Array) return this.tensor(group, key, { shape: [v.length], data: v });
    if (Array.isArray(v)) {
      if (v.every((x): x is string => typeof x === "string")) {
        group.create_dataset({ name: key, data: v, shape: [v.length], dtype: "S" });
        this.strings++;
      } else if ((v as number[]).every(Number.isInteger)) this.ints(group, key, v as number[], [v.length]);
      else this.tensor(group, key, { shape: [v.length], data: Float64Array.from(v as number[]) });
      return;
    }
    this.metadata(group.create_group(key), v);
  }
}
