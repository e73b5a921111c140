// Shared test support: locating ../shared and optional peers (Debian's Jupyter, h5py, Brian2,
// PyTorch, Chromium). A missing peer skips its tests with a message naming how to install it,
// except under PHASOR_REQUIRE_ALL=1 (set by .ci/run), where it fails instead.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import type { Program } from "../lib/compiler/index.js";

export const repoRoot = resolve(__dirname, "..");
export const sharedDir = resolve(repoRoot, "../shared");
export const nirPaper = resolve(sharedDir, "nir-paper");
export const phasorBin = resolve(repoRoot, "bin/phasor.js");
export const systemPython = "/usr/bin/python3";

/** True when the resource is there; otherwise warns (or throws under PHASOR_REQUIRE_ALL=1). */
export function need(what: string, available: boolean, howToGet: string): boolean {
  if (available) return true;
  const msg = `${what} is missing: ${howToGet}`;
  if (process.env.PHASOR_REQUIRE_ALL === "1") throw new Error(`PHASOR_REQUIRE_ALL=1 and ${msg}`);
  console.warn(`skipping: ${msg}`);
  return false;
}

/** ../shared/nir-paper, the NIR paper's graphs and traces. */
export function haveNirPaper(): boolean {
  return need("../shared/nir-paper", existsSync(resolve(nirPaper, "lif_norse.nir")), "place the shared folder beside the repository (it holds the NIR paper's files)");
}

/** A Python module importable by Debian's /usr/bin/python3. */
export function havePython(module: string, debianPackage: string): boolean {
  const ok = existsSync(systemPython) && spawnSync(systemPython, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;
  return need(`Python module ${module} for ${systemPython}`, ok, `apt-get install ${debianPackage}`);
}

/** Runs the phasor CLI; returns exit status and output instead of throwing. */
export function runPhasor(args: string[], opts: { cwd?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [phasorBin, ...args], { encoding: "utf8", cwd: opts.cwd, maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs Python code with Debian's interpreter and returns stdout. */
export function python(code: string, args: string[] = []): string {
  return execFileSync(systemPython, ["-c", code, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (whoever binds it later may still lose a race). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** `n` distinct free ports: all are held open until each is known (one at a time, the OS may hand out the same port twice). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (s) =>
          new Promise<number>((res, rej) => {
            s.once("error", rej);
            s.listen(0, "127.0.0.1", () => {
              const a = s.address();
              if (typeof a === "object" && a) res(a.port);
              else rej(new Error("no port"));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(r) : r(undefined)))));
  }
}

/** The Program with every slice of `layer` moved to core `core` (plain data: the Program is JSON; blobs shared). */
export function moveLayer(p: Program, layer: string, core: number): Program {
  const q: Program = JSON.parse(JSON.stringify({ ...p, blobs: {} }));
  q.blobs = p.blobs;
  for (const l of q.layers) if (l.name === layer) l.slices = l.slices.map((s) => ({ ...s, core }));
  for (const c of q.cores) if (c.layer === layer) c.id = core;
  return q;
}
