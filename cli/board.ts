/** `phasor board serve [--runner vm] [--bind ADDR] [--keys DIR]` and `phasor board keys DIR`: host a runner for remote clients; make CURVE key files. */
import { InvalidArgumentError, Option, type Command } from "commander";
import { PhasorError } from "../lib/ir/errors.js";
import type { KeyRole } from "../lib/hw/keys.js";
import { DEFAULT_LIMITS, type Limits } from "../lib/hw/protocol/messages.js";

interface ServeFlags {
  runner: string; bind: string; keys?: string; maxSteps: number; maxProgramMb: number; maxWallSeconds: number; maxJobsPerClient: number;
  maxConnections: number; idleSeconds: number; grace: number; json?: boolean;
}

/** Serves until SIGINT/SIGTERM, then shuts down gracefully (the running job gets --grace seconds; the process exits within grace + 3 s). */
export async function serveCommand(o: ServeFlags): Promise<void> {
  if (!o.keys) throw new PhasorError([{ code: "keys", path: ["--keys"], message: "the board server needs --keys DIR (server.key, server.pub, authorized/*.pub); make them with `phasor board keys DIR`" }]);
  if (o.runner.startsWith("remote://") || o.runner === "export") throw new PhasorError([{ code: "runner", path: ["--runner"], message: `a board server hosts an executing runner (vm or vm:cycle), not ${o.runner}` }]);
  const limits: Partial<Limits> = {
    maxSteps: o.maxSteps, maxProgramBytes: Math.round(o.maxProgramMb * (1 << 20)), maxWallSeconds: o.maxWallSeconds, maxJobsPerClient: o.maxJobsPerClient,
    maxConnections: o.maxConnections, idleSeconds: o.idleSeconds,
  };
  const { BoardServer } = await import("../lib/hw/server/server.js");
  const { createRunner } = await import("../lib/hw/registry.js");
  const log = (line: string) => process.stderr.write(`[board ${new Date().toISOString()}] ${line}\n`);
  const onZap = (e: { allowed: boolean; client?: string; key?: string; address: string }) => { if (e.allowed) log(`client ${e.client}/${e.key?.slice(0, 8)} authenticated from ${e.address}`); };
  const server = await BoardServer.start(createRunner(o.runner), { bind: o.bind, keys: o.keys, limits, log, onZap });
  const ready = { endpoint: server.endpoint, runner: server.runner.name, limits: server.core.limits, pid: process.pid };
  console.log(o.json ? JSON.stringify({ event: "ready", ...ready }) : `serving ${ready.runner} on ${ready.endpoint} (CURVE; keys in ${o.keys}); Ctrl-C stops after the running job`);
  await new Promise<void>((resolve) => {
    const stop = async (signal: string) => {
      process.removeAllListeners("SIGINT");
      process.removeAllListeners("SIGTERM");
      // Whatever the clients or the runner do, the process ends: grace for the running job, then at most 3 s more.
      setTimeout(() => process.exit(0), (o.grace + 3) * 1e3).unref();
      const s = await server.close(`server stopped (${signal})`, o.grace);
      console.log(o.json ? JSON.stringify({ event: "stopped", ...s }) : `stopped: finished ${s.finishing.join(", ") || "no running job"}; cancelled queued ${s.cancelled.join(", ") || "none"}`);
      resolve();
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
  });
}

/** Writes key pairs and says what to copy where. */
export async function keysCommand(dir: string, o: { role: KeyRole; name: string; json?: boolean }): Promise<void> {
  const { generateKeys } = await import("../lib/hw/keys.js");
  const files = generateKeys(dir, o.role, o.name);
  if (o.json) { console.log(JSON.stringify({ dir, role: o.role, files })); return; }
  console.log(`wrote ${files.join(", ")}`);
  if (o.role === "both") console.log(`${dir} now serves a loopback board and its client alike: phasor board serve --keys ${dir}; phasor run P --runner remote://127.0.0.1:5555 --keys ${dir}`);
  if (o.role === "client") console.log(`give ${dir}/client.pub to the board's operator (it goes in their KEYS/authorized/${o.name}.pub) and put the board's server.pub in ${dir}/`);
  if (o.role === "server") console.log(`put each client's client.pub in ${dir}/authorized/NAME.pub; give clients ${dir}/server.pub`);
}

function positive(s: string): number {
  const n = Number(s);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a positive number, got "${s}"`);
  return n;
}

/** Adds `phasor board serve` and `phasor board keys`. */
export function registerBoard(p: Command): void {
  const board = p.command("board").description("host a runner for remote clients (ZeroMQ + CURVE); make key files");
  board.command("serve")
    .description("serve a runner to clients whose CURVE keys are authorised (docs/board-protocol.md)")
    .option("--runner <runner>", "runner to host: vm or vm:cycle", "vm")
    .option("--bind <addr>", "ZeroMQ endpoint", "tcp://127.0.0.1:5555")
    .option("--keys <dir>", "server.key, server.pub and authorized/*.pub")
    .option("--max-steps <n>", "steps per job", positive, DEFAULT_LIMITS.maxSteps)
    .option("--max-program-mb <mb>", "program size (JSON + blobs)", positive, DEFAULT_LIMITS.maxProgramBytes / (1 << 20))
    .option("--max-wall-seconds <s>", "wall-clock time per job", positive, DEFAULT_LIMITS.maxWallSeconds)
    .option("--max-jobs-per-client <n>", "queued + running jobs per client key", positive, DEFAULT_LIMITS.maxJobsPerClient)
    .option("--max-connections <n>", "connections the server keeps state for", positive, DEFAULT_LIMITS.maxConnections)
    .option("--idle-seconds <s>", "forget a connection (and its programs) after this long without a request or job", positive, DEFAULT_LIMITS.idleSeconds)
    .option("--grace <s>", "on shutdown, seconds the running job may take to finish", positive, 10)
    .option("--json", "print ready/stopped events as JSON lines")
    .action(serveCommand);
  board.command("keys")
    .description("make CURVE key pairs: server.key/.pub, client.key/.pub (and authorize the client)")
    .argument("<dir>", "directory to write into (created; existing keys are never overwritten)")
    .addOption(new Option("--role <role>", "which pairs to make").choices(["both", "server", "client"]).default("both"))
    .option("--name <name>", "the client's name in authorized/", "client")
    .option("--json", "print the files written as JSON")
    .action(keysCommand);
}
