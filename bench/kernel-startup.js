#!/usr/bin/env node
/**
 * Kernel startup benchmark: time from process start to the first kernel_info_reply, and
 * the round trip of a trivial cell (first cell, then a warm one), for Phasor's kernel and
 * tslab's own kernel (installed from its npm package into a temp dir) in the same run.
 * Not part of `npm test`. Usage: node bench/kernel-startup.js [runs=3]   (after npm run build)
 */
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const { createHmac, randomUUID } = require("node:crypto");
const { mkdtempSync, readFileSync, writeFileSync, readdirSync } = require("node:fs");
const { createServer } = require("node:net");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const zmq = require("zeromq");

const ROOT = resolve(__dirname, "..");
const RUNS = Number(process.argv[2] ?? 3);

const fmt = (ms) => ms.toFixed(ms < 100 ? 1 : 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function frames(key, session, msg_type, content) {
  const header = { msg_id: randomUUID(), msg_type, session, username: "bench", date: new Date().toISOString(), version: "5.3" };
  const parts = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return { id: header.msg_id, frames: [Buffer.from("<IDS|MSG>"), Buffer.from(h.digest("hex")), ...parts] };
}

async function replyTo(sock, id) {
  for (;;) {
    const f = await sock.receive();
    const at = f.findIndex((b) => b.toString() === "<IDS|MSG>");
    const parent = JSON.parse(f[at + 3].toString());
    if (parent.msg_id === id) return JSON.parse(f[at + 5].toString());
  }
}

/** One kernel start: returns [ms to kernel_info_reply, ms first cell, median ms of the same cell run again, median ms of a new cell]. */
async function measure(argv) {
  const dir = mkdtempSync(join(tmpdir(), "kbench-"));
  const key = randomUUID();
  const conn = { ip: "127.0.0.1", transport: "tcp", key, signature_scheme: "hmac-sha256" };
  for (const p of ["shell_port", "control_port", "stdin_port", "iopub_port", "hb_port"]) conn[p] = await freePort();
  const file = join(dir, "connection.json");
  writeFileSync(file, JSON.stringify(conn));
  const shell = new zmq.Dealer();
  shell.connect(`tcp://127.0.0.1:${conn.shell_port}`);
  const session = randomUUID();
  const t0 = performance.now();
  const args = argv.map((a) => a.replace("{connection_file}", file));
  const proc = spawn(args[0], args.slice(1), { cwd: dir, stdio: "ignore", env: { ...process.env, PHASOR_HISTORY_FILE: join(dir, "h.jsonl") } });
  try {
    const info = frames(key, session, "kernel_info_request", {});
    await shell.send(info.frames);
    await replyTo(shell, info.id);
    const tInfo = performance.now() - t0;
    const cell = async (code = "1 + 1") => {
      const ex = frames(key, session, "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
      const s = performance.now();
      await shell.send(ex.frames);
      await replyTo(shell, ex.id);
      return performance.now() - s;
    };
    const first = await cell();
    // Warm: the median of 20 further cells (one sample is mostly scheduling noise), first the
    // same cell again (TypeScript reuses its check), then 20 new ones, as a user types them.
    const again = [], fresh = [];
    for (let i = 0; i < 20; i++) again.push(await cell());
    for (let i = 0; i < 20; i++) fresh.push(await cell(`${i + 2} * ${i + 3}`));
    return [tInfo, first, median(again), median(fresh)];
  } finally {
    shell.close();
    proc.kill("SIGKILL");
    spawnSync("sleep", ["0.2"]);
  }
}

function tslabArgv() {
  const prefix = mkdtempSync(join(tmpdir(), "tslab-spec-"));
  const bin = join(ROOT, "node_modules", ".bin", "tslab");
  const r = spawnSync(bin, ["install", "--prefix", prefix, "--python", process.env.PHASOR_PYTHON ?? "/usr/bin/python3"], { encoding: "utf8" });
  const specDir = join(prefix, "share", "jupyter", "kernels");
  let argv;
  try {
    const name = readdirSync(specDir).find((d) => d === "tslab");
    argv = JSON.parse(readFileSync(join(specDir, name, "kernel.json"), "utf8")).argv;
  } catch {
    console.warn(`tslab install failed (${r.stderr || r.error}); launching its binary directly`);
    argv = ["tslab", "kernel", "--config-path", "{connection_file}"];
  }
  // The kernelspec names the binary "tslab"; use the package's own.
  return argv.map((a) => (a === "tslab" ? bin : a));
}

async function main() {
  const kernels = {
    phasor: [process.execPath, join(ROOT, "bin", "phasor.js"), "kernel", "-f", "{connection_file}"],
    tslab: tslabArgv(),
  };
  const results = {};
  for (const [name, argv] of Object.entries(kernels)) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(argv));
    if (process.env.BENCH_VERBOSE) console.log(name, runs.map((r) => r.map((x) => x.toFixed(0)).join("/")).join("  "));
    results[name] = [0, 1, 2, 3].map((j) => median(runs.map((r) => r[j])));
  }
  const rows = ["start -> kernel_info_reply", "first cell round trip", "start -> first cell done", "warm: same cell again", "warm: a new cell"];
  const pick = (r) => [r[0], r[1], r[0] + r[1], r[2], r[3]];
  const p = pick(results.phasor);
  const t = pick(results.tslab);
  console.log(`kernel startup, median of ${RUNS} runs (ms); ratio = phasor / tslab, below 1 is faster`);
  console.log(`${"".padEnd(28)}${"phasor".padStart(10)}${"tslab".padStart(10)}${"ratio".padStart(8)}`);
  rows.forEach((row, i) => console.log(`${row.padEnd(28)}${fmt(p[i]).padStart(10)}${fmt(t[i]).padStart(10)}${(p[i] / t[i]).toFixed(2).padStart(8)}`));
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
