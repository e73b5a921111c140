// The committed WebAssembly kernels are what their generator (lib/vm/wasm/build.mjs) and the
// pinned wabt devDependency produce: a rebuild gives the same kernel.wat and the same bytes.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "vitest";
import { repoRoot } from "./support.js";

test("kernel.wat and kernel-bytes.ts equal a rebuild with the pinned wabt", () => {
  const r = spawnSync(process.execPath, [join(repoRoot, "lib/vm/wasm/build.mjs"), "--check"], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.stdout).toMatch(/match a rebuild/);
  expect(r.status).toBe(0);
});
