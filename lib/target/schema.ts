/**
 * Target validation: a JSON Schema (checked with ajv, every error collected) plus cross-field
 * checks, turned into one PhasorError whose issues name the field and what is wrong.
 */
import { Ajv, type ErrorObject } from "ajv";
import { IssueList, PhasorError } from "../ir/errors.js";
import type { Target } from "./types.js";

const posInt = { type: "integer", minimum: 1 };
const constant = {
  type: "object",
  required: ["value", "unit", "source", "kind"],
  additionalProperties: false,
  properties: { value: { type: "number", minimum: 0 }, unit: { type: "string", minLength: 1 }, source: { type: "string", minLength: 1 }, kind: { enum: ["silicon", "pre-silicon", "all-in", "fitted", "unpublished"] } },
};
const barrier = {
  type: "object", additionalProperties: false, required: ["lookup", "points"],
  properties: {
    lookup: { enum: ["step", "linear"] },
    points: { type: "array", minItems: 1, items: { type: "object", additionalProperties: false, required: ["tiles", "time"], properties: { tiles: posInt, time: constant } } },
  },
};
const coreProps = { neurons: posInt, synapses: posInt, fanIn: posInt, fanOut: posInt, kernelMemory: posInt, neuronMemory: posInt, biasMemory: posInt };

/** The JSON Schema of a Target (draft 7). */
export const targetSchema = {
  $id: "https://phasor.dev/schema/target.json",
  type: "object",
  additionalProperties: false,
  required: ["name", "description", "references", "mesh", "cores", "core", "arithmetic", "models", "resets", "conv", "limits", "rules", "mapping", "timing", "energy"],
  properties: {
    name: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$" },
    description: { type: "string" },
    references: { type: "object", additionalProperties: { type: "string" } },
    mesh: {
      type: "object", additionalProperties: false, required: ["width", "height", "coresPerRouter", "multicast", "tableEntries"],
      properties: { width: posInt, height: posInt, coresPerRouter: posInt, multicast: { type: "boolean" }, tableEntries: posInt },
    },
    cores: posInt,
    core: { type: "object", additionalProperties: false, required: ["neurons", "synapses", "fanIn", "fanOut"], properties: coreProps },
    coreOverrides: { type: "array", items: { type: "object", additionalProperties: false, properties: coreProps } },
    arithmetic: {
      type: "object", additionalProperties: false, required: ["weightBits", "stateBits", "decay", "fixedPoint"],
      properties: { weightBits: { type: "integer", minimum: 1, maximum: 32 }, stateBits: { type: "integer", minimum: 1, maximum: 64 }, decay: { enum: ["multiply", "shift", "none"] }, decayBits: { type: "integer", minimum: 1, maximum: 32 }, maxShift: { type: "integer", minimum: 0, maximum: 63 }, fixedPoint: { type: "boolean" }, profile: { enum: ["loihi", "xylo"] } },
    },
    models: { type: "array", minItems: 1, items: { enum: ["IF", "LIF", "CubaLIF", "LI", "CubaLI", "MultiCubaLIF", "I"] } },
    resets: { type: "array", minItems: 1, items: { enum: ["zero", "subtract"] } },
    conv: {
      type: "object", additionalProperties: false, required: ["weightShared"],
      properties: { weightShared: { type: "boolean" }, maxKernel: posInt, strides: { type: "array", items: posInt }, maxInput: posInt, maxOutput: posInt, maxChannels: posInt, pooling: { type: "array", items: posInt }, maxPadding: { type: "integer", minimum: 0 } },
    },
    limits: { type: "object", additionalProperties: false, properties: { inputs: posInt, outputs: posInt, hidden: posInt, neuronFanOut: posInt, synapsesPerNeuron: posInt, layerFanOut: posInt, recurrentFanOut: posInt, recurrentSynapses: posInt, outputSynapses: posInt } },
    rules: { type: "array", items: { enum: ["xylo", "speck", "truenorth"] } },
    mapping: { enum: ["mesh", "layer-per-core", "single-core"] },
    timing: {
      type: "object", additionalProperties: false, required: ["clock", "synOp", "neuronUpdate", "hop"],
      properties: {
        clock: constant, synOp: constant, neuronUpdate: constant, hop: constant, tick: constant, neuronUpdateInactive: constant, hopNS: constant,
        withinTile: constant, receive: constant, spike: constant, packet: constant, barrier, timeBase: { enum: ["chip", "real-time"] },
      },
    },
    energy: {
      type: "object", additionalProperties: false, required: ["synOp", "neuronUpdate", "hop", "staticPerCore"],
      properties: {
        synOp: constant, neuronUpdate: constant, neuronUpdateInactive: constant, hop: constant, hopNS: constant, withinTile: constant,
        spike: constant, packet: constant, staticPerCore: constant, staticPerChip: constant, dynamicPower: constant,
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(targetSchema);

/** Validates untrusted data (a parsed JSON file, a user object) as a Target; throws one PhasorError listing every problem. */
export function parseTarget(data: unknown, where = "target"): Target {
  const issues = new IssueList();
  if (!validate(data)) for (const e of validate.errors ?? []) issues.add("bad-target", [where, ...pathOf(e)], messageOf(e));
  issues.throwIfAny();
  const t = data as Target;
  crossChecks(t, where, issues);
  issues.throwIfAny();
  return t;
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

function crossChecks(t: Target, where: string, issues: IssueList): void {
  const slots = t.mesh.width * t.mesh.height * t.mesh.coresPerRouter;
  if (t.cores > slots) issues.add("bad-target", [where, "cores"], `${t.cores} cores do not fit a ${t.mesh.width}x${t.mesh.height} mesh with ${t.mesh.coresPerRouter} core(s) per router (${slots} slots)`);
  if (t.arithmetic.decay === "multiply" && !t.arithmetic.decayBits) issues.add("bad-target", [where, "arithmetic", "decayBits"], "a multiplicative decay needs decayBits");
  if (t.arithmetic.decay === "shift" && t.arithmetic.maxShift === undefined) issues.add("bad-target", [where, "arithmetic", "maxShift"], "a shift decay needs maxShift");
  if (t.coreOverrides && t.coreOverrides.length !== t.cores) issues.add("bad-target", [where, "coreOverrides"], `has ${t.coreOverrides.length} entries for ${t.cores} cores`);
  if (t.arithmetic.decay === "none" && t.models.some((m) => m !== "IF" && m !== "I")) issues.add("bad-target", [where, "models"], `decay "none" can only run IF/I neurons, not ${t.models.join(", ")}`);
}

function pathOf(e: ErrorObject): (string | number)[] {
  const p = e.instancePath.split("/").filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === "required") p.push(String((e.params as { missingProperty: string }).missingProperty));
  if (e.keyword === "additionalProperties") p.push(String((e.params as { additionalProperty: string }).additionalProperty));
  return p;
}

function messageOf(e: ErrorObject): string {
  switch (e.keyword) {
    case "required": return "is required";
    case "additionalProperties": return "is not a Target field";
    case "enum": return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    default: return e.message ?? "is invalid";
  }
}
