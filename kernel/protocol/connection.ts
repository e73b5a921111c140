/** Jupyter connection files: ports, transport, key and signature scheme. */
import { readFileSync } from "node:fs";
import { PhasorError } from "../../lib/ir/errors.js";

/** The contents of a connection file that the kernel uses. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

const PORTS = ["shell_port", "control_port", "stdin_port", "iopub_port", "hb_port"] as const;

/** Reads and checks a connection file; a bad file is a PhasorError naming the field. */
export function readConnectionFile(file: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new PhasorError(`cannot read connection file ${file}: ${(e as Error).message}`, "connection");
  }
  return parseConnectionInfo(raw, file);
}

/** Checks parsed connection JSON (exported for tests). */
export function parseConnectionInfo(raw: unknown, where = "connection"): ConnectionInfo {
  if (typeof raw !== "object" || raw === null) throw new PhasorError(`${where}: not a JSON object`, "connection");
  const o = raw as Record<string, unknown>;
  const transport = o.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new PhasorError(`${where}: transport must be tcp or ipc`, "connection");
  const info: ConnectionInfo = {
    transport,
    ip: typeof o.ip === "string" ? o.ip : "127.0.0.1",
    key: typeof o.key === "string" ? o.key : "",
    signature_scheme: typeof o.signature_scheme === "string" ? o.signature_scheme : "hmac-sha256",
    shell_port: 0,
    control_port: 0,
    stdin_port: 0,
    iopub_port: 0,
    hb_port: 0,
  };
  for (const p of PORTS) {
    const v = o[p];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new PhasorError(`${where}: ${p} must be a port number`, "connection");
    info[p] = v;
  }
  return info;
}

/** The ZeroMQ endpoint for one port. */
export function endpoint(info: ConnectionInfo, port: number): string {
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
