/**
 * One mechanism for every file format and wire message: a JSON Schema written `as const` is
 * the single definition. ajv compiles the object into the validator (own properties only,
 * NaN and ±Infinity refused as numbers, every error collected) and Infer reads the same
 * object as a TypeScript type, so the check and the type cannot drift apart.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { Issue } from "./errors.js";

/** The value type a schema accepts (keywords: const, enum, type, properties, required, items, additionalProperties, anyOf, oneOf). */
export type Infer<S> =
  S extends { const: infer C } ? C
  : S extends { enum: readonly (infer E)[] } ? E
  : S extends { anyOf: infer A extends readonly unknown[] } ? Infer<A[number]>
  : S extends { oneOf: infer A extends readonly unknown[] } ? Infer<A[number]>
  : S extends { type: infer T extends string } ? [Prim<T>] extends [never] ? Shaped<S> : Prim<T>
  : S extends { type: readonly (infer T)[] } ? Prim<T>
  : unknown;

type Prim<T> = T extends "string" ? string : T extends "integer" | "number" ? number : T extends "boolean" ? boolean
  : T extends "null" ? null : never;

type Shaped<S> =
  S extends { type: "array"; items: infer I } ? Array<Infer<I>>
  : S extends { type: "object"; properties: infer P } ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never>
  : S extends { type: "object"; additionalProperties: infer V } ? Record<string, Infer<V>>
  : unknown;

type ObjectOf<P, R> = Flat<{ -readonly [K in keyof P & R]: Infer<P[K]> } & { -readonly [K in Exclude<keyof P, R>]?: Infer<P[K]> }>;
type Flat<T> = { [K in keyof T]: T[K] };

/** Integer in [min, max] (safe integers by default). */
export const int = (minimum = 0, maximum = Number.MAX_SAFE_INTEGER) => ({ type: "integer", minimum, maximum }) as const;

/** A finite number (NaN and ±Infinity are refused by every compiled schema). */
export const num = { type: "number" } as const;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, ownProperties: true, strictNumbers: true, verbose: true, discriminator: true });

/** Compiles a schema with the shared settings (own properties only, finite numbers). */
export function compileSchema(schema: object): ValidateFunction {
  return ajv.compile(schema);
}

/** The same, compiled on first use: a large schema takes a while to compile and most commands never read that format. */
export function lazySchema(schema: object): () => ValidateFunction {
  let compiled: ValidateFunction | undefined;
  return () => (compiled ??= ajv.compile(schema));
}

/**
 * Runs a compiled schema; every ajv error becomes an Issue with `code` (`unknownCode` for a field the
 * schema does not have), the path under `where`, and a message that says what to do.
 */
export function schemaIssues(validate: ValidateFunction, data: unknown, code: string, where: Array<string | number>, noun: string, unknownCode = code): Issue[] {
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  // a value of the wrong type gets that one message, not its range besides
  const mistyped = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const kept = errors.filter((e) => e.keyword === "type" || !mistyped.has(e.instancePath) || e.keyword === "required" || e.keyword === "additionalProperties");
  return dedupe(kept.map((e) => issueOf(e, e.keyword === "additionalProperties" ? unknownCode : code, where, noun)));
}

function issueOf(e: ErrorObject, code: string, where: Array<string | number>, noun: string): Issue {
  const path = [...where, ...pointer(e.instancePath)];
  const p = e.params as Record<string, unknown>;
  if (e.keyword === "required") return { code, path: [...path, String(p.missingProperty)], message: "is required" };
  if (e.keyword === "additionalProperties") {
    const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
    const hint = known.length ? ` (fields here: ${known.join(", ")})` : "";
    return { code, path: [...path, String(p.additionalProperty)], message: `is not a ${noun} field; remove it${hint}` };
  }
  const shown = e.keyword === "discriminator" ? (e.data as Record<string, unknown>)?.[String(p.tag)] : e.data;
  const got = /^(type|enum|const|discriminator)$|imum$/.test(e.keyword) ? `, got ${show(shown)}` : "";
  return { code, path, message: describe(e) + got };
}

function show(v: unknown): string {
  if (typeof v === "number") return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
}

/** JSON pointer segments: array indices as numbers, ~1 and ~0 unescaped. */
function pointer(p: string): Array<string | number> {
  return p.split("/").slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~")));
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type": return `must be ${article(String(p.type))}${/number|integer/.test(String(p.type)) ? " (finite, not NaN)" : ""}`;
    case "enum": return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const": return `must be ${JSON.stringify(p.allowedValue)}`;
    case "minimum": return `must be >= ${String(p.limit)}`;
    case "maximum": return `must be <= ${String(p.limit)}`;
    case "exclusiveMinimum": return `must be > ${String(p.limit)}`;
    case "minItems": return `must have at least ${String(p.limit)} item(s)`;
    case "maxItems": return `must have at most ${String(p.limit)} item(s)`;
    case "minLength": return `must have at least ${String(p.limit)} character(s)`;
    case "maxLength": return `must have at most ${String(p.limit)} character(s)`;
    case "pattern": return `must match ${String(p.pattern)}`;
    case "discriminator": {
      const kinds = ((e.parentSchema as { oneOf?: Array<{ properties?: Record<string, { const?: unknown }> }> }).oneOf ?? [])
        .map((b) => JSON.stringify(b.properties?.[String(p.tag)]?.const)).join(", ");
      return `${String(p.tag)} must be one of ${kinds}`;
    }
    default: return e.message ?? "is invalid";
  }
}

function article(type: string): string {
  const t = type.split(",").join(" or ");
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** anyOf branches can repeat one message for one path; keep the first. */
function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = JSON.stringify([i.path, i.message]);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
