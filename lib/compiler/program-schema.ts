/**
 * The Program file format, defined once: PROGRAM_SCHEMA is the JSON Schema (data) of
 * PROGRAM.json; ajv compiles it into the validator and lib/compiler/program.ts derives the
 * Program types from it (lib/ir/json-schema.ts). The structure the engines execute (options,
 * layers, projections, cores, blob table) is closed: a field it does not list is refused.
 * Routes, router tables and the resource report are informational (the VM recomputes routes
 * and never reads the report): their listed fields are checked, fields added later pass.
 * What a schema cannot say (sizes agree with shapes, blobs exist with the right length and
 * dtype, CSR and convolution geometry inside their layers) is checked by programIssues.
 * To add a field: add it to the schema below, with a description; its type follows.
 */
import type { Issue } from "../ir/errors.js";
import { int, lazySchema, num, schemaIssues, type Infer } from "../ir/json-schema.js";
import type { ProceduralSpec } from "../ir/procedural.js";
import { TARGET_SCHEMA, targetIssues } from "../target/schema.js";
import type { Route, RouterTable } from "./passes/route.js";
import type { ResourceReport } from "./report.js";

/** Format tag and version written into every Program. */
export const PROGRAM_FORMAT = "phasor-program";
export const PROGRAM_VERSION = 2;

const count = int(0);
const index = int(0);
const dim = int(1, 2 ** 31 - 1);
const text = { type: "string" } as const;
const flag = { type: "boolean" } as const;
const name = { type: "string", minLength: 1, maxLength: 1024 } as const;
/** A blob's name: its dtype and length are in the blob table. */
const blob = { type: "string", minLength: 1, maxLength: 1024, description: "names a blob of the blob table" } as const;
const shape = { type: "array", maxItems: 8, items: dim } as const;
const ints = (min: number) => ({ type: "array", maxItems: 8, items: int(min) }) as const;
const positive = { type: "number", exclusiveMinimum: 0 } as const;
/** An object schema that refuses fields it does not list. */
const closed = <const P extends object, const R extends readonly string[]>(description: string, properties: P, required: R) =>
  ({ type: "object", description, additionalProperties: false, required, properties }) as const;
/** An object schema whose listed fields are checked and whose other fields pass (informational parts). */
const open = <const P extends object, const R extends readonly string[]>(description: string, properties: P, required: R) =>
  ({ type: "object", description, required, properties }) as const;

/** Compile options recorded in the Program. */
export const OPTIONS_SCHEMA = closed("compile options", {
  dt: { ...positive, description: "seconds per step" },
  seed: int(-Number.MAX_SAFE_INTEGER),
  placer: text,
  reset: { enum: ["zero", "subtract"] },
  lowering: text,
  allowHost: flag,
}, ["dt", "seed", "placer", "reset", "lowering", "allowHost"]);

/** Neuron state update per step (Euler at dt, integers on chip; see the Program's semantics). */
export const LAYER_PARAMS_SCHEMA = closed("a layer's neuron parameters (blob names)", {
  scale: { ...positive, description: "model units per LSB of weights and state (chip layers); 1 on the host" },
  decayV: blob,
  decayI: { type: "array", maxItems: 64, items: blob },
  threshold: blob,
  vReset: blob,
  vRest: blob,
  bias: blob,
  refractory: blob,
}, ["scale", "decayV", "decayI", "threshold", "vReset", "vRest", "bias", "refractory"]);

/** One layer of the program. */
export const LAYER_SCHEMA = closed("a layer", {
  name,
  kind: { enum: ["input", "neuron", "readout"] },
  model: text,
  shape,
  size: { ...dim, description: "the product of shape" },
  partition: { enum: ["chip", "host", "external"] },
  hostReason: text,
  output: flag,
  slices: {
    type: "array",
    description: "neurons [start, start+count) on core `core`",
    items: closed("a slice of a layer on one core", { core: index, start: index, count }, ["core", "start", "count"]),
  },
  params: LAYER_PARAMS_SCHEMA,
}, ["name", "kind", "model", "shape", "size", "partition", "output", "slices"]);

/** Sum pooling before a convolution. */
export const POOL_SCHEMA = closed("sum pooling", {
  kernel: ints(1), stride: ints(1), padding: ints(0), inShape: shape, outShape: shape,
}, ["kernel", "stride", "padding", "inShape", "outShape"]);

const convProperties = {
  wShape: { ...shape, description: "[out channels, in channels / groups, ...kernel]" },
  stride: ints(1),
  padding: ints(0),
  dilation: ints(1),
  groups: dim,
  inShape: shape,
  outShape: shape,
  pool: POOL_SCHEMA,
} as const;
const convRequired = ["wShape", "stride", "padding", "dilation", "groups", "inShape", "outShape"] as const;

/** A convolution's shape (and the sum pooling before it), without its kernel. */
export const CONV_GEOMETRY_SCHEMA = closed("a convolution's geometry", convProperties, convRequired);
/** A weight-shared convolution: its geometry and kernel blob. */
export const CONV_SCHEMA = closed("a weight-shared convolution", { weight: blob, ...convProperties }, ["weight", ...convRequired]);

/** Expanded synapses; `from`: the convolution (after sum pooling) they were expanded from. */
export const CSR_SCHEMA = closed("expanded synapses (CSR)", {
  pre: dim, post: dim, indptr: blob, indices: blob, weight: blob, delay: blob, from: CONV_GEOMETRY_SCHEMA,
}, ["pre", "post", "indptr", "indices", "weight"]);

/** One of several objects told apart by their `kind` (errors come from the branch that `kind` names). */
const byKind = <const B extends readonly object[]>(branches: B) =>
  ({ type: "object", discriminator: { propertyName: "kind" }, oneOf: branches }) as const;

const distribution = byKind([
    closed("a constant", { kind: { const: "constant" }, value: num }, ["kind", "value"]),
    closed("uniform in [low, high)", { kind: { const: "uniform" }, low: num, high: num }, ["kind", "low", "high"]),
    closed("normal clipped to [min, max]", { kind: { const: "normal" }, mean: num, sd: { type: "number", minimum: 0 }, min: num, max: num,
      redraw: closed("redrawn outside [min, max]", { min: num, max: num }, []) }, ["kind", "mean", "sd"]),
]);
/** A procedural projection's rule, distributions and seed (lib/ir/procedural.ts). */
export const PROCEDURAL_SPEC_SCHEMA = closed("a connection rule with its seed", {
  type: { const: "ProceduralProjection", description: "the graph node's type, carried over by the compiler (not read)" },
  pre: dim,
  post: dim,
  rule: byKind([
    closed("fixed probability", { kind: { const: "fixed-probability" }, p: { type: "number", minimum: 0, maximum: 1 } }, ["kind", "p"]),
    closed("fixed total", { kind: { const: "fixed-total" }, n: count, multapses: flag }, ["kind", "n", "multapses"]),
    closed("fixed in-degree", { kind: { const: "fixed-in-degree" }, k: count, multapses: flag }, ["kind", "k", "multapses"]),
    closed("fixed out-degree", { kind: { const: "fixed-out-degree" }, k: count, multapses: flag }, ["kind", "k", "multapses"]),
  ]),
  weight: distribution,
  delay: { ...distribution, description: "delays in seconds (absent: none)" },
  seed: int(-Number.MAX_SAFE_INTEGER),
}, ["pre", "post", "rule", "weight", "seed"]);

/** Synapses between two layers: exactly one of csr, conv, procedural. */
export const PROJECTION_SCHEMA = closed("a projection", {
  name,
  src: name,
  dst: name,
  port: int(0, 64),
  recurrent: flag,
  partition: { enum: ["chip", "host", "channel"], description: "chip, host, or a channel between host and chip" },
  scale: { ...positive, description: "model units per weight LSB (chip); weights are float64 on the host" },
  weightExp: { ...int(-64, 64), description: "Loihi: the Dense's weight exponent; Xylo: the weight shift" },
  csr: CSR_SCHEMA,
  bias: { ...blob, description: "constant input per destination neuron on `port` (see semantics)" },
  procedural: closed("synapses regenerated per spike from a rule", {
    spec: PROCEDURAL_SPEC_SCHEMA,
    gain: { ...blob, description: "per destination neuron: weight to discretised weight" },
    codes: { ...flag, description: "the chip holds round(w gain / scale)" },
    maxDelay: { ...count, description: "in steps" },
    synapses: count,
    reason: text,
  }, ["spec", "gain", "codes", "maxDelay", "synapses", "reason"]),
  conv: CONV_SCHEMA,
}, ["name", "src", "dst", "port", "recurrent", "partition", "scale"]);

/** A used core and what it holds. */
export const CORE_SCHEMA = closed("a used core", {
  id: index, x: index, y: index, layer: name, start: index, count, synapses: count, fanIn: count, fanOut: count,
  kernelMemory: count, neuronMemory: count,
}, ["id", "x", "y", "layer", "start", "count", "synapses", "fanIn", "fanOut"]);

/** A route from a source core (informational). */
export const ROUTE_SCHEMA = open("a route", { srcCore: index, dstCores: { type: "array", items: index }, links: { type: "number", minimum: 0 } },
  ["srcCore", "dstCores", "links"]);

/** A router's table (informational): per source key, the output ports (N, S, E, W, or local core "C<id>"). */
export const ROUTER_TABLE_SCHEMA = open("a router's table", {
  router: index, x: index, y: index,
  entries: { type: "array", items: open("a table entry", { key: { type: "integer" }, ports: { type: "array", items: text } }, ["key", "ports"]) },
}, ["router", "x", "y", "entries"]);

const use = { type: "number", minimum: 0 } as const;
const errorFigure = { type: ["number", "null"] } as const;
/** The resource report (informational; formatReport prints it). */
export const REPORT_SCHEMA = open("the resource report", {
  target: text,
  coresUsed: count,
  coresTotal: count,
  mesh: open("the mesh", { width: dim, height: dim, coresPerRouter: dim }, ["width", "height", "coresPerRouter"]),
  cores: {
    type: "array",
    items: open("a core's use", {
      core: index, x: index, y: index, layer: text, neurons: count, synapses: count, fanIn: count, fanOut: count, routingEntries: count,
      utilisation: open("fractions of the core's limits", { neurons: use, synapses: use, fanIn: use, fanOut: use }, ["neurons", "synapses", "fanIn", "fanOut"]),
    }, ["core", "x", "y", "layer", "neurons", "synapses", "fanIn", "fanOut", "routingEntries", "utilisation"]),
  },
  layers: {
    type: "array",
    items: open("a layer's summary", {
      name: text, model: text, partition: text, neurons: count, cores: count, synapses: count, weightError: errorFigure, decayError: errorFigure, codes: text, packing: text,
    }, ["name", "model", "partition", "neurons", "cores", "synapses", "weightError", "decayError"]),
  },
  routing: open("routing tables", { entries: count, maxPerRouter: count, limit: count }, ["entries", "maxPerRouter", "limit"]),
  traffic: open("spike traffic", { spikes: use, packets: use, spikeHops: use, unicastHops: use, multicast: flag, source: { enum: ["spike counts given", "1 spike per neuron (no counts given)"] } },
    ["spikes", "packets", "spikeHops", "unicastHops", "multicast", "source"]),
  host: open("the host/chip split", {
    layers: { type: "array", items: text },
    channels: {
      type: "array",
      items: open("a channel", { projection: text, direction: { enum: ["host->chip", "chip->host"] }, synapses: count, spikes: use },
        ["projection", "direction", "synapses", "spikes"]),
    },
    spikes: open("spikes crossing", { toHost: use, toChip: use }, ["toHost", "toChip"]),
  }, ["layers", "channels", "spikes"]),
  unverifiedConstants: { type: "array", items: text },
  connectivity: {
    type: "array",
    items: open("a ProceduralProjection's form", { projection: text, mode: { enum: ["materialised", "procedural"] }, synapses: count, reason: text },
      ["projection", "mode", "synapses", "reason"]),
  },
  system: open("a multi-chip system: chips in use, packets per inter-chip link (lib/compiler/passes/route.ts)", {
    chip: text,
    expected: { ...flag, description: "some packets are expectations from projection rules" },
    chipsUsed: count,
    chipsTotal: count,
    interChipPackets: use,
    links: {
      type: "array",
      items: open("packets between neighbouring chips", { from: index, to: index, kind: { enum: ["chip", "board"] }, packets: use },
        ["from", "to", "kind", "packets"]),
    },
    chips: {
      type: "array",
      items: open("a chip in use", {
        chip: index, cores: count, neurons: count,
        utilisation: open("fractions of the chip's", { cores: use, neurons: use }, ["cores", "neurons"]),
      }, ["chip", "cores", "neurons", "utilisation"]),
    },
  }, ["chip", "expected", "chipsUsed", "chipsTotal", "interChipPackets", "links", "chips"]),
}, ["target", "coresUsed", "coresTotal", "mesh", "cores", "layers", "routing", "traffic", "host", "unverifiedConstants"]);

/** One entry of the blob table: dtype, byte offset into PROGRAM.bin (8-byte aligned) and length in values. */
export const BLOB_ENTRY_SCHEMA = closed("a blob table entry", {
  dtype: { enum: ["int32", "float64"] },
  offset: count,
  length: count,
}, ["dtype", "offset", "length"]);

const bodyProperties = {
  format: { const: PROGRAM_FORMAT },
  version: { const: PROGRAM_VERSION },
  semantics: { ...text, description: "how to execute it, in words (the VM's contract)" },
  target: TARGET_SCHEMA,
  options: OPTIONS_SCHEMA,
  layers: { type: "array", items: LAYER_SCHEMA },
  projections: { type: "array", items: PROJECTION_SCHEMA },
  cores: { type: "array", items: CORE_SCHEMA },
  routes: { type: "array", items: ROUTE_SCHEMA },
  tables: { type: "array", items: ROUTER_TABLE_SCHEMA },
  report: REPORT_SCHEMA,
} as const;
const bodyRequired = ["format", "version", "semantics", "target", "options", "layers", "projections", "cores", "routes", "tables", "report"] as const;

/** The blob file named by PROGRAM.json. */
export const BLOB_FILE_SCHEMA = closed("the blob file", {
  name: { ...name, pattern: "^[^/\\\\]+$", description: "file name beside PROGRAM.json (no directory)" },
  bytes: count,
  sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
}, ["name", "bytes", "sha256"]);

/** PROGRAM.json: the one definition of the Program file format (version 2). */
export const PROGRAM_SCHEMA = closed("a compiled network (PROGRAM.json)", {
  ...bodyProperties,
  blobFile: BLOB_FILE_SCHEMA,
  blobs: { type: "object", additionalProperties: BLOB_ENTRY_SCHEMA, description: "blob name -> where its values lie in the blob file" },
}, [...bodyRequired, "blobFile", "blobs"]);

/** A Program in memory has the same fields, with its blobs as typed arrays instead of the table and blob file (its type only). */
const PROGRAM_BODY_SCHEMA = closed("a compiled network", bodyProperties, bodyRequired);

/** PROGRAM.json as parsed and checked. */
export type ProgramDocument = Infer<typeof PROGRAM_SCHEMA>;
/** A Program's fields other than its blobs. */
export type ProgramBody = Infer<typeof PROGRAM_BODY_SCHEMA>;
/** An entry of the blob table. */
export type BlobEntry = Infer<typeof BLOB_ENTRY_SCHEMA>;

// The compiler's own types for the informational parts and the procedural rule must stay what the schema reads:
// each assignment below fails to compile when a field is added to one side only (add it to the schema above).
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Assignable both ways, and every field of the compiler's type B listed by the schema's A. */
type Same<A, B> = Mutual<A, B> extends true ? ([keyof B] extends [keyof A] ? true : false) : false;
const agree: [
  Same<Infer<typeof ROUTE_SCHEMA>, Route>, Same<Infer<typeof ROUTER_TABLE_SCHEMA>, RouterTable>,
  Same<Infer<typeof REPORT_SCHEMA>, ResourceReport>, Same<Omit<Infer<typeof PROCEDURAL_SPEC_SCHEMA>, "type">, ProceduralSpec>,
] = [true, true, true, true];
void agree;


const validateDocument = lazySchema(PROGRAM_SCHEMA);

/** Compiles the Program validator now (a server does, so that its first deploy does not stall the event loop). */
export function prepareProgramSchema(): void {
  validateDocument();
}

/**
 * Problems of a parsed PROGRAM.json under `where`: format and version first (named plainly),
 * then the schema (the target with its cross-field rules); empty when it is well formed.
 */
export function documentIssues(doc: unknown, where: Array<string | number>): Issue[] {
  const bad = (path: Array<string | number>, message: string): Issue[] => [{ code: "bad-program", path: [...where, ...path], message }];
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return bad([], "a Program is a JSON object; give the PROGRAM.json that phasor compile --out writes");
  const d = doc as Record<string, unknown>, own = (k: string) => (Object.prototype.hasOwnProperty.call(d, k) ? d[k] : undefined);
  if (own("format") !== PROGRAM_FORMAT) return bad(["format"], `not a Phasor program (format ${JSON.stringify(own("format"))}); expected "${PROGRAM_FORMAT}"`);
  if (own("version") !== PROGRAM_VERSION) {
    return bad(["version"], `program version ${JSON.stringify(own("version"))}; this Phasor reads version ${PROGRAM_VERSION}: compile the network again`);
  }
  const found = schemaIssues(validateDocument(), doc, "bad-program", where, "Program");
  return found.length ? found : targetIssues(own("target"), [...where, "target"], "bad-program");
}

/** Problems of a Program in memory (every field but its blobs) against the same schema; empty when it matches. */
export function bodyIssues(p: object, where: Array<string | number> = []): Issue[] {
  const { blobs: _b, ...body } = p as { blobs?: unknown };
  void _b;
  // the document schema with an empty blob table: one compiled validator for both forms
  const doc = { ...body, blobFile: { name: "program.bin", bytes: 0, sha256: "0".repeat(64) }, blobs: {} };
  const found = schemaIssues(validateDocument(), doc, "bad-program", where, "Program");
  return found.length ? found : targetIssues((body as { target?: unknown }).target, [...where, "target"], "bad-program");
}
