/** A board server on loopback with fresh keys: for trying the remote runner on one machine (tutorials, tests). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runner, RunnerOptions } from "./runner.js";
import { VmRunner } from "./vm-runner.js";
import { RemoteRunner } from "./remote.js";
import { generateKeys } from "./keys.js";
import { BoardServer, type ServeOptions } from "./server/server.js";

/** A loopback board and how to reach it. */
export interface LoopbackBoard {
  server: BoardServer;
  /** The keys directory (server and one authorised client). */
  keys: string;
  /** remote://127.0.0.1:PORT */
  address: string;
  /** A new client of this board. */
  connect(o?: RunnerOptions): RemoteRunner;
}

/** Starts `runner` (default the behavioural VM) on tcp://127.0.0.1 (a free port unless `port`), keys in `keys` or a new temporary directory. */
export async function startLoopbackBoard(o: Partial<ServeOptions> & { runner?: Runner; port?: number } = {}): Promise<LoopbackBoard> {
  const keys = o.keys ?? mkdtempSync(join(tmpdir(), "phasor-board-"));
  if (!o.keys) generateKeys(keys, "both");
  const server = await BoardServer.start(o.runner ?? new VmRunner(), { ...o, keys, bind: `tcp://127.0.0.1:${o.port ?? 0}` });
  const address = server.endpoint.replace(/^tcp:/, "remote:");
  return { server, keys, address, connect: (c = {}) => RemoteRunner.connect(address, { keys, ...c }) };
}
