/** Writes the `phasor` kernelspec (kernel.json) into a Jupyter kernels directory. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PhasorError } from "../lib/ir/errors.js";

/** Where to install, as `phasor install` takes it; plus test-only name and interrupt mode. */
export interface InstallOptions {
  user?: boolean;
  sysPrefix?: boolean;
  prefix?: string;
  /** Kernelspec name (default "phasor"). */
  name?: string;
  /**
   * How Jupyter interrupts the kernel. Default "message": an interrupt_request on the
   * control channel, which works the same on every OS and through remote gateways.
   * "signal" (SIGINT to the kernel) works too; both are tested.
   */
  interruptMode?: "message" | "signal";
}

/** The repository root: the directory holding bin/phasor.js. */
export function packageRoot(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, "bin", "phasor.js")) && existsSync(join(d, "package.json"))) return d;
    if (dirname(d) === d) throw new PhasorError("cannot find bin/phasor.js above " + __dirname, "install");
  }
}

/** The kernel.json contents. */
export function kernelJson(interruptMode: "message" | "signal" = "message"): Record<string, unknown> {
  return {
    argv: [process.execPath, join(packageRoot(), "bin", "phasor.js"), "kernel", "-f", "{connection_file}"],
    display_name: "Phasor (TypeScript)",
    language: "typescript",
    interrupt_mode: interruptMode,
    env: {},
    metadata: { debugger: false },
  };
}

/** Jupyter's per-user data directory, as jupyter_core computes it. */
export function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return join(process.env.APPDATA ?? homedir(), "jupyter");
  return join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter");
}

function sysPrefix(): string {
  const python = process.env.PHASOR_PYTHON ?? "python3";
  try {
    return execFileSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
  } catch (e) {
    throw new PhasorError(`--sys-prefix needs Python (${python}) to find sys.prefix: ${(e as Error).message}`, "install");
  }
}

/** Installs the kernelspec and returns its directory. */
export async function installKernelspec(o: InstallOptions = {}): Promise<string> {
  const chosen = [o.user, o.sysPrefix, o.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new PhasorError("choose one of --user, --sys-prefix and --prefix", "usage");
  const base = o.prefix !== undefined
    ? join(resolve(o.prefix), "share", "jupyter")
    : o.sysPrefix ? join(sysPrefix(), "share", "jupyter") : userDataDir();
  const dir = join(base, "kernels", o.name ?? "phasor");
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelJson(o.interruptMode), null, 2) + "\n");
  } catch (e) {
    throw new PhasorError(`cannot write the kernelspec in ${dir}: ${(e as Error).message}`, "install");
  }
  return dir;
}
