import { describe, expect, it } from "vitest";
import { builtinCatalog, compareVersions, fileUrls, findDataset, parseCatalog, parseRef } from "./catalog.js";

const file = { path: "a.zip", size: 3, sha256: "a".repeat(64), urls: ["a.zip"] };
const dataset = (over: object = {}) => ({
  name: "d", version: "1", title: "D", description: "", citation: "c", license: "CC0-1.0",
  sensor: { name: "s", size: [2, 2, 2] }, classes: 2, splits: { train: 1 }, format: "nmnist", files: [file], ...over,
});
const doc = (...datasets: object[]) => ({ format: "phasor-catalog", formatVersion: 1, datasets });

describe("catalog", () => {
  it("the built-in catalog validates; every file without a published sha256 says why, none invents one", () => {
    const c = builtinCatalog();
    expect(c.datasets.map((d) => d.name).sort()).toEqual(["dvsgesture", "nmnist", "shd", "ssc"]);
    for (const d of c.datasets) {
      expect(d.citation.length).toBeGreaterThan(20);
      for (const f of d.files) {
        expect(f.sha256).toBeNull();
        expect(f.checksumNote).toMatch(/no sha256 is published/i);
      }
    }
    expect(c.datasets.find((d) => d.name === "nmnist")!.license).toBeNull();
  });

  it("collects every schema problem with its path", () => {
    const bad = doc(dataset({ license: null, files: [{ ...file, sha256: "XYZ", urls: [] }] }), dataset());
    const msg = (() => { try { parseCatalog(bad, "c.json"); return ""; } catch (e) { return (e as Error).message; } })();
    expect(msg.split("\n").slice(1).sort()).toEqual([
      "  - c.json.datasets.0.files.0.manual: is required",
      '  - c.json.datasets.0.files.0.sha256: must match pattern "^[0-9a-f]{64}$"',
      "  - c.json.datasets.0.licenseNote: is required",
    ]);
    expect(() => parseCatalog(doc(dataset(), dataset()), "c.json")).toThrow(/d@1 is listed twice/);
    expect(() => parseCatalog(doc(dataset({ files: [{ ...file, path: "../x" }] })), "c.json")).toThrow(/files\.0\.path/);
  });

  it("finds NAME (highest version) and NAME@VERSION; resolves URLs against the catalog", () => {
    const c = parseCatalog(doc(dataset({ version: "1.9" }), dataset({ version: "1.10" })), "http://h/dir/catalog.json");
    expect(findDataset([c], "d").dataset.version).toBe("1.10");
    expect(findDataset([c], "D@1.9").dataset.version).toBe("1.9");
    expect(() => findDataset([c], "d@2")).toThrow(/versions of d: 1\.9, 1\.10/);
    expect(fileUrls(c, file)).toEqual(["http://h/dir/a.zip"]);
    expect(compareVersions("2", "10")).toBeLessThan(0);
    expect(parseRef("shd@1")).toEqual({ name: "shd", version: "1" });
    expect(() => parseRef("a b")).toThrow(/NAME@VERSION/);
  });
});
