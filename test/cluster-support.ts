// Support for the cluster tests: a private redis-server on a free loopback port (no persistence,
// killed at the end) and `phasor worker` child processes whose output the test reads line by
// line. Every wait is bounded in time; a missing redis-server skips (fails under PHASOR_REQUIRE_ALL=1).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, need, phasorBin } from "./support.js";

/** True when Debian's redis-server is installed; otherwise skips with a message naming it. */
export function haveRedis(): boolean {
  const ok = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
  return need(
    "redis-server",
    ok,
    "apt-get install redis-server (the cluster tests start their own on a loopback port)",
  );
}

/** A started redis-server. */
export interface RedisServer {
  url: string;
  port: number;
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts redis-server on 127.0.0.1 and a free port, without persistence (with a password when given); resolves once it answers PING. */
export async function startRedis(o: { password?: string } = {}): Promise<RedisServer> {
  const port = await freePort(),
    dir = mkdtempSync(join(tmpdir(), "phasor-redis-"));
  const auth = o.password ? ["--requirepass", o.password] : [];
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    ...auth,
  ];
  const p = spawn("redis-server", args, { stdio: "ignore" });
  const stop = () => {
    p.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  const ping = ["-p", String(port), ...(o.password ? ["-a", o.password, "--no-auth-warning"] : []), "ping"];
  for (let i = 0; i < 100; i++) {
    if (spawnSync("redis-cli", ping, { encoding: "utf8" }).stdout?.trim() === "PONG") {
      return { url: `redis://${o.password ? `:${o.password}@` : ""}127.0.0.1:${port}`, port, stop };
    }
    await sleep(100);
  }
  stop();
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
}

/** A `phasor worker` child process and the lines it printed. */
export class WorkerProcess {
  readonly lines: string[] = [];
  readonly proc: ChildProcess;
  private exited = false;

  constructor(
    readonly name: string,
    url: string,
    extra: string[] = [],
  ) {
    const args = [
      phasorBin,
      "worker",
      "--redis",
      url,
      "--name",
      name,
      "--lock-ms",
      "3000",
      "--stall-check-ms",
      "1000",
      // A loaded machine may starve a live worker past its lock once or twice; a later --max-stalls wins.
      "--max-stalls",
      "3",
      ...extra,
    ];
    this.proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let buf = "";
    const take = (d: Buffer) => {
      buf += d.toString("utf8");
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      this.lines.push(...parts);
    };
    this.proc.stdout!.on("data", take);
    this.proc.stderr!.on("data", take);
    this.proc.on("exit", () => (this.exited = true));
  }

  /** Waits (at most `ms`) for a line matching `re`; returns it. */
  async waitFor(re: RegExp, ms = 30_000): Promise<string> {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      if (this.exited) throw new Error(`worker ${this.name} exited before printing ${re}:\n${this.lines.join("\n")}`);
      await sleep(10);
    }
    throw new Error(`worker ${this.name} did not print ${re} within ${ms} ms:\n${this.lines.join("\n")}`);
  }

  /** Job ids this worker finished ("done QUEUE:ID"). */
  done(queue: string): string[] {
    return this.lines.flatMap((l) => {
      const m = new RegExp(`done ${queue}:(\\S+)`).exec(l);
      return m ? [m[1]] : [];
    });
  }

  /** Kills the process with SIGKILL: no cleanup, its job locks simply expire. */
  kill(): void {
    this.proc.kill("SIGKILL");
  }

  /** Stops the process if it still runs. */
  stop(): void {
    if (!this.exited) this.proc.kill("SIGKILL");
  }
}

/** Starts workers and waits until each is ready. */
export async function startWorkers(url: string, names: string[], extra: string[] = []): Promise<WorkerProcess[]> {
  const ws = names.map((n) => new WorkerProcess(n, url, extra));
  await Promise.all(ws.map((w) => w.waitFor(/phasor worker \S+ ready/, 60_000)));
  return ws;
}

/** Runs the phasor CLI without blocking the event loop; resolves with status and output. */
export function phasorAsync(args: string[], ms = 120_000): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [phasorBin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "",
      stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => p.kill("SIGKILL"), ms);
    p.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}
