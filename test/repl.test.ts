/**
 * `phasor repl` in a real terminal (issue 3, "What to build" 5): Debian's tmux gives it a pty,
 * and keys go in with send-keys, as a person types them. One REPL runs through the file's
 * tests in order: a variable, a multi-line cell, a magic, a `while (true) {}` cell stopped
 * with Ctrl-C (the REPL survives and keeps its variables), a %sim cell whose figure is written
 * as an HTML file whose path is printed, a long %sim whose progress bar stays one line, Tab
 * completion of magic flags, targets, node names and `phasor.` members, and Ctrl-D, which saves
 * the history. The tmux server has its own socket (-L) and is killed afterwards. Without tmux
 * this skips with the package to install, unless PHASOR_REQUIRE_ALL=1, when it fails. Every
 * wait is bounded.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { need, phasorBin } from "./support.js";

const TMUX = "/usr/bin/tmux";
const haveTmux = need(
  "tmux", existsSync(TMUX) && spawnSync(TMUX, ["-V"], { stdio: "ignore", timeout: 30_000 }).status === 0,
  "apt-get install tmux (Debian's tmux)",
);

const socket = `phasor-repl-test-${process.pid}-${randomUUID().slice(0, 8)}`;
const target = "repl:0.0";
let work = "";
let cwd = "";
let xdg = "";
let env: NodeJS.ProcessEnv = {};

function tmux(...args: string[]): string {
  const r = spawnSync(TMUX, ["-L", socket, ...args], { encoding: "utf8", env, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Everything the pane has shown, wrapped lines joined, without the empty rows below the cursor. */
function screen(): string {
  return tmux("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", target).replace(/\s+$/, "");
}

/** True once the REPL has exited (the shell around it reports the status, then the pane dies). */
function replExited(): boolean {
  return /\[phasor repl exited: \d+\]/.test(screen()) || tmux("display-message", "-p", "-t", target, "#{pane_dead}").trim() === "1";
}

/** Types a line as a person would, then Enter. */
function type(line: string): void {
  // tmux takes an argument's trailing ";" as a command separator; "\\;" is a literal one.
  tmux("send-keys", "-t", target, "-l", "--", line.endsWith(";") ? `${line.slice(0, -1)}\\;` : line);
  tmux("send-keys", "-t", target, "Enter");
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the pane shows `what` (after `from` characters of the screen), or fails with the screen. */
async function waitFor(what: string | RegExp, ms: number, from = 0): Promise<string> {
  const until = Date.now() + ms;
  let text = "";
  const seen = (tail: string) => (typeof what === "string" ? tail.includes(what) : what.test(tail));
  while (Date.now() < until) {
    text = screen();
    if (seen(text.slice(from))) return text.slice(from);
    if (replExited()) {
      // The REPL may have printed `what` (and exited) between the capture above and this check: look once more.
      text = screen();
      if (seen(text.slice(from))) return text.slice(from);
      break;
    }
    await sleep(200);
  }
  const exited = replExited();
  throw new Error(`the REPL pane never showed ${String(what)} within ${ms} ms${exited ? " (the REPL exited)" : ""}; screen:\n${text.slice(-4_000)}`);
}

/** The prompt of cell n. */
const prompt = (n: number): string => `In [${n}]:`;

beforeAll(async () => {
  if (!haveTmux) return;
  work = mkdtempSync(join(tmpdir(), "phasor-repl-"));
  cwd = join(work, "cwd");
  xdg = join(work, "xdg");
  mkdirSync(cwd);
  env = { ...process.env, PHASOR_HISTORY_FILE: join(work, "history.jsonl"), XDG_DATA_HOME: xdg, TERM: "xterm-256color" };
  delete env.TMUX; // the test may itself run inside tmux
  const conf = join(work, "tmux.conf");
  // Keep the pane after the REPL exits (so a crash can be read), and a long scrollback.
  writeFileSync(conf, "set -g remain-on-exit on\nset -g history-limit 200000\nset -g default-terminal xterm-256color\n");
  // The shell reports the REPL's exit status (tmux 3.3's #{pane_dead_status} can come back empty).
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(phasorBin)} repl; echo "[phasor repl exited: $?]"`;
  tmux("-f", conf, "new-session", "-d", "-s", "repl", "-x", "250", "-y", "50", "-c", cwd, cmd);
  await waitFor(prompt(1), 180_000);
}, 200_000);

afterAll(() => {
  if (!haveTmux) return;
  spawnSync(TMUX, ["-L", socket, "kill-server"], { stdio: "ignore", env, timeout: 30_000 });
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!haveTmux)("phasor repl under tmux", () => {
  it("starts with a banner and runs a cell that binds a variable", async () => {
    expect(screen()).toContain("Phasor REPL");
    type("const answer = 6 * 7");
    await waitFor(prompt(2), 120_000);
    type("answer * 100");
    await waitFor(/Out\[2\]: 4200\b/, 60_000);
    await waitFor(prompt(3), 60_000);
  }, 240_000);

  it("takes a multi-line cell with a continuation prompt", async () => {
    const at = screen().length;
    type("function twice(x: number): number {");
    await waitFor("...", 30_000, at);
    type("  return 2 * x;");
    type("}");
    await waitFor(prompt(4), 60_000, at);
    type("twice(answer)");
    await waitFor(/Out\[4\]: 84\b/, 60_000, at);
    await waitFor(prompt(5), 60_000, at);
  }, 180_000);

  it("runs a magic (%lsmagic)", async () => {
    const at = screen().length;
    type("%lsmagic");
    const out = await waitFor(prompt(6), 60_000, at);
    expect(out).toContain("%sim");
    expect(out).toContain("%nir");
    expect(out).toContain("%timeit");
  }, 120_000);

  it("Ctrl-C stops a `while (true) {}` cell, not the REPL, and the variables survive", async () => {
    const at = screen().length;
    // The cell says when it runs by writing a file (its stdout could not leave a busy child).
    const flag = join(work, "spinning");
    type(`import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(flag)}, "1"); while (true) {}`);
    const until = Date.now() + 120_000;
    while (!existsSync(flag) && Date.now() < until) await sleep(200);
    expect(existsSync(flag), `the cell never started; screen:\n${screen().slice(-2_000)}`).toBe(true);
    await sleep(300);
    tmux("send-keys", "-t", target, "C-c");
    await waitFor("interrupting the cell", 30_000, at);
    await waitFor(prompt(7), 60_000, at);
    expect(replExited()).toBe(false);
    const after = screen().length;
    type("answer + 1000");
    await waitFor(/Out\[7\]: 1042\b/, 60_000, after);
    const rest = await waitFor(prompt(8), 60_000, after);
    // The same process still runs cells: no restart message was printed.
    expect(screen().slice(at)).not.toContain("restarting the process that runs cells");
    expect(rest).not.toMatch(/not defined/);
  }, 240_000);

  it("%sim writes the raster as a standalone HTML file and prints its path", async () => {
    const at = screen().length;
    type('const net = phasor.graph().input("in", [4]).linear("fc", [[1, 1, 1, 1], [2, 2, 2, 2]]).lif("lif", { tau: 20e-3, r: 1, v_leak: 0, v_threshold: 1 }).output("out").build()');
    await waitFor(prompt(9), 120_000, at);
    const simAt = screen().length;
    type("%sim net --poisson 400 --steps 100 --dt 1e-3 --seed 1 --as run");
    const out = await waitFor(prompt(10), 180_000, simAt);
    expect(out).toMatch(/simulated 100 steps/);
    const paths = Array.from(out.matchAll(/\[figure written to (.+?\.html)\]/g), (m) => m[1]);
    expect(paths.length, out.slice(-2_000)).toBeGreaterThan(0);
    const raster = paths.at(-1)!; // the raster comes after the progress display
    expect(resolve(raster).startsWith(resolve(cwd, "phasor-figures")), raster).toBe(true);
    expect(existsSync(raster), raster).toBe(true);
    expect(statSync(raster).size).toBeGreaterThan(100_000); // plotly.js inlined: opens offline
    const html = readFileSync(raster, "utf8");
    expect(html).toMatch(/<html/i);
    expect(html).toContain("Plotly");
    // The result is bound: the REPL still holds it.
    const boundAt = screen().length;
    type("run.steps");
    await waitFor(/Out\[10\]: 100\b/, 60_000, boundAt);
  }, 300_000);

  it("one %sim --steps 3000 leaves one progress line, rewritten in place, and no Out for the magic's result", async () => {
    await waitFor(prompt(11), 60_000);
    const at = screen().length;
    type("%sim net --poisson 400 --steps 3000 --dt 1e-3 --seed 1 --no-raster");
    const out = await waitFor(prompt(12), 180_000, at);
    expect(out).toMatch(/simulated 3000 steps/);
    const bars = out.split("\n").filter((l) => /\[[#.]{30}\]/.test(l));
    expect(bars, out.slice(-3_000)).toHaveLength(1);
    expect(bars[0]).toMatch(/\[#{30}\]/); // its last state: finished
    expect(out).not.toMatch(/Out\[11\]/);
  }, 240_000);

  /** Types `text` without Enter, presses Tab (twice: the second lists the candidates), returns the screen after. */
  async function tab(text: string, shows: RegExp): Promise<string> {
    const at = screen().length;
    tmux("send-keys", "-t", target, "-l", "--", text);
    tmux("send-keys", "-t", target, "Tab");
    await sleep(500);
    tmux("send-keys", "-t", target, "Tab");
    try {
      return await waitFor(shows, 30_000, at);
    } finally {
      tmux("send-keys", "-t", target, "C-u"); // leave the line empty for the next test
    }
  }

  it("Tab completes a magic's flag from its spec: `%sim net --rec` becomes --record", async () => {
    const out = await tab("%sim net --rec", /In \[12\]: %sim net --record\s*$/m);
    expect(out).not.toMatch(/--recurrent|Record</);
  }, 60_000);

  it("Tab completes --target values from the target registry, not JS globals", async () => {
    const out = await tab("%compile net --target l", /loihi-sanafe/);
    const listed = out.split("\n").find((l) => /loihi-sanafe/.test(l))!.trim().split(/\s+/);
    expect(listed.sort()).toEqual(["loihi", "loihi-sanafe", "loihi2"]);
    expect(out).toMatch(/In \[12\]: %compile net --target loihi/); // the common prefix went in
  }, 60_000);

  it("Tab completes node names of the bound graph, and phasor. members by prefix", async () => {
    const nodes = await tab("%sim net --record l", /In \[12\]: %sim net --record lif\s*$/m);
    expect(nodes).not.toMatch(/\bfc\b/);
    await tab("phasor.gr", /In \[12\]: phasor\.graph\s*$/m);
  }, 60_000);

  it("Ctrl-D leaves cleanly and saves the history", async () => {
    await waitFor(prompt(12), 60_000);
    tmux("send-keys", "-t", target, "C-d");
    const out = await waitFor(/\[phasor repl exited: \d+\]/, 60_000);
    expect(out.match(/\[phasor repl exited: (\d+)\]/)![1], out.slice(-2_000)).toBe("0");
    const history = join(xdg, "phasor", "repl_history");
    expect(existsSync(history), history).toBe(true);
    expect(readFileSync(history, "utf8")).toContain("const answer = 6 * 7");
  }, 120_000);
});
