/**
 * CURVE key files. A key file holds one Z85 key (40 characters) on a line, or a CZMQ
 * certificate (`public-key = "..."` / `secret-key = "..."`). Layout of a --keys directory:
 *   server side: server.key (secret), server.pub, authorized/*.pub (client public keys allowed in)
 *   client side: client.key (secret), client.pub, server.pub (the board's public key)
 * `generateKeys` writes both sides into one directory, which then serves a loopback board
 * and its client alike.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { curveKeyPair } from "zeromq";
import { PhasorError } from "../ir/errors.js";

const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** Decodes Z85 (ZeroMQ RFC 32) text; undefined when it is not valid Z85. */
export function z85Decode(s: string): Uint8Array | undefined {
  if (s.length % 5 !== 0) return undefined;
  const out = new Uint8Array((s.length / 5) * 4);
  for (let i = 0, o = 0; i < s.length; i += 5, o += 4) {
    let v = 0;
    for (let j = 0; j < 5; j++) {
      const d = Z85.indexOf(s[i + j]);
      if (d < 0) return undefined;
      v = v * 85 + d;
    }
    if (v > 0xffffffff) return undefined;
    out[o] = v >>> 24; out[o + 1] = (v >>> 16) & 255; out[o + 2] = (v >>> 8) & 255; out[o + 3] = v & 255;
  }
  return out;
}

/** Reads one key (Z85 text or a CZMQ certificate's public-key/secret-key line). */
export function readKey(path: string, kind: "public" | "secret"): string {
  if (!existsSync(path)) throw new PhasorError([{ code: "missing-key", path: [path], message: `no ${kind} key file; make keys with \`phasor board keys DIR\`` }]);
  const text = readFileSync(path, "utf8");
  const cert = new RegExp(`${kind}-key\\s*=\\s*"([^"]{40})"`).exec(text);
  const key = cert ? cert[1] : text.trim();
  if (key.length !== 40 || !z85Decode(key)) throw new PhasorError([{ code: "bad-key", path: [path], message: `not a CURVE ${kind} key (expected 40 Z85 characters or a CZMQ certificate)` }]);
  return key;
}

/** The server's side of a keys directory. */
export interface ServerKeys { secretKey: string; publicKey: string; authorized: Map<string, string> }

/** The client's side of a keys directory. */
export interface ClientKeys { secretKey: string; publicKey: string; serverKey: string }

/** Reads server.key, server.pub and authorized/*.pub (name -> Z85 public key); refuses an empty allow-list. */
export function readServerKeys(dir: string): ServerKeys {
  const authDir = join(dir, "authorized");
  const authorized = new Map<string, string>();
  if (existsSync(authDir)) for (const f of readdirSync(authDir).filter((f) => f.endsWith(".pub")).sort()) authorized.set(readKey(join(authDir, f), "public"), f.replace(/\.pub$/, ""));
  if (!authorized.size) throw new PhasorError([{ code: "no-clients", path: [authDir], message: "no client public keys are authorised (copy each client's client.pub to authorized/NAME.pub); nobody could connect" }]);
  return { secretKey: readKey(join(dir, "server.key"), "secret"), publicKey: readKey(join(dir, "server.pub"), "public"), authorized };
}

/** Reads client.key, client.pub and server.pub. */
export function readClientKeys(dir: string): ClientKeys {
  return { secretKey: readKey(join(dir, "client.key"), "secret"), publicKey: readKey(join(dir, "client.pub"), "public"), serverKey: readKey(join(dir, "server.pub"), "public") };
}

/** Which key pairs `generateKeys` makes. */
export type KeyRole = "server" | "client" | "both";

/** Writes new key pairs into DIR (secret files mode 0600); never overwrites. Returns the files written. */
export function generateKeys(dir: string, role: KeyRole = "both", name = "client"): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const pair = (base: string): string => {
    const secret = join(dir, `${base}.key`), pub = join(dir, `${base}.pub`);
    if (existsSync(secret) || existsSync(pub)) throw new PhasorError([{ code: "exists", path: [secret], message: "key files exist already; remove them or choose another directory" }]);
    const k = curveKeyPair();
    writeFileSync(secret, k.secretKey + "\n", { mode: 0o600 });
    chmodSync(secret, 0o600);
    writeFileSync(pub, k.publicKey + "\n");
    written.push(secret, pub);
    return k.publicKey;
  };
  if (role !== "client") pair("server");
  if (role !== "server") {
    const pub = pair("client");
    if (role === "both") {
      mkdirSync(join(dir, "authorized"), { recursive: true });
      const auth = join(dir, "authorized", `${name}.pub`);
      writeFileSync(auth, pub + "\n");
      written.push(auth);
    }
  }
  return written;
}
