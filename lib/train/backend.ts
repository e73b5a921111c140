/**
 * TF.js backend selection at run time. Preference: tfjs-node-gpu, tfjs-node, wasm, cpu; the
 * first that loads wins. The native ones are optional dependencies (their installers download
 * libtensorflow and may fail, e.g. offline): a guarded require finds them when present.
 * Install one with `npm install @tensorflow/tfjs-node` (or `-gpu` with CUDA) next to phasor.
 */
import * as tf from "@tensorflow/tfjs-core";
import { dirname, join } from "node:path";
import { PhasorError } from "../ir/errors.js";
import { registerPhasorKernels } from "./kernels/register.js";

/** A backend Phasor can train on, in order of preference. */
export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";

/** Preference order used when no backend is named. */
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

/** What was chosen and why the better ones were skipped. */
export interface BackendInfo {
  name: BackendName;
  /** tf.getBackend() after selection ("tensorflow", "wasm" or "cpu"). */
  tfName: string;
  skipped: { name: BackendName; reason: string }[];
}

let current: BackendInfo | undefined;

/** The backend chosen so far (undefined before `useBackend`). */
export function activeBackend(): BackendInfo | undefined {
  return current;
}

type Loader = () => Promise<string>;

const LOADERS: Record<BackendName, Loader> = {
  "tensorflow-gpu": () => loadNative("@tensorflow/tfjs-node-gpu"),
  tensorflow: () => loadNative("@tensorflow/tfjs-node"),
  wasm: async () => {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // The binaries ship inside the npm package; point the loader at them (no network).
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(dist + "/", false);
    return "wasm";
  },
  cpu: async () => {
    await import("@tensorflow/tfjs-backend-cpu");
    return "cpu";
  },
};

async function loadNative(pkg: string): Promise<string> {
  // Guarded require: an optional dependency that may be absent or fail to load its binary.
  require(pkg);
  if (!tf.findBackend("tensorflow")) {
    throw new Error(`${pkg} loaded but registered no "tensorflow" backend with this copy of @tensorflow/tfjs-core (version mismatch?)`);
  }
  return "tensorflow";
}

/**
 * Selects a backend: the named one, or the first of BACKEND_ORDER that loads. Also honours
 * PHASOR_BACKEND. Registers Phasor's custom kernels for it. Idempotent.
 */
export async function useBackend(prefer?: BackendName | BackendName[]): Promise<BackendInfo> {
  const envPick = process.env.PHASOR_BACKEND as BackendName | undefined;
  const order = prefer ? [prefer].flat() : envPick ? [envPick] : [...BACKEND_ORDER];
  for (const n of order) if (!BACKEND_ORDER.includes(n)) throw new PhasorError(`unknown backend "${n}"; known: ${BACKEND_ORDER.join(", ")}`, "unknown-backend");
  if (current && order[0] === current.name) return current;
  const skipped: BackendInfo["skipped"] = [];
  for (const name of order) {
    try {
      const tfName = await LOADERS[name]();
      if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend("${tfName}") failed`);
      await tf.ready();
      registerPhasorKernels();
      current = { name, tfName, skipped };
      return current;
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  throw new PhasorError(`no TF.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`, "no-backend");
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0];
}

/** A one-line description of the backend for training output. */
export function describeBackend(info: BackendInfo | undefined = current): string {
  if (!info) return "backend: none selected";
  const skip = info.skipped.length ? ` (skipped ${info.skipped.map((s) => s.name).join(", ")})` : "";
  return `backend: ${info.name}${skip}`;
}

/** Directory where the wasm binaries live (for workers that select wasm themselves). */
export function wasmDir(): string {
  return join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")), "/");
}
