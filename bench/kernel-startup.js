#!/usr/bin/env node
/**
 * Kernel startup benchmark: time from process start to the first kernel_info_reply, and
 * the round trip of a trivial cell (first cell, then warm ones), for Phasor's kernel and
 * tslab's own kernel (installed from its npm package into a temp dir) in the same run.
 * Cold starts run one kernel at a time; warm cells alternate between the two kernels.
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

/** `n` distinct free ports (all held open until each is known: one at a time, the OS may repeat one). */
async function freePorts(n) {
  const servers = Array.from({ length: n }, () => createServer());
  const ports = await Promise.all(servers.map((s) => new Promise((res) => s.listen(0, "127.0.0.1", () => res(s.address().port)))));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function frames(key, session, msg_type, content) {
  const header = { msg_id: randomUUID(), msg_type, session, username: "bench", date: new Date().toISOString(), version: "5.3" };
  const parts = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return { id: header.msg_id, frames: [Buffer.from("<IDS|MSG>"), Buffer.from(h.digest("hex")), ...parts] };
}

/** The reply to request `id`; a kernel silent for a minute is an error, not a hang. */
async function replyTo(sock, id) {
  sock.receiveTimeout = 60_000;
  for (;;) {
    const f = await sock.receive();
    const at = f.findIndex((b) => b.toString() === "<IDS|MSG>");
    const parent = JSON.parse(f[at + 3].toString());
    if (parent.msg_id === id) return JSON.parse(f[at + 5].toString());
  }
}

/** A kernel process with a connected shell socket. */
async function startKernel(argv) {
  const dir = mkdtempSync(join(tmpdir(), "kbench-"));
  const key = randomUUID();
  const conn = { ip: "127.0.0.1", transport: "tcp", key, signature_scheme: "hmac-sha256" };
  const names = ["shell_port", "control_port", "stdin_port", "iopub_port", "hb_port"];
  (await freePorts(names.length)).forEach((port, i) => (conn[names[i]] = port));
  const file = join(dir, "connection.json");
  writeFileSync(file, JSON.stringify(conn));
  const shell = new zmq.Dealer();
  shell.connect(`tcp://127.0.0.1:${conn.shell_port}`);
  const session = randomUUID();
  const t0 = performance.now();
  const args = argv.map((a) => a.replace("{connection_file}", file));
  const proc = spawn(args[0], args.slice(1), { cwd: dir, stdio: "ignore", env: { ...process.env, PHASOR_HISTORY_FILE: join(dir, "h.jsonl") } });
  const info = frames(key, session, "kernel_info_request", {});
  await shell.send(info.frames);
  await replyTo(shell, info.id);
  const tInfo = performance.now() - t0;
  /** One execute_request's round trip to its execute_reply, in ms. */
  const cell = async (code = "1 + 1") => {
    const ex = frames(key, session, "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const s = performance.now();
    await shell.send(ex.frames);
    await replyTo(shell, ex.id);
    return performance.now() - s;
  };
  const stop = () => {
    shell.close();
    proc.kill("SIGKILL");
    spawnSync("sleep", ["0.2"]);
  };
  return { tInfo, cell, stop };
}

/** Cold start, one kernel at a time: [ms to kernel_info_reply, ms of the first cell]. */
async function measureStart(argv) {
  const k = await startKernel(argv);
  try {
    return [k.tInfo, await k.cell()];
  } finally {
    k.stop();
  }
}

/**
 * Warm round trips, both kernels running side by side and the cells alternating between
 * them (which goes first flips every time), so a noisy spell of the machine falls on both
 * alike. The same cell again (TypeScript reuses its check) and new cells, as a user types.
 */
async function measureWarm(kernels, rounds) {
  const ks = {};
  for (const [name, argv] of Object.entries(kernels)) {
    ks[name] = await startKernel(argv);
    await ks[name].cell();
  }
  const names = Object.keys(ks);
  const times = Object.fromEntries(names.map((n) => [n, { again: [], fresh: [] }]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < 20; i++) {
        const order = (r * 20 + i) % 2 ? [...names].reverse() : names;
        for (const n of order) times[n].again.push(await ks[n].cell());
      }
      for (let i = 0; i < 20; i++) {
        const order = i % 2 ? [...names].reverse() : names;
        for (const n of order) times[n].fresh.push(await ks[n].cell(`${r * 20 + i + 2} * ${i + 3}`));
      }
    }
  } finally {
    for (const k of Object.values(ks)) k.stop();
  }
  return Object.fromEntries(names.map((n) => [n, [median(times[n].again), median(times[n].fresh)]]));
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
  const start = {};
  for (const [name, argv] of Object.entries(kernels)) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measureStart(argv));
    if (process.env.BENCH_VERBOSE) console.log(name, runs.map((r) => r.map((x) => x.toFixed(0)).join("/")).join("  "));
    start[name] = [0, 1].map((j) => median(runs.map((r) => r[j])));
  }
  const warm = await measureWarm(kernels, RUNS);
  const rows = ["start -> kernel_info_reply", "first cell round trip", "start -> first cell done", "warm: same cell again", "warm: a new cell"];
  const pick = (n) => [start[n][0], start[n][1], start[n][0] + start[n][1], warm[n][0], warm[n][1]];
  const p = pick("phasor");
  const t = pick("tslab");
  console.log(`kernel startup, median of ${RUNS} cold starts; warm cells: median of ${RUNS * 20} each, the two kernels alternating (ms); ratio = phasor / tslab, below 1 is faster`);
  console.log(`${"".padEnd(28)}${"phasor".padStart(10)}${"tslab".padStart(10)}${"ratio".padStart(8)}`);
  rows.forEach((row, i) => console.log(`${row.padEnd(28)}${fmt(p[i]).padStart(10)}${fmt(t[i]).padStart(10)}${(p[i] / t[i]).toFixed(2).padStart(8)}`));
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
