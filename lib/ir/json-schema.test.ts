import { describe, expect, expectTypeOf, it } from "vitest";
import { compileSchema, int, lazySchema, schemaIssues, type Infer } from "./json-schema.js";

const RULE = {
  type: "object",
  discriminator: { propertyName: "kind" },
  oneOf: [
    { type: "object", additionalProperties: false, required: ["kind", "p"], properties: { kind: { const: "a" }, p: { type: "number", minimum: 0, maximum: 1 } } },
    { type: "object", additionalProperties: false, required: ["kind", "n"], properties: { kind: { const: "b" }, n: int(1) } },
  ],
} as const;
const DOC = {
  type: "object",
  additionalProperties: false,
  required: ["name", "rule"],
  properties: {
    name: { type: "string", minLength: 1 },
    rule: RULE,
    tags: { type: "object", additionalProperties: { type: "string" } },
    error: { type: ["number", "null"] },
  },
} as const;

const validate = compileSchema(DOC);
const problems = (data: unknown) => schemaIssues(validate, data, "bad-doc", ["doc"], "Doc").map((i) => `${i.path.join(".")}: ${i.message}`);

describe("one schema gives the validator and the type", () => {
  it("derives the TypeScript type from the schema", () => {
    type Doc = Infer<typeof DOC>;
    expectTypeOf<Doc["rule"]>().toEqualTypeOf<{ kind: "a"; p: number } | { kind: "b"; n: number }>();
    expectTypeOf<Doc["tags"]>().toEqualTypeOf<Record<string, string> | undefined>();
    expectTypeOf<Doc["error"]>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<Doc["name"]>().toEqualTypeOf<string>();
  });

  it("accepts a good document and lists every problem of a bad one with its path and the value found", () => {
    expect(problems({ name: "x", rule: { kind: "a", p: 0.5 }, tags: { "a/b": "c" }, error: null })).toEqual([]);
    expect(problems({ name: "", rule: { kind: "b", n: 0.5 }, error: "NaN" })).toEqual([
      'doc.name: must have at least 1 character(s)',
      "doc.rule.n: must be an integer (finite, not NaN), got 0.5",
      'doc.error: must be a number or null (finite, not NaN), got "NaN"',
    ]);
  });

  it("tells kinds apart by their tag and names the kinds known", () => {
    expect(problems({ name: "x", rule: { kind: "c" } })).toEqual(['doc.rule: kind must be one of "a", "b", got "c"']);
    expect(problems({ name: "x", rule: { kind: "a", p: 2 } })).toEqual(["doc.rule.p: must be <= 1, got 2"]);
  });

  it("refuses unknown fields by own name, unescapes JSON pointers, and shortens long values", () => {
    const doc = JSON.parse('{"name":"x","rule":{"kind":"a","p":0},"tags":{"a/b~c":1},"__proto__":{"x":1}}');
    expect(problems(doc)).toEqual([
      "doc.__proto__: is not a Doc field; remove it (fields here: name, rule, tags, error)",
      "doc.tags.a/b~c: must be a string, got 1",
    ]);
    expect(problems({ name: "x", rule: { kind: "a", p: "0123456789012345678901234567890123456789" } })).toEqual([
      'doc.rule.p: must be a number (finite, not NaN), got "012345678901234567890123456789012345...',
    ]);
  });

  it("refuses NaN and Infinity as numbers", () => {
    expect(problems({ name: "x", rule: { kind: "a", p: NaN } })).toEqual(["doc.rule.p: must be a number (finite, not NaN), got NaN"]);
    expect(problems({ name: "x", rule: { kind: "a", p: 0 }, error: -Infinity })).toEqual([
      "doc.error: must be a number or null (finite, not NaN), got -Infinity",
    ]);
  });

  it("compiles a lazy schema once, on first use", () => {
    const lazy = lazySchema({ type: "integer" });
    expect(lazy()).toBe(lazy());
    expect(lazy()(3)).toBe(true);
    expect(lazy()(3.5)).toBe(false);
  });
});
