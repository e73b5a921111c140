/**
 * The Target file format, defined once: TARGET_SCHEMA is a JSON Schema (data) that ajv
 * compiles into the validator and from which lib/target/types.ts derives every Target type
 * (lib/ir/json-schema.ts). Cross-field rules a schema cannot say (cores fit the mesh, a
 * decay encoding has its parameters) follow in crossChecks. Every problem becomes one issue
 * of a PhasorError with the field's path. To add a field: add it to the right schema below
 * (with a description); its type follows.
 */
import { IssueList, PhasorError } from "../ir/errors.js";
import { int, lazySchema, schemaIssues } from "../ir/json-schema.js";
import type { Target } from "./types.js";

const posInt = int(1);
const text = { type: "string" } as const;
const flag = { type: "boolean" } as const;
const posInts = { type: "array", items: posInt } as const;
/** An object schema that refuses fields it does not list. */
const closed = <const P extends object, const R extends readonly string[]>(description: string, properties: P, required: R) =>
  ({ type: "object", description, additionalProperties: false, required, properties }) as const;

/** Kinds of figure: measured on silicon, pre-silicon simulation, all-in whole-chip figure, fitted from a published measurement, or unpublished (value 0). */
export const CONSTANT_KIND_SCHEMA = { enum: ["silicon", "pre-silicon", "all-in", "fitted", "unpublished"] } as const;

/** A physical constant with its provenance. */
export const CONSTANT_SCHEMA = closed("a physical constant with its provenance", {
  value: { type: "number", minimum: 0 },
  unit: { type: "string", minLength: 1 },
  source: { type: "string", minLength: 1, description: "citation: paper, datasheet or documentation page (and table/figure)" },
  kind: CONSTANT_KIND_SCHEMA,
}, ["value", "unit", "source", "kind"]);

/** How a target stores a neuron's leak: a multiplier of decayBits bits, a bit shift (v -= v >> dash), or none. */
export const DECAY_ENCODING_SCHEMA = { enum: ["multiply", "shift", "none"] } as const;

const coreProperties = {
  neurons: posInt,
  synapses: { ...posInt, description: "synapse memory in entries (one per stored weight)" },
  fanIn: { ...posInt, description: "distinct presynaptic neurons (axons) a core can receive from" },
  fanOut: { ...posInt, description: "routing destinations (cores) one core may send to; use a large number for no limit" },
  kernelMemory: { ...posInt, description: "Speck-style convolution cores: kernel memory in entries" },
  neuronMemory: { ...posInt, description: "Speck-style convolution cores: neuron memory in entries" },
  biasMemory: { ...posInt, description: "Speck-style convolution cores: bias memory (one per output channel)" },
} as const;

/** Per-core resources (counts). */
export const CORE_SCHEMA = closed("per-core resources", coreProperties, ["neurons", "synapses", "fanIn", "fanOut"]);
/** Per-core overrides of a heterogeneous chip (Speck): any CoreSpec field. */
export const CORE_OVERRIDE_SCHEMA = closed("per-core overrides", coreProperties, []);

/** Numeric formats of weights, state and decays. */
export const ARITHMETIC_SCHEMA = closed("numeric formats of weights, state and decays", {
  weightBits: int(1, 32),
  stateBits: int(1, 64),
  decay: DECAY_ENCODING_SCHEMA,
  decayBits: { ...int(1, 32), description: "bits of a multiplicative decay (decay = d / 2^decayBits)" },
  maxShift: { ...int(0, 63), description: "largest shift of a shift decay (Xylo: dash <= 15)" },
  fixedPoint: { ...flag, description: "fixed point (true) or floating point (SpiNNaker2's ARM cores)" },
  profile: {
    enum: ["loihi", "xylo"],
    description: "a chip's own order of operations (lib/target/arith): loihi = Lava's bit-accurate LIF and Dense; xylo = SynSense's bit-exact Xylo simulator",
  },
}, ["weightBits", "stateBits", "decay", "fixedPoint"]);

/** Mesh network-on-chip. */
export const MESH_SCHEMA = closed("mesh network-on-chip", {
  width: posInt,
  height: posInt,
  coresPerRouter: { ...posInt, description: "cores sharing one router (Loihi: 4 per tile)" },
  multicast: { ...flag, description: "multicast routers (packets branch) or unicast" },
  tableEntries: { ...posInt, description: "routing-table entries per router" },
}, ["width", "height", "coresPerRouter", "multicast", "tableEntries"]);

/** Convolution support for weight-shared lowering. */
export const CONV_SCHEMA = closed("convolution support", {
  weightShared: flag,
  maxKernel: posInt,
  strides: posInts,
  maxInput: posInt,
  maxOutput: posInt,
  maxChannels: posInt,
  pooling: posInts,
  maxPadding: { ...int(0), description: "largest padding per axis (Speck: 7)" },
}, ["weightShared"]);

/** Chip-level limits (Xylo: 16 inputs, 1000 hidden, 8 outputs). */
export const LIMITS_SCHEMA = closed("chip-level limits", {
  inputs: posInt,
  outputs: posInt,
  hidden: posInt,
  neuronFanOut: { ...posInt, description: "targets of one neuron" },
  synapsesPerNeuron: { ...posInt, description: "synaptic currents per neuron" },
  layerFanOut: { ...posInt, description: "destination layers per layer (Speck: 2)" },
  recurrentFanOut: { ...posInt, description: "distinct hidden targets of one hidden neuron (Xylo: 64)" },
  recurrentSynapses: { ...posInt, description: "hidden-to-hidden connections in all (Xylo: 32000)" },
  outputSynapses: { ...posInt, description: "synaptic currents per output neuron (Xylo: 1)" },
}, []);

/** Barrier latency by tiles in use: "step" takes the point with the most tiles not above the count (SANA-FE), "linear" interpolates. */
export const BARRIER_SCHEMA = closed("timestep barrier latency by tiles in use", {
  lookup: { enum: ["step", "linear"] },
  points: { type: "array", minItems: 1, items: closed("one barrier point", { tiles: posInt, time: CONSTANT_SCHEMA }, ["tiles", "time"]) },
}, ["lookup", "points"]);

/** Cycle costs and clock. */
export const TIMING_SCHEMA = closed("cycle costs and clock", {
  clock: CONSTANT_SCHEMA,
  synOp: CONSTANT_SCHEMA,
  neuronUpdate: CONSTANT_SCHEMA,
  hop: CONSTANT_SCHEMA,
  tick: { ...CONSTANT_SCHEMA, description: "hardware time step (TrueNorth's 1 ms tick), when fixed" },
  neuronUpdateInactive: { ...CONSTANT_SCHEMA, description: "update of a neuron not active in a step; default neuronUpdate" },
  hopNS: { ...CONSTANT_SCHEMA, description: "per hop north-south (hop is then east-west); default hop" },
  withinTile: { ...CONSTANT_SCHEMA, description: "between cores sharing a router; default one cycle" },
  receive: { ...CONSTANT_SCHEMA, description: "extra latency per message a core receives (SANA-FE)" },
  spike: { ...CONSTANT_SCHEMA, description: "extra latency per spike a core's neurons emit (SANA-FE)" },
  packet: { ...CONSTANT_SCHEMA, description: "extra latency per message a core sends (SANA-FE)" },
  barrier: BARRIER_SCHEMA,
  timeBase: {
    enum: ["chip", "real-time"],
    description: "chip (default): a step lasts as long as its work and barrier; real-time: one dt (or tick) per step",
  },
}, ["clock", "synOp", "neuronUpdate", "hop"]);

/** Energy per event and static power. */
export const ENERGY_SCHEMA = closed("energy per event and static power", {
  synOp: CONSTANT_SCHEMA,
  neuronUpdate: CONSTANT_SCHEMA,
  neuronUpdateInactive: CONSTANT_SCHEMA,
  hop: { ...CONSTANT_SCHEMA, description: "per mesh hop (east-west where directions differ)" },
  hopNS: CONSTANT_SCHEMA,
  withinTile: CONSTANT_SCHEMA,
  spike: { ...CONSTANT_SCHEMA, description: "per spike a neuron emits (SANA-FE's soma spike_out)" },
  packet: { ...CONSTANT_SCHEMA, description: "per message a core sends (SANA-FE's axon_out)" },
  staticPerCore: CONSTANT_SCHEMA,
  staticPerChip: { ...CONSTANT_SCHEMA, description: "static power of the whole chip (Speck's resting power)" },
  dynamicPower: { ...CONSTANT_SCHEMA, description: "whole-chip dynamic power in place of per-event energies (all-in)" },
}, ["synOp", "neuronUpdate", "hop", "staticPerCore"]);

/** A link between chips (or boards) of a system: per packet energy and latency, packets per second. */
export const LINK_SCHEMA = closed("an inter-chip or inter-board link", {
  energy: { ...CONSTANT_SCHEMA, description: "energy per spike packet crossing the link" },
  latency: { ...CONSTANT_SCHEMA, description: "latency of one crossing" },
  bandwidth: { ...CONSTANT_SCHEMA, description: "packets per second the link carries (unit packet/s)" },
}, ["energy", "latency", "bandwidth"]);

const grid = (what: string) => closed(what, { width: posInt, height: posInt }, ["width", "height"]);

/** A multi-chip system (lib/target/system.ts): the mesh spans every chip; chip and board boundaries cut it into links of their own. */
export const SYSTEM_SCHEMA = closed("chips in a grid on boards in a grid, joined by links of their own", {
  chip: { ...text, description: "the chip at every position (a target name)" },
  chipMesh: grid("routers per chip"),
  coresPerChip: posInt,
  chips: grid("chips per board"),
  boards: grid("boards in the system (default 1 x 1)"),
  chipLink: LINK_SCHEMA,
  boardLink: LINK_SCHEMA,
  topologyNote: { ...text, description: "how the real system differs from this grid, in words" },
}, ["chip", "chipMesh", "coresPerChip", "chips", "chipLink"]);

/** Neuron node types (NIR names) a target may support. */
export const NEURON_MODEL_SCHEMA = { enum: ["IF", "LIF", "CubaLIF", "LI", "CubaLI", "MultiCubaLIF", "I"] } as const;

/** The JSON Schema of a Target (draft 7): the one definition of the format. */
export const TARGET_SCHEMA = closed("a complete hardware description", {
  name: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$" },
  description: text,
  references: { type: "object", additionalProperties: text, description: "bibliography: short key -> full citation" },
  mesh: MESH_SCHEMA,
  cores: { ...posInt, description: "total cores (<= width * height * coresPerRouter)" },
  core: CORE_SCHEMA,
  coreOverrides: { type: "array", items: CORE_OVERRIDE_SCHEMA, description: "heterogeneous cores (Speck): index = core id" },
  arithmetic: ARITHMETIC_SCHEMA,
  models: { type: "array", minItems: 1, items: NEURON_MODEL_SCHEMA },
  resets: { type: "array", minItems: 1, items: { enum: ["zero", "subtract"] } },
  conv: CONV_SCHEMA,
  limits: LIMITS_SCHEMA,
  rules: { type: "array", items: { enum: ["xylo", "speck", "truenorth"] }, description: "design-rule sets the compiler applies" },
  mapping: {
    enum: ["mesh", "layer-per-core", "single-core"],
    description: "mesh partitions layers over cores; layer-per-core (Speck); single-core puts every layer on one core (Xylo)",
  },
  timing: TIMING_SCHEMA,
  energy: ENERGY_SCHEMA,
  system: SYSTEM_SCHEMA,
}, ["name", "description", "references", "mesh", "cores", "core", "arithmetic", "models", "resets", "conv", "limits", "rules", "mapping",
  "timing", "energy"]);

/** The same schema under its historical name. */
export const targetSchema = TARGET_SCHEMA;

const validate = lazySchema(TARGET_SCHEMA);

/** Validates untrusted data (a parsed JSON file, a user object) as a Target; throws one PhasorError listing every problem. */
export function parseTarget(data: unknown, where = "target"): Target {
  const issues = new IssueList();
  for (const i of schemaIssues(validate(), data, "bad-target", [where], "Target")) issues.add(i.code, i.path, i.message);
  issues.throwIfAny();
  const t = data as Target;
  crossChecks(t, where, issues);
  issues.throwIfAny();
  return t;
}

/** Problems of a Target nested in another document (a Program): schema and cross-field rules, under `where`. */
export function targetIssues(data: unknown, where: Array<string | number>, code: string): ReturnType<typeof schemaIssues> {
  const found = schemaIssues(validate(), data, code, where, "Target");
  if (found.length) return found;
  const issues = new IssueList();
  crossChecks(data as Target, where, issues);
  return issues.issues.map((i) => ({ ...i, code }));
}

/** Like parseTarget, but returns the error instead of throwing. */
export function safeParseTarget(data: unknown): { ok: true; target: Target } | { ok: false; error: PhasorError } {
  try {
    return { ok: true, target: parseTarget(data) };
  } catch (e) {
    if (e instanceof PhasorError) return { ok: false, error: e };
    throw e;
  }
}

function crossChecks(t: Target, where: string | Array<string | number>, issues: IssueList): void {
  const at = (...p: Array<string | number>) => [...(Array.isArray(where) ? where : [where]), ...p];
  const a = t.arithmetic, m = t.mesh, slots = m.width * m.height * m.coresPerRouter;
  if (t.cores > slots) {
    issues.add("bad-target", at("cores"), `${t.cores} cores do not fit a ${m.width}x${m.height} mesh with ${m.coresPerRouter} core(s) per router (${slots} slots); lower cores or enlarge the mesh`);
  }
  if (a.decay === "multiply" && !a.decayBits) issues.add("bad-target", at("arithmetic", "decayBits"), "a multiplicative decay needs decayBits");
  if (a.decay === "shift" && a.maxShift === undefined) issues.add("bad-target", at("arithmetic", "maxShift"), "a shift decay needs maxShift");
  if (t.coreOverrides && t.coreOverrides.length !== t.cores) {
    issues.add("bad-target", at("coreOverrides"), `has ${t.coreOverrides.length} entries for ${t.cores} cores; give one per core`);
  }
  if (t.system) systemChecks(t, at, issues);
  if (a.decay === "none" && t.models.some((x) => x !== "IF" && x !== "I")) {
    issues.add("bad-target", at("models"), `decay "none" can only run IF/I neurons, not ${t.models.join(", ")}`);
  }
}

/** A system's grid must be its mesh: chip meshes times chips times boards, coresPerChip times chips. */
function systemChecks(t: Target, at: (...p: Array<string | number>) => Array<string | number>, issues: IssueList): void {
  const s = t.system!, b = s.boards ?? { width: 1, height: 1 }, chips = s.chips.width * s.chips.height * b.width * b.height;
  const w = s.chipMesh.width * s.chips.width * b.width, h = s.chipMesh.height * s.chips.height * b.height;
  if (t.mesh.width !== w || t.mesh.height !== h) issues.add("bad-target", at("mesh"), `a system of ${chips} chips of ${s.chipMesh.width}x${s.chipMesh.height} routers needs a ${w}x${h} mesh, not ${t.mesh.width}x${t.mesh.height}`);
  if (t.cores !== s.coresPerChip * chips) issues.add("bad-target", at("cores"), `a system of ${chips} chips of ${s.coresPerChip} cores has ${s.coresPerChip * chips} cores, not ${t.cores}`);
}
