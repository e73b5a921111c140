// Enforces the import directions of DESIGN.md: ir <- target <- compiler <- vm <- hw <- cluster <- kernel;
// train and data depend on ir (train also on data); cluster may use train and data; plot depends only on types; nothing in
// lib/ imports kernel/ or cli/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");
const allowed: Record<string, string[]> = {
  "lib/ir": [],
  "lib/target": ["lib/ir"],
  "lib/compiler": ["lib/ir", "lib/target"],
  "lib/vm": ["lib/ir", "lib/target", "lib/compiler"],
  "lib/hw": ["lib/ir", "lib/target", "lib/compiler", "lib/vm"],
  "lib/data": ["lib/ir"],
  "lib/train": ["lib/ir", "lib/data"],
  "lib/cluster": ["lib/ir", "lib/target", "lib/compiler", "lib/vm", "lib/hw", "lib/data", "lib/train"],
  "lib/plot": ["lib/ir"], // type-only, checked below
  "lib/index.ts": ["lib/ir", "lib/target", "lib/compiler", "lib/vm", "lib/hw", "lib/data", "lib/train", "lib/plot"],
  kernel: ["lib/ir", "lib/target", "lib/compiler", "lib/vm", "lib/hw", "lib/cluster", "lib/data", "lib/train", "lib/plot", "lib/index.ts"],
  cli: ["lib/ir", "lib/target", "lib/compiler", "lib/vm", "lib/hw", "lib/cluster", "lib/data", "lib/train", "lib/plot", "lib/index.ts", "kernel"],
};

function layerOf(file: string): string | undefined {
  const rel = relative(root, file).split("\\").join("/");
  if (rel === "lib/index.ts") return rel;
  const m = /^(lib\/[^/]+|kernel|cli)\//.exec(rel);
  return m?.[1];
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Relative import specifiers of a file, with whether each is type-only. */
export function importsOf(text: string): { spec: string; typeOnly: boolean }[] {
  const found: { spec: string; typeOnly: boolean }[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;
  for (let m; (m = re.exec(text)); ) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec.startsWith(".")) found.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return found;
}

describe("import directions (DESIGN.md, Layout)", () => {
  const files = ["lib", "kernel", "cli"].flatMap((d) => {
    try { return sources(join(root, d)); } catch { return []; }
  });

  it("finds the sources", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("every relative import points the allowed way", () => {
    const violations: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      if (!from) continue;
      for (const { spec, typeOnly } of importsOf(readFileSync(f, "utf8"))) {
        const to = layerOf(resolve(dirname(f), spec.replace(/\.js$/, ".ts")));
        if (!to || to === from) continue;
        const ok = allowed[from]?.includes(to) && (from !== "lib/plot" || typeOnly);
        if (!ok) violations.push(`${relative(root, f)} imports ${spec} (${from} -> ${to}${from === "lib/plot" ? ", plot may only import types" : ""})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("detects a forbidden edge (the checker itself works)", () => {
    const imports = importsOf(`import { x } from "../../kernel/index.js";\nimport type { G } from "../ir/graph.js";`);
    expect(imports).toEqual([{ spec: "../../kernel/index.js", typeOnly: false }, { spec: "../ir/graph.js", typeOnly: true }]);
    expect(allowed["lib/ir"]).not.toContain("kernel");
  });
});
