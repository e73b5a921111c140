import { describe, expect, it } from "vitest";
import { PhasorError } from "../ir/errors.js";
import { getTarget, targetNames } from "./registry.js";
import { parseTarget, safeParseTarget } from "./schema.js";

/** The issues a bad target gets, as "path: message" lines. */
function problems(data: unknown): string[] {
  const r = safeParseTarget(data);
  if (r.ok) return [];
  return r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

const loihi = () => JSON.parse(JSON.stringify(getTarget("loihi")));

describe("Target schema", () => {
  it("accepts every preset, as an object and after a JSON round trip", () => {
    expect(targetNames().length).toBeGreaterThanOrEqual(8);
    for (const name of targetNames()) {
      expect(parseTarget(getTarget(name)).name).toBe(name);
      expect(problems(JSON.parse(JSON.stringify(getTarget(name))))).toEqual([]);
    }
  });

  it("refuses fields named like Object.prototype members, as any unknown field", () => {
    const t = JSON.parse(JSON.stringify(getTarget("loihi")).replace('"mesh":{', '"mesh":{"__proto__":{"x":1},"toString":1,'));
    expect(problems(t)).toEqual([
      expect.stringMatching(/^target\.mesh\.__proto__: is not a Target field; remove it \(fields here: width, height/),
      expect.stringMatching(/^target\.mesh\.toString: is not a Target field/),
    ]);
  });

  it("reads own properties only: a required field inherited from a prototype is missing", () => {
    const t = loihi();
    t.mesh = Object.assign(Object.create({ width: 8 }), { height: 8, coresPerRouter: 4, multicast: true, tableEntries: 256 });
    expect(problems(t)).toEqual(["target.mesh.width: is required"]);
  });

  it("refuses NaN, Infinity and fractions where a number or integer is expected", () => {
    const t = loihi();
    t.energy.synOp.value = NaN;
    t.timing.clock.value = Infinity;
    t.core.neurons = 1.5;
    t.arithmetic.weightBits = 33;
    expect(problems(t).sort()).toEqual([
      "target.arithmetic.weightBits: must be <= 32, got 33",
      "target.core.neurons: must be an integer (finite, not NaN), got 1.5",
      "target.energy.synOp.value: must be a number (finite, not NaN), got NaN",
      "target.timing.clock.value: must be a number (finite, not NaN), got Infinity",
    ]);
  });

  it("checks fields across the document: cores fit the mesh, decays have their parameters", () => {
    const t = loihi();
    t.cores = 10_000;
    delete t.arithmetic.decayBits;
    expect(problems(t)).toEqual([
      expect.stringMatching(/^target\.cores: 10000 cores do not fit a 8x4 mesh with 4 core\(s\) per router \(128 slots\)/),
      "target.arithmetic.decayBits: a multiplicative decay needs decayBits",
    ]);
  });

  it("names the file when reading one, and throws a PhasorError", () => {
    expect(() => parseTarget({ ...loihi(), rules: ["nope"] }, "my.json")).toThrow(PhasorError);
    expect(() => parseTarget({ ...loihi(), rules: ["nope"] }, "my.json")).toThrow(/my\.json\.rules\.0: must be one of "xylo", "speck", "truenorth"/);
  });
});
