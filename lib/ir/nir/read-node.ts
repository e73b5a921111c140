/**
 * One NIR node group -> one Graph node, recursively for nested NIRGraphs. Every problem
 * becomes an issue with the node path and field; nothing is thrown here.
 */
import type { IssueList } from "../errors.js";
import type { Edge, GraphNode, Node, Tensor } from "../graph.js";
import {
  readInt, readInts, readMetadata, readString, readStrings, readTensor, isStringDataset, shapeOf,
} from "./decode.js";
import type { H5, H5Dataset, H5Group } from "./h5.js";
import {
  COMMON_ENTRIES, NIR_FIELDS, NIR_TYPES, PADDING_STRINGS, graphField, isNirLeafType,
  type FieldSpec, type NirLeafType,
} from "./schema.js";

type Path = string[];
type FieldValue = Tensor | number[] | number;

/** Shared state of one read: the library, the issue list and notes for the user. */
export interface ReadContext {
  h5: H5;
  issues: IssueList;
  notes: string[];
}

/** Reads the node stored in `group` (at `path`), or undefined when it is unusable. */
export function readNode(ctx: ReadContext, group: H5Group, path: Path): Node | undefined {
  const typeDs = dataset(ctx, group, "type");
  if (!typeDs) {
    ctx.issues.add("missing-type", path, "node has no `type` dataset");
    return undefined;
  }
  const type = readString(typeDs, [...path, "type"], ctx.issues);
  if (type === undefined) return undefined;
  let node: Node | undefined;
  if (type === "NIRGraph") node = readGraph(ctx, group, path);
  else if (isNirLeafType(type)) node = readLeaf(ctx, group, path, type);
  else {
    ctx.issues.add("unknown-type", [...path, "type"], `unknown node type "${type}"; NIR types are ${NIR_TYPES.join(", ")}`);
    return undefined;
  }
  if (node) readCommon(ctx, group, path, node);
  return node;
}

function dataset(ctx: ReadContext, group: H5Group, name: string): H5Dataset | undefined {
  if (!group.keys().includes(name)) return undefined;
  const entry = group.get(name);
  return entry instanceof ctx.h5.Dataset ? entry : undefined;
}

function subgroup(ctx: ReadContext, group: H5Group, name: string): H5Group | undefined {
  if (!group.keys().includes(name)) return undefined;
  const entry = group.get(name);
  return entry instanceof ctx.h5.Group ? entry : undefined;
}

function readGraph(ctx: ReadContext, group: H5Group, path: Path): GraphNode | undefined {
  const nodesGroup = subgroup(ctx, group, "nodes");
  const edgesDs = dataset(ctx, group, "edges");
  if (!nodesGroup) ctx.issues.add("missing-param", [...path, "nodes"], "NIRGraph has no `nodes` group");
  if (!edgesDs) ctx.issues.add("missing-param", [...path, "edges"], "NIRGraph has no `edges` dataset");
  const nodes: Record<string, Node> = {};
  for (const name of nodesGroup?.keys() ?? []) {
    const child = subgroup(ctx, nodesGroup as H5Group, name);
    if (!child) {
      ctx.issues.add("wrong-type", [...path, name], "expected a node group, found a dataset");
      continue;
    }
    const node = readNode(ctx, child, [...path, name]);
    if (node) nodes[name] = node;
  }
  const edges = edgesDs ? readEdges(ctx, edgesDs, [...path, "edges"]) : undefined;
  if (!nodesGroup || !edges) return undefined;
  noteExtras(ctx, group, path, ["nodes", "edges"]);
  return { type: "NIRGraph", nodes, edges };
}

function readEdges(ctx: ReadContext, ds: H5Dataset, path: Path): Edge[] | undefined {
  const shape = shapeOf(ds);
  // h5py stores an empty edge list as a float64 array of shape (0,).
  if (shape.length === 1 && shape[0] === 0) return [];
  const names = isStringDataset(ds) ? readStrings(ds) : undefined;
  if (!names || shape.length !== 2 || shape[1] !== 2) {
    ctx.issues.add("wrong-rank", path, `edges must be an (E, 2) array of node names, found ${ds.dtype} [${shape.join(", ")}]`);
    return undefined;
  }
  const edges: Edge[] = [];
  for (let i = 0; i < shape[0]; i++) edges.push({ src: names[2 * i], dst: names[2 * i + 1] });
  return edges;
}

function readLeaf(ctx: ReadContext, group: H5Group, path: Path, type: NirLeafType): Node | undefined {
  const specs: readonly FieldSpec[] = NIR_FIELDS[type];
  const out: Record<string, FieldValue> = {};
  let ok = true;
  for (const spec of specs) {
    const ds = dataset(ctx, group, spec.name);
    if (!ds) {
      if (spec.optional) continue;
      const needed = specs.filter((s) => !s.optional).map((s) => s.name).join(", ");
      ctx.issues.add("missing-param", [...path, spec.name], `${type} node is missing parameter "${spec.name}" (${type} needs ${needed})`);
      ok = false;
      continue;
    }
    const value = readField(ctx, ds, spec, type, [...path, spec.name], group);
    if (value === undefined) ok = false;
    else out[graphField(spec)] = value;
  }
  noteExtras(ctx, group, path, specs.map((s) => s.name));
  if (!ok) return undefined;
  return assemble(type, out);
}

function readField(
  ctx: ReadContext, ds: H5Dataset, spec: FieldSpec, type: NirLeafType, path: Path, group: H5Group,
): FieldValue | undefined {
  if (spec.kind === "int") return readInt(ds, path, ctx.issues);
  if (spec.kind === "ints") {
    if (spec.name === "padding" && isStringDataset(ds)) return paddingFromString(ctx, ds, type, path, group);
    const values = readInts(ds, path, ctx.issues);
    return values && broadcastPair(type, spec.name, values);
  }
  const tensor = readTensor(ds, path, ctx.issues, ctx.notes);
  if (!tensor) return undefined;
  const rank = tensor.shape.length;
  if ((spec.rank !== undefined && rank !== spec.rank) || (spec.minRank !== undefined && rank < spec.minRank)) {
    const want = spec.rank !== undefined ? `rank ${spec.rank}` : `rank >= ${spec.minRank}`;
    ctx.issues.add("wrong-rank", path, `${type}.${spec.name} must have ${want}, found shape [${tensor.shape.join(", ")}]`);
    return undefined;
  }
  return tensor;
}

const PAIR_FIELDS = new Set(["stride", "padding", "dilation", "kernel_size"]);

/** NIR allows a single int for 2-d stride/padding/dilation/kernel_size; Phasor keeps one per axis. */
function broadcastPair(type: NirLeafType, field: string, values: number[]): number[] {
  const twoD = type === "Conv2d" || type === "SumPool2d" || type === "AvgPool2d";
  return twoD && PAIR_FIELDS.has(field) && values.length === 1 ? [values[0], values[0]] : values;
}

/** Conv padding 'valid' or 'same' (NIR >= 1.0) as explicit symmetric padding. */
function paddingFromString(
  ctx: ReadContext, ds: H5Dataset, type: NirLeafType, path: Path, group: H5Group,
): number[] | undefined {
  const mode = readString(ds, path, ctx.issues);
  if (mode === undefined) return undefined;
  if (!(PADDING_STRINGS as readonly string[]).includes(mode)) {
    ctx.issues.add("bad-value", path, `padding must be an int array, 'same' or 'valid'; found "${mode}"`);
    return undefined;
  }
  const weight = dataset(ctx, group, "weight");
  const dilationDs = dataset(ctx, group, "dilation");
  const kernel = weight ? shapeOf(weight).slice(2) : [];
  const nd = type === "Conv1d" ? 1 : 2;
  if (mode === "valid") return new Array<number>(nd).fill(0);
  const dilation = (dilationDs && readInts(dilationDs, path, ctx.issues)) ?? [1];
  const pad: number[] = [];
  for (let i = 0; i < nd; i++) {
    const span = (dilation[i] ?? dilation[0]) * ((kernel[i] ?? 1) - 1);
    if (span % 2 !== 0) {
      ctx.issues.add("bad-value", path, `padding 'same' with an even kernel span (${span}) needs asymmetric padding, which Phasor's ${type} cannot express`);
      return undefined;
    }
    pad.push(span / 2);
  }
  ctx.notes.push(`${path.join(".")}: padding 'same' read as [${pad.join(", ")}] (stride 1 assumed, as NIR's shape rule does)`);
  return pad;
}

/** Builds the typed node from checked field values. */
function assemble(type: NirLeafType, fields: Record<string, FieldValue>): Node {
  // Each field was read and checked against NIR_FIELDS[type], which mirrors the Graph types.
  return { type, ...fields } as Node;
}

/** metadata, and NIR >= 1.0 input_type/output_type groups. */
function readCommon(ctx: ReadContext, group: H5Group, path: Path, node: Node): void {
  const meta = subgroup(ctx, group, "metadata");
  if (meta) node.metadata = readMetadata(ctx.h5, meta, [...path, "metadata"], ctx.issues);
  for (const key of ["input_type", "output_type"] as const) {
    const g = subgroup(ctx, group, key);
    if (!g) {
      const flattenShape = node.type === "Flatten" && key === "input_type";
      if (!flattenShape && dataset(ctx, group, key)) ctx.notes.push(`${[...path, key].join(".")}: dataset ignored (expected a group of port shapes)`);
      continue;
    }
    const ports: Record<string, number[]> = {};
    for (const port of g.keys()) {
      const ds = dataset(ctx, g, port);
      const shape = ds && readInts(ds, [...path, key, port], ctx.issues);
      if (shape) ports[port] = shape;
    }
    node[key] = ports;
  }
}

/** Datasets the schema does not know are reported, never dropped silently. */
function noteExtras(ctx: ReadContext, group: H5Group, path: Path, known: readonly string[]): void {
  const allowed = new Set<string>([...known, ...COMMON_ENTRIES]);
  for (const key of group.keys()) {
    if (!allowed.has(key)) ctx.notes.push(`${[...path, key].join(".")}: unknown entry ignored`);
  }
}
