/**
 * The TypeScript type of a JSON Schema written `as const`: one definition gives both the
 * validator (ajv compiles the object) and the type (Infer reads it), so they cannot drift.
 * Covers the keywords the board protocol uses: const, enum, type, properties, required, items.
 */

/** The value type a schema accepts. */
export type Infer<S> =
  S extends { const: infer C } ? C
  : S extends { enum: readonly (infer E)[] } ? E
  : S extends { type: infer T extends string } ? [Prim<T>] extends [never] ? Shaped<S> : Prim<T>
  : S extends { type: readonly (infer T)[] } ? Prim<T>
  : unknown;

type Prim<T> = T extends "string" ? string : T extends "integer" | "number" ? number : T extends "boolean" ? boolean : never;

type Shaped<S> =
  S extends { type: "array"; items: infer I } ? Array<Infer<I>>
  : S extends { type: "object"; properties: infer P } ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never>
  : S extends { type: "object"; additionalProperties: infer V } ? Record<string, Infer<V>>
  : unknown;

type ObjectOf<P, R> = Flat<{ -readonly [K in keyof P & R]: Infer<P[K]> } & { -readonly [K in Exclude<keyof P, R>]?: Infer<P[K]> }>;
type Flat<T> = { [K in keyof T]: T[K] };
