// Helpers for the board tests: a keys directory with several authorised clients, and a raw
// authorised ZeroMQ client speaking the wire protocol directly.
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Dealer } from "zeromq";
import { generateKeys, readClientKeys } from "../lib/hw/index.js";

/** A server keys directory authorising `n` clients, and one client keys directory per client (client.key/.pub, server.pub). */
export function manyClientKeys(n: number): { server: string; clients: string[] } {
  const server = mkdtempSync(join(tmpdir(), "phasor-board-many-"));
  generateKeys(server, "server");
  mkdirSync(join(server, "authorized"));
  const clients = Array.from({ length: n }, (_, k) => {
    const dir = join(server, `client${k}`);
    generateKeys(dir, "client");
    copyFileSync(join(server, "server.pub"), join(dir, "server.pub"));
    copyFileSync(join(dir, "client.pub"), join(server, "authorized", `user${k}.pub`));
    return dir;
  });
  return { server, clients };
}

/** A DEALER with the client keys of `keys`, connected to `address` (remote:// or tcp://). */
export function rawClient(keys: string, address: string, o: { receiveTimeout?: number; receiveHighWaterMark?: number } = {}): Dealer {
  const k = readClientKeys(keys);
  const d = new Dealer({ curveServerKey: k.serverKey, curvePublicKey: k.publicKey, curveSecretKey: k.secretKey, linger: 0, receiveTimeout: o.receiveTimeout ?? 5000, ...(o.receiveHighWaterMark ? { receiveHighWaterMark: o.receiveHighWaterMark } : {}) });
  d.connect(address.replace("remote:", "tcp:"));
  return d;
}

/** Receives until a message whose header matches `pred` (bounded by the socket's receiveTimeout per message and `max` messages). */
export async function until(d: Dealer, pred: (h: Record<string, unknown>) => boolean, max = 1000): Promise<Record<string, unknown>> {
  for (let k = 0; k < max; k++) {
    const h = JSON.parse((await d.receive())[0].toString()) as Record<string, unknown>;
    if (pred(h)) return h;
  }
  throw new Error(`no matching message in ${max}`);
}
