/**
 * `phasor data list|info|fetch|verify|pack` from the built CLI (dist/) against a loopback
 * server: progress on stderr, results on stdout (or --json), a clear one-line error and exit
 * code 1 for a user's mistake or a corrupted download, never a stack trace.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoopbackServer, writeNmnist } from "./data-warehouse-helpers.js";
import { phasorBin } from "./support.js";

const work = mkdtempSync(join(tmpdir(), "phasor-wh-cli-"));
const server = new LoopbackServer();
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process (the server answers meanwhile). */
function phasor(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const c = spawn(process.execPath, [phasorBin, ...args], { cwd: work, env: { ...process.env, PHASOR_WAREHOUSE: join(work, "default-cache") } });
    let stdout = "", stderr = "";
    c.stdout.on("data", (d) => (stdout += d));
    c.stderr.on("data", (d) => (stderr += d));
    c.on("close", (status) => ok({ status: status ?? -1, stdout, stderr }));
  });
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);
const dir = join(work, "cache");

beforeAll(async () => {
  await server.start();
  writeNmnist(join(work, "src"), { classes: 2, perClass: 3, events: [50, 150], seed: 1 });
  const r = await phasor(["data", "pack", "src", "--name", "cli-nm", "--version", "1", "--out", "pub", "--license", "CC0-1.0"]);
  expect(r.status, r.stderr).toBe(0);
  for (const f of ["catalog.json", "cli-nm-1.h5", "datacard.md"]) server.routes.set(`/pub/${f}`, { body: readFileSync(join(work, "pub", f)) });
  const broken = JSON.parse(readFileSync(join(work, "pub", "catalog.json"), "utf8"));
  broken.datasets[0].name = "cli-bad";
  broken.datasets[0].files[0].sha256 = "0".repeat(64);
  server.routes.set("/pub/bad.json", { body: Buffer.from(JSON.stringify(broken)) });
}, 60_000);

describe("phasor data", () => {
  it("pack writes the packed file, datacard and catalog, and says how to publish", async () => {
    const r = await phasor(["data", "pack", "src", "--name", "cli-nm", "--version", "1", "--out", "pub2", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ kind: "N-MNIST folder", samples: 12, splits: { train: 6, test: 6 } });
    expect(j.sha256).toBe(createHash("sha256").update(readFileSync(join(work, "pub2", "cli-nm-1.h5"))).digest("hex"));
  });

  it("fetch downloads with progress on stderr, verifies, and a second fetch makes no request", async () => {
    const cat = server.url("/pub/catalog.json");
    const r = await phasor(["data", "fetch", "cli-nm@1", "--catalog", cat, "--dir", dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cli-nm@1\/cli-nm-1\.h5: GET http:\/\/127\.0\.0\.1:\d+\/pub\/cli-nm-1\.h5\n/);
    expect(r.stderr).toMatch(/cli-nm@1\/cli-nm-1\.h5: verified\n/);
    expect(r.stdout).toMatch(/^cli-nm@1: Neuromorphic MNIST \(N-MNIST\); licence CC0-1\.0; 2 download request\(s\)\n {2}cli-nm-1\.h5: download, sha256 [0-9a-f]{64} \(checked: size, sha256\)/);
    const n = server.count();
    const again = await phasor(["data", "fetch", "cli-nm@1", "--catalog", cat, "--dir", dir, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ requests: 0, files: [{ status: "cache" }, { status: "cache" }] });
    expect(server.count()).toBe(n);
    const v = await phasor(["data", "verify", "cli-nm@1", "--dir", dir]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/cli-nm-1\.h5: ok/);
  });

  it("list and info show licences, sizes, checksums and the cache state", async () => {
    const l = await phasor(["data", "list", "--dir", dir, "--json"]);
    const rows = JSON.parse(l.stdout) as { ref: string; cached: string; license: string | null; verified: string }[];
    expect(rows.find((x) => x.ref === "cli-nm@1")).toMatchObject({ cached: "yes", license: "CC0-1.0", verified: "sha256" });
    expect(rows.find((x) => x.ref === "nmnist@1")).toMatchObject({ cached: "no", license: null });
    const i = await phasor(["data", "info", "shd"]);
    expect(i.stdout).toMatch(/licence: CC-BY-4\.0/);
    expect(i.stdout).toMatch(/shd_train\.h5\.zip {2}\? {2}sha256 not published {2}md5 f3252aeb598ac776c1b526422d90eecb {2}not cached/);
  });

  it("a corrupted download is an error naming the checksums, exit 1, nothing stored", async () => {
    const r = await phasor(["data", "fetch", "cli-bad@1", "--catalog", server.url("/pub/bad.json"), "--dir", join(work, "bad-cache"), "-q"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^phasor: error: cli-bad@1\/cli-nm-1\.h5: no mirror gave a verified copy; nothing was stored\.\n {2}http:.*sha256 [0-9a-f]{64}, expected 0{64}; the file is corrupted/);
    noStack(r.stderr);
    expect(existsSync(join(work, "bad-cache", "blobs"))).toBe(false);
  });

  it("refuses unknown datasets, bad references and bad catalogs in one line", async () => {
    const a = await phasor(["data", "fetch", "nosuch"]);
    expect(a.status).toBe(1);
    expect(a.stderr).toBe("phasor: error: nosuch: not in the catalog(s) (datasets: dvsgesture, nmnist, shd, ssc); add one with --catalog URL|PATH\n");
    const b = await phasor(["data", "info", "shd@1@2"]);
    expect(b.stderr).toMatch(/^phasor: error: shd@1@2: expected NAME or NAME@VERSION/);
    server.routes.set("/pub/invalid.json", { body: Buffer.from(JSON.stringify({ format: "phasor-catalog", formatVersion: 1, datasets: [{ name: "x" }] })) });
    const c = await phasor(["data", "list", "--catalog", server.url("/pub/invalid.json")]);
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/invalid\.json\.datasets\.0\.version: is required/);
    noStack(c.stderr);
  });
});
