/**
 * The kernel driven as JupyterLab drives it (issue 3, "Real front ends"): a real Jupyter
 * server from Debian (jupyter-server when it is installed, else the classic notebook server)
 * on 127.0.0.1 with a token, and @jupyterlab/services over its REST API and kernel
 * websocket: start a session on the phasor kernel, execute cells, receive the Plotly bundle.
 * Node 20 has fetch but no global WebSocket; the `ws` package (a dependency of
 * @jupyterlab/services) stands in. Without Debian's Jupyter server this skips with the package
 * to install, unless PHASOR_REQUIRE_ALL=1, when it fails. Every wait is bounded.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelManager, ServerConnection, SessionManager, type KernelMessage, type Session } from "@jupyterlab/services";
import { freePort, need, phasorBin, systemPython } from "./support.js";

const PLOTLY = "application/vnd.plotly.v1+json";

/** `ws`, as @jupyterlab/services itself resolves it (hoisted or nested under it). */
function loadWs(): unknown {
  try {
    return createRequire(__filename)("ws");
  } catch {
    return createRequire(require.resolve("@jupyterlab/services/package.json"))("ws");
  }
}

interface ServerFlavour {
  name: string;
  module: string;
  args: (o: { port: number; token: string; root: string }) => string[];
}

/** jupyter-server (what JupyterLab 3+ runs on) first, else Notebook 6's own server. */
const FLAVOURS: ServerFlavour[] = [
  {
    name: "jupyter-server",
    module: "jupyter_server",
    args: ({ port, token, root }) => [
      "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", "--allow-root",
      `--ServerApp.token=${token}`, `--ServerApp.root_dir=${root}`,
    ],
  },
  {
    name: "notebook",
    module: "notebook.notebookapp",
    args: ({ port, token, root }) => [
      "-m", "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", "--allow-root",
      `--NotebookApp.token=${token}`, `--NotebookApp.notebook_dir=${root}`,
    ],
  },
];

function importable(module: string): boolean {
  return spawnSync(systemPython, ["-c", `import ${module}`], { stdio: "ignore", timeout: 60_000 }).status === 0;
}

const flavour = FLAVOURS.find((f) => importable(f.module));
const haveServer = need(
  `a Jupyter server for ${systemPython} (jupyter_server or notebook)`, flavour !== undefined,
  "apt-get install python3-jupyter-server (or python3-notebook / jupyter-notebook)",
);

/** Resolves with the promise, or rejects naming `what` after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let work = "";
let server: ChildProcess | undefined;
let serverLog = "";
let serverExited = false;
let baseUrl = "";
let token = "";
let settings: ServerConnection.ISettings;
let kernelManager: KernelManager | undefined;
let sessionManager: SessionManager | undefined;
let session: Session.ISessionConnection | undefined;

/** Polls the REST API until the server answers, it exits, or 120 s pass. */
async function waitForServer(): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (serverExited) throw new Error(`the Jupyter server exited during startup:\n${serverLog}`);
    try {
      const r = await fetch(`${baseUrl}api/status`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(5_000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the Jupyter server did not answer on ${baseUrl} within 120 s:\n${serverLog}`);
}

async function stopServer(): Promise<void> {
  if (!server || serverExited) return;
  const exited = new Promise<void>((r) => server!.once("exit", () => r()));
  const group = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-server!.pid!, signal);
    } catch {
      // already gone
    }
  };
  group("SIGTERM"); // the server shuts its remaining kernels down on the way out
  await within(exited, 20_000, "Jupyter server exit after SIGTERM").catch(async () => {
    group("SIGKILL");
    await within(exited, 5_000, "Jupyter server exit after SIGKILL").catch(() => undefined);
  });
}

beforeAll(async () => {
  if (!haveServer) return;
  work = mkdtempSync(join(tmpdir(), "phasor-jupyter-server-"));
  const prefix = join(work, "prefix");
  const root = join(work, "root");
  mkdirSync(root);
  const inst = spawnSync(process.execPath, [phasorBin, "install", "--prefix", prefix], { encoding: "utf8", timeout: 60_000 });
  if (inst.status !== 0) throw new Error(`phasor install --prefix failed: ${inst.stdout}${inst.stderr}`);
  // The port is picked free but bound later; if something takes it in between, the server (with
  // --port-retries=0) exits saying so, and it is started again on another port.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    serverExited = false;
    serverLog = "";
    token = randomUUID().replace(/-/g, "");
    baseUrl = `http://127.0.0.1:${port}/`;
    server = spawn(systemPython, flavour!.args({ port, token, root }), {
      cwd: root,
      detached: true, // its own process group, so afterAll can stop all of it
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        JUPYTER_PATH: join(prefix, "share", "jupyter"),
        JUPYTER_CONFIG_DIR: join(work, "config"), // no user configuration
        JUPYTER_DATA_DIR: join(work, "data"),
        JUPYTER_RUNTIME_DIR: join(work, "runtime"),
        PHASOR_HISTORY_FILE: join(work, "history.jsonl"),
      },
    });
    const log = (b: Buffer): void => {
      serverLog = (serverLog + b.toString()).slice(-20_000);
    };
    server.stdout!.on("data", log);
    server.stderr!.on("data", log);
    server.on("exit", () => (serverExited = true));
    try {
      await waitForServer();
      break;
    } catch (e) {
      if (attempt >= 3 || !/already in use/i.test(serverLog)) throw e;
    }
  }

  const WebSocket = loadWs() as typeof globalThis.WebSocket;
  settings = ServerConnection.makeSettings({ baseUrl, wsUrl: `ws://127.0.0.1:${port}/`, token, appendToken: true, WebSocket, fetch, Request, Headers });
  kernelManager = new KernelManager({ serverSettings: settings });
  sessionManager = new SessionManager({ kernelManager, serverSettings: settings });
  await within(sessionManager.ready, 30_000, "SessionManager ready");
}, 180_000);

afterAll(async () => {
  try {
    if (session) await within(session.shutdown(), 30_000, "session shutdown").catch((e) => console.warn(String(e)));
    session?.dispose();
    sessionManager?.dispose();
    kernelManager?.dispose();
  } finally {
    await stopServer();
    if (work) rmSync(work, { recursive: true, force: true });
  }
}, 90_000);

interface Executed {
  reply: KernelMessage.IExecuteReplyMsg;
  iopub: KernelMessage.IIOPubMessage[];
}

/** Executes a cell over the websocket; resolves with the reply and the cell's iopub messages. */
async function execute(code: string, ms: number): Promise<Executed> {
  const kernel = session!.kernel!;
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg) => void iopub.push(msg);
  try {
    const reply = (await within(future.done, ms, `execute_reply to ${JSON.stringify(code.slice(0, 60))}`)) as KernelMessage.IExecuteReplyMsg;
    return { reply, iopub };
  } catch (e) {
    const seen = iopub.map((m) => m.header.msg_type).join(", ");
    throw new Error(`${String(e)}; iopub so far: [${seen}]; server log tail:\n${serverLog.slice(-3_000)}`);
  }
}

function errorsOf(r: Executed): string {
  const c = r.reply.content as { status: string; ename?: string; evalue?: string; traceback?: string[] };
  return c.status === "ok" ? "" : `${c.ename}: ${c.evalue}\n${(c.traceback ?? []).join("\n")}`;
}

describe.skipIf(!haveServer)(`phasor kernel through a real Jupyter server (${flavour?.name ?? "none"}) and @jupyterlab/services`, () => {
  it("starts a session on the phasor kernel and gets kernel_info over the websocket", async () => {
    session = await within(
      sessionManager!.startNew({ path: "phasor-services.ipynb", type: "notebook", name: "phasor-services.ipynb", kernel: { name: "phasor" } }),
      120_000, "SessionManager.startNew with kernel phasor",
    );
    expect(session.kernel?.name).toBe("phasor");
    const info = await within(session.kernel!.info, 120_000, "kernel_info_reply over the websocket");
    expect(info.language_info.name).toBe("typescript");
    expect(info.protocol_version.split(".").map(Number)).toSatisfy((v: number[]) => v[0] > 5 || (v[0] === 5 && v[1] >= 3));
    // The server lists the session the way JupyterLab's running-sessions panel sees it.
    const models = await within(Promise.resolve().then(async () => {
      await sessionManager!.refreshRunning();
      return Array.from(sessionManager!.running());
    }), 30_000, "list running sessions");
    expect(models.some((m) => m.id === session!.id && m.kernel?.name === "phasor")).toBe(true);
  }, 300_000);

  it("executes a cell that builds a graph, with execute_input and a result", async () => {
    expect(session?.kernel, "the session of the first test").toBeDefined();
    const r = await execute(
      [
        "const rng = new phasor.Rng(3);",
        "const W = Array.from({ length: 8 }, () => Array.from({ length: 4 }, () => rng.random() * 6));",
        "const net = phasor.graph().input(\"in\", [4]).linear(\"fc\", W)",
        "  .lif(\"lif\", { tau: 20e-3, r: 1, v_leak: 0, v_threshold: 1 }).output(\"out\").build();",
        "phasor.describeGraph(net).totals",
      ].join("\n"),
      180_000,
    );
    expect(r.reply.content.status, errorsOf(r)).toBe("ok");
    const types = r.iopub.map((m) => m.header.msg_type);
    expect(types).toContain("execute_input");
    expect(types).toContain("execute_result");
    const states = r.iopub.filter((m) => m.header.msg_type === "status").map((m) => (m.content as { execution_state: string }).execution_state);
    expect(states[0]).toBe("busy");
    expect(states.at(-1)).toBe("idle");
  }, 240_000);

  it("runs %sim and receives the Plotly bundle as display_data, then execute_reply ok", async () => {
    expect(session?.kernel, "the session of the first test").toBeDefined();
    const r = await execute("%sim net --poisson 80 --steps 300 --dt 1e-3 --seed 1 --record lif --as run", 240_000);
    expect(r.reply.content.status, errorsOf(r)).toBe("ok");
    const figures = r.iopub.filter(
      (m) => (m.header.msg_type === "display_data" || m.header.msg_type === "update_display_data") &&
        (m.content as { data: Record<string, unknown> }).data[PLOTLY] !== undefined,
    );
    expect(figures.length, `iopub: ${r.iopub.map((m) => m.header.msg_type).join(", ")}`).toBeGreaterThan(0);
    const display = figures.find((m) => m.header.msg_type === "display_data")!;
    expect(display).toBeDefined();
    const bundle = (display.content as { data: Record<string, unknown> }).data;
    const figure = bundle[PLOTLY] as { data: unknown[]; layout?: unknown };
    expect(Array.isArray(figure.data) && figure.data.length).toBeGreaterThan(0);
    expect(typeof bundle["text/html"]).toBe("string");
    expect(typeof bundle["text/plain"]).toBe("string");
    // Every iopub message of the cell is a child of its execute_request.
    const parent = r.reply.parent_header as { msg_id: string };
    for (const m of r.iopub) expect((m.parent_header as { msg_id: string }).msg_id).toBe(parent.msg_id);
  }, 300_000);

  it("draws a raster with display.plotly from the bound result", async () => {
    expect(session?.kernel, "the session of the first test").toBeDefined();
    const r = await execute("display.plotly(phasor.plot.raster(run.spikes, { dt: run.dt, steps: run.steps }))", 120_000);
    expect(r.reply.content.status, errorsOf(r)).toBe("ok");
    const bundles = r.iopub
      .filter((m) => m.header.msg_type === "display_data")
      .map((m) => (m.content as { data: Record<string, unknown> }).data);
    expect(bundles.some((b) => ((b[PLOTLY] as { data?: unknown[] } | undefined)?.data?.length ?? 0) > 0)).toBe(true);
  }, 180_000);
});
