/**
 * Checks a request as it arrives: size, header JSON, type, id, fields (the message's JSON
 * Schema, compiled by ajv, own properties only), frame count. Problems come back as issues,
 * never thrown. Replies are checked the same way by the client (checkReply).
 */
import type { ValidateFunction } from "ajv";
import { lazySchema, schemaIssues } from "../../ir/json-schema.js";
import { prepareProgramSchema } from "../../compiler/program-schema.js";
import type { Issue } from "../../ir/errors.js";
import { ID_PATTERN, REPLY_SCHEMAS, REQUEST_FRAMES, REQUEST_SCHEMAS, isReplyType, isRequestType, type Reply, type Request, type RequestType } from "./messages.js";

/** A validated request with its binary frames, or the issues and the id (when one could be read) to answer. */
export type Checked = { ok: true; request: Request; frames: Uint8Array[] } | { ok: false; id: string; issues: Issue[] };

/** Largest header frame, bytes. */
export const MAX_HEADER = 64 * 1024;

const requestCheck = compileAll(REQUEST_SCHEMAS);
const replyCheck = compileAll(REPLY_SCHEMAS);

function compileAll<T extends object>(schemas: T): Record<keyof T, () => ValidateFunction> {
  return Object.fromEntries(Object.entries(schemas).map(([k, s]) => [k, lazySchema(s as object)])) as Record<keyof T, () => ValidateFunction>;
}

/** Compiles every request schema and the Program schema now, so that no request pays for it while others wait. */
// Stryker disable next-line BlockStatement: compiling early only saves time; each check compiles its schema on first use
export function prepareChecks(): void {
  for (const compile of Object.values(requestCheck)) compile();
  prepareProgramSchema();
}

/** Validates raw frames (header first) against the message schemas and the size limit. */
export function checkRequest(frames: Uint8Array[], maxMessageBytes: number): Checked {
  const fail = (code: string, message: string, id = "", path: Array<string | number> = []): Checked => ({ ok: false, id, issues: [{ code, path, message }] });
  if (!frames.length) return fail("malformed", "empty message");
  if (frames[0].byteLength > MAX_HEADER) return fail("too-large", `header of ${frames[0].byteLength} bytes; the limit is ${MAX_HEADER}`);
  const h = parseHeader(frames[0]);
  if (!h) return fail("malformed", "the first frame is not a JSON object (the header)");
  const id = typeof h.id === "string" && ID_PATTERN.test(h.id) ? h.id : "";
  if (!id) return fail("malformed", "id must be 1-64 characters of [A-Za-z0-9._:-]", "", ["id"]);
  const total = frames.reduce((n, f) => n + f.byteLength, 0);
  if (total > maxMessageBytes) return fail("too-large", `message of ${total} bytes; this server accepts at most ${maxMessageBytes}`, id);
  if (typeof h.type !== "string" || !isRequestType(h.type)) return fail("unknown-type", `unknown message type ${JSON.stringify(h.type)}`, id, ["type"]);
  const type: RequestType = h.type;
  const issues = schemaIssues(requestCheck[type](), h, "bad-field", [], `${type} message`, "unknown-field");
  if (issues.length) return { ok: false, id, issues };
  const want = REQUEST_FRAMES[type];
  const n = want === "inputs" ? ((h as { inputs?: unknown[] }).inputs?.length ?? 0) : want;
  if (frames.length - 1 !== n) return fail("frames", `${type} carries ${n} binary frame(s) after the header; got ${frames.length - 1}`, id);
  return { ok: true, request: h as Request, frames: frames.slice(1) };
}

/** A server message's header when it is a valid reply or event; undefined otherwise. */
export function checkReply(head: Uint8Array): Reply | undefined {
  const h = parseHeader(head);
  if (!h || typeof h.type !== "string" || !isReplyType(h.type)) return undefined;
  return replyCheck[h.type]()(h) ? (h as Reply) : undefined;
}

function parseHeader(frame: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString("utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
