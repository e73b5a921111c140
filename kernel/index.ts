/** Entry points of the kernel package: `phasor kernel`, `phasor repl`, `phasor install`. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ChildHost } from "./executor/host.js";
import { readConnectionFile } from "./protocol/connection.js";
import type { KernelInfo } from "./protocol/handler.js";
import { defaultHistoryFile, History } from "./protocol/history.js";
import { startServer } from "./protocol/server.js";
import { packageRoot } from "./kernelspec.js";

export { installKernelspec, kernelJson, type InstallOptions } from "./kernelspec.js";
export { runRepl, type ReplOptions } from "./repl.js";

function log(line: string): void {
  process.stderr.write(`[phasor kernel] ${line}\n`);
}

function version(file: string): string {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Static facts for kernel_info_reply (read without loading TypeScript). */
export function kernelInfo(): KernelInfo {
  const root = packageRoot();
  const v = version(join(root, "package.json"));
  const ts = version(join(root, "node_modules", "@tslab", "typescript-for-tslab", "package.json"));
  return {
    implementation_version: v,
    language_version: ts,
    banner: `Phasor ${v}: TypeScript ${ts} on Node ${process.version}. %lsmagic lists the magics; phasor and display are ready.`,
  };
}

/** Runs a Jupyter kernel on a connection file until shutdown. */
export async function runKernel(connectionFile: string): Promise<void> {
  const connection = readConnectionFile(connectionFile);
  const host = new ChildHost({ log });
  const history = new History(defaultHistoryFile(), log);
  const server = await startServer({ connection, engine: host, history, info: kernelInfo(), log }).catch(async (e: Error) => {
    log(`phasor kernel: ${e.message}`);
    await host.shutdown();
    process.exit(1);
  });
  process.on("SIGINT", () => server.handler.interrupt(true));
  const stop = async (): Promise<void> => {
    history.close();
    server.close();
    await host.shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  await server.done;
  // Let the shutdown_reply leave before the sockets close.
  await new Promise((r) => setTimeout(r, 50));
  await stop();
}
