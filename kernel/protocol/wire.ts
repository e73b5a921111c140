/**
 * The Jupyter wire format: [identities..., "<IDS|MSG>", signature, header, parent_header,
 * metadata, content, buffers...], signed with HMAC over the four JSON frames. An empty key
 * means no signing (signature ""), as the spec allows.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { type Header, PROTOCOL_VERSION, type RawMessage } from "./messages.js";

const DELIMITER = "<IDS|MSG>";

/** Signs and checks messages with one connection's key and scheme. */
export class Signer {
  private readonly algorithm: string;
  constructor(private readonly key: string, scheme = "hmac-sha256") {
    if (!scheme.startsWith("hmac-")) throw new Error(`unsupported signature_scheme "${scheme}"`);
    this.algorithm = scheme.slice(5);
    createHmac(this.algorithm, "x"); // fail now, not per message, on an unknown digest
  }

  /** Hex HMAC of the frames, or "" when the key is empty. */
  sign(frames: (Buffer | string)[]): string {
    if (this.key === "") return "";
    const h = createHmac(this.algorithm, this.key);
    for (const f of frames) h.update(f);
    return h.digest("hex");
  }

  /** Whether `signature` is right for the frames (always true with an empty key). */
  verify(signature: string, frames: Buffer[]): boolean {
    if (this.key === "") return true;
    const want = Buffer.from(this.sign(frames), "utf8");
    const got = Buffer.from(signature, "utf8");
    return want.length === got.length && timingSafeEqual(want, got);
  }
}

/** Why a frame list could not be decoded. */
export class WireError extends Error {
  override readonly name = "WireError";
}

/** Splits and verifies a multipart message; throws WireError on bad framing, signature or JSON. */
export function decode(frames: Buffer[], signer: Signer): RawMessage {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("utf8") === DELIMITER);
  if (at < 0) throw new WireError("no <IDS|MSG> delimiter");
  if (frames.length < at + 6) throw new WireError(`expected at least 5 frames after the delimiter, got ${frames.length - at - 1}`);
  const identities = frames.slice(0, at);
  const signature = frames[at + 1].toString("utf8");
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, parts)) throw new WireError("invalid HMAC signature");
  const [header, parent_header, metadata, content] = parts.map((p, i) => parseJson(p, i));
  return { identities, header, parent_header, metadata, content, buffers: frames.slice(at + 6) };
}

function parseJson(b: Buffer, i: number): unknown {
  try {
    return JSON.parse(b.toString("utf8"));
  } catch (e) {
    const what = ["header", "parent_header", "metadata", "content"][i];
    throw new WireError(`${what} is not JSON: ${(e as Error).message}`);
  }
}

/** What the kernel sends: a type, content, and the request it answers. */
export interface Outgoing {
  msg_type: string;
  content: object;
  parent?: Header | Record<string, never>;
  identities?: Buffer[];
  metadata?: Record<string, unknown>;
  buffers?: Buffer[];
}

/** Makes a header for a new message from this kernel session. */
export function makeHeader(msg_type: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: "phasor", date: new Date().toISOString(), msg_type, version: PROTOCOL_VERSION };
}

/** Serialises and signs a message into frames. */
export function encode(msg: Outgoing, session: string, signer: Signer): Buffer[] {
  const parts = [
    JSON.stringify(makeHeader(msg.msg_type, session)),
    JSON.stringify(msg.parent ?? {}),
    JSON.stringify(msg.metadata ?? {}),
    JSON.stringify(msg.content, jsonSafe),
  ].map((s) => Buffer.from(s, "utf8"));
  return [...(msg.identities ?? []), Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...(msg.buffers ?? [])];
}

/** JSON replacer: bigint as a number-ish string, so one odd value never breaks a reply. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** A fresh session id for this kernel process. */
export function newSession(): string {
  return randomUUID();
}
