/**
 * Real front ends against the real kernel: Jupyter's conformance suite
 * (python3-jupyter-kernel-test) and `jupyter console --kernel phasor` running a magic.
 * Without Debian's Jupyter packages these skip with the package to install, unless
 * PHASOR_REQUIRE_ALL=1, when they fail.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installKernelspec } from "../kernel/kernelspec.js";
import { ROOT } from "./kernel-client.js";

const PYTHON = process.env.PHASOR_PYTHON ?? "/usr/bin/python3";
const required = process.env.PHASOR_REQUIRE_ALL === "1";

function missing(module: string): boolean {
  const r = spawnSync(PYTHON, ["-c", `import ${module}`], { encoding: "utf8" });
  return r.status !== 0;
}

const needs: [string, string][] = [
  ["jupyter_client", "python3-jupyter-client"],
  ["jupyter_kernel_test", "python3-jupyter-kernel-test"],
  ["jupyter_console", "jupyter-console"],
];
const absent = needs.filter(([m]) => missing(m));
const why = absent.map(([m, pkg]) => `${m} (apt-get install ${pkg})`).join(", ");
if (absent.length && !required) console.warn(`skipping Jupyter front-end tests: ${PYTHON} lacks ${why}`);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string, cwd = ROOT): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (b: Buffer) => (out += b.toString()));
    p.stderr.on("data", (b: Buffer) => (out += b.toString()));
    p.stdin.end(input ?? "");
    p.on("close", (code) => resolve({ code, out }));
  });
}

describe.skipIf(absent.length > 0 && !required)("Jupyter front ends", () => {
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    if (absent.length) throw new Error(`PHASOR_REQUIRE_ALL=1 but ${PYTHON} lacks ${why}`);
    const prefix = mkdtempSync(join(tmpdir(), "phasor-jupyter-"));
    await installKernelspec({ prefix });
    env = { JUPYTER_PATH: join(prefix, "share", "jupyter"), PHASOR_HISTORY_FILE: join(prefix, "history.jsonl"), JUPYTER_DATA_DIR: join(prefix, "data") };
  });

  it("passes jupyter_kernel_test with every supported attribute set", async () => {
    const r = await run(PYTHON, ["-m", "unittest", "-v", "kernel_conformance"], env, undefined, join(ROOT, "test"));
    expect(r.out).toMatch(/Ran 12 tests/);
    expect(r.out).not.toMatch(/skipped/);
    expect(r.code, r.out).toBe(0);
  }, 300_000);

  it("runs a magic and keeps variables in `jupyter console --kernel phasor` (piped)", async () => {
    const cells = "%time 6*7\nconst v = 5\nv + 1\n%lsmagic\n";
    const r = await run(PYTHON, ["-m", "jupyter_console", "--kernel", "phasor", "--simple-prompt"], env, cells);
    expect(r.out).toContain("Wall time:");
    expect(r.out).toMatch(/Out\[1\]: 42/);
    expect(r.out).toMatch(/Out\[3\]: 6/);
    expect(r.out).toContain("%timeit");
  }, 120_000);
});
