/**
 * A V8 code cache for tslab's TypeScript (9 MB of JavaScript): the first kernel compiles
 * it and saves the bytecode under $XDG_CACHE_HOME/phasor (or ~/.cache/phasor); later
 * kernels start ~200 ms sooner. PHASOR_NO_CODE_CACHE=1 turns it off. Any failure just
 * means a normal, uncached require.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

type Compile = (this: NodeJS.Module, content: string, filename: string) => unknown;

function cacheFile(filename: string): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const tag = `${process.version}-${process.arch}-${Buffer.from(filename).toString("base64url").slice(-40)}`;
  return join(base, "phasor", `v8-${tag}.bin`);
}

/** Requires `id` through a code cache; call `save()` once the code has warmed up. */
export function requireCached<T>(id: string): { value: T; save(): void } {
  const filename = require.resolve(id);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (process.env.PHASOR_NO_CODE_CACHE === "1" || require.cache[filename]) return { value: require(filename) as T, save: () => {} };
  const file = cacheFile(filename);
  let script: Script | null = null;
  let fresh = true;
  const proto = Module.prototype as NodeJS.Module & { _compile: Compile };
  const original = proto._compile;
  proto._compile = function (this: NodeJS.Module, content: string, name: string): unknown {
    if (name !== filename) return original.call(this, content, name);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    script = new Script(Module.wrap(content), { filename: name, cachedData });
    fresh = !cachedData || script.cachedDataRejected === true;
    const fn = script.runInThisContext() as (...a: unknown[]) => unknown;
    const req = Object.assign((r: string) => this.require(r), { resolve: (r: string) => require.resolve(r, { paths: [dirname(name)] }) });
    return fn.call(this.exports, this.exports, req, this, name, dirname(name));
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { value: require(filename) as T, save: () => saveCache(script, fresh, file) };
  } finally {
    proto._compile = original;
  }
}

function saveCache(script: Script | null, fresh: boolean, file: string): void {
  if (!script || !fresh) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, file);
  } catch {
    // a read-only home is fine: we just start slower
  }
}
