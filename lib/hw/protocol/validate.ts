/**
 * Checks a request as it arrives: size, header JSON, type, id, fields (the message's JSON
 * Schema, compiled by ajv, own properties only), frame count. Problems come back as issues,
 * never thrown. Replies are checked the same way by the client (checkReply).
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { lazySchema } from "../../ir/json-schema.js";
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
  const validate = requestCheck[type]();
  // Stryker disable next-line ArrayDeclaration: ajv always sets errors when a validation fails
  if (!validate(h)) return { ok: false, id, issues: (validate.errors ?? []).map((e) => issueOf(type, e)) };
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

/** One ajv error as an issue: an extra field is `unknown-field`, anything else `bad-field`, with the field's path. */
function issueOf(type: string, e: ErrorObject): Issue {
  const path: Array<string | number> = e.instancePath.split("/").filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~")));
  if (e.keyword === "additionalProperties") {
    const field = String((e.params as { additionalProperty: string }).additionalProperty);
    return { code: "unknown-field", path: [...path, field], message: path.length ? `${path.join(".")} has no field "${field}"` : `${type} has no field "${field}"` };
  }
  if (e.keyword === "required") return { code: "bad-field", path: [...path, String((e.params as { missingProperty: string }).missingProperty)], message: "required" };
  return { code: "bad-field", path, message: describe(e) };
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type": return `expected ${String(p.type)}`;
    case "pattern": return `does not match ${String(p.pattern)}`;
    case "minimum": case "maximum": return `expected a value ${e.keyword === "minimum" ? ">=" : "<="} ${String(p.limit)}`;
    case "minItems": case "maxItems": return `expected ${e.keyword === "minItems" ? "at least" : "at most"} ${String(p.limit)} items`;
    case "minLength": case "maxLength": return `expected ${e.keyword === "minLength" ? "at least" : "at most"} ${String(p.limit)} characters`;
    // Stryker disable next-line ConditionalExpression,StringLiteral: `type` is the only const and picks the schema, so it never fails
    case "const": return `expected ${JSON.stringify(p.allowedValue)}`;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: request schemas use only the keywords above
    default: return e.message ?? "is invalid";
  }
}
