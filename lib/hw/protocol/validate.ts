/** Checks a request as it arrives: size, header JSON, type, id, fields, frame count. Problems come back as issues, never thrown. */
import type { Issue } from "../../ir/errors.js";
import { ID_PATTERN, REQUEST_FIELDS, REQUEST_FRAMES, isRequestType, type FieldRule, type Request } from "./messages.js";

/** A validated request with its binary frames, or the issues and the id (when one could be read) to answer. */
export type Checked = { ok: true; request: Request; frames: Uint8Array[] } | { ok: false; id: string; issues: Issue[] };

const MAX_HEADER = 64 * 1024;

/** Validates raw frames (header first) against the message rules and the size limit. */
export function checkRequest(frames: Uint8Array[], maxMessageBytes: number): Checked {
  const total = frames.reduce((n, f) => n + f.byteLength, 0);
  const fail = (code: string, message: string, id = "", path: Array<string | number> = []): Checked => ({ ok: false, id, issues: [{ code, path, message }] });
  if (!frames.length) return fail("malformed", "empty message");
  if (frames[0].byteLength > MAX_HEADER) return fail("too-large", `header of ${frames[0].byteLength} bytes; the limit is ${MAX_HEADER}`);
  let head: unknown;
  try {
    head = JSON.parse(Buffer.from(frames[0]).toString("utf8"));
  } catch {
    return fail("malformed", "the first frame is not a JSON header");
  }
  if (typeof head !== "object" || head === null || Array.isArray(head)) return fail("malformed", "the header is not a JSON object");
  const h = head as Record<string, unknown>;
  const id = typeof h.id === "string" && h.id.length <= 64 && ID_PATTERN.test(h.id) ? h.id : "";
  if (!id) return fail("malformed", "id must be 1-64 characters of [A-Za-z0-9._:-]", "", ["id"]);
  if (total > maxMessageBytes) return fail("too-large", `message of ${total} bytes; this server accepts at most ${maxMessageBytes}`, id);
  if (typeof h.type !== "string" || !isRequestType(h.type)) return fail("unknown-type", `unknown message type ${JSON.stringify(h.type)}`, id, ["type"]);
  const rules: Record<string, FieldRule> = REQUEST_FIELDS[h.type];
  const issues: Issue[] = [];
  for (const k of Object.keys(h)) if (k !== "type" && k !== "id" && !(k in rules)) issues.push({ code: "unknown-field", path: [k], message: `${h.type} has no field "${k}"` });
  for (const [k, rule] of Object.entries(rules)) {
    const problem = checkField(h[k], rule);
    if (problem) issues.push({ code: "bad-field", path: [k], message: problem });
  }
  if (issues.length) return { ok: false, id, issues };
  const want = REQUEST_FRAMES[h.type];
  const n = want === "inputs" ? (Array.isArray(h.inputs) ? h.inputs.length : 0) : want;
  if (frames.length - 1 !== n) return fail("frames", `${h.type} carries ${n} binary frame(s) after the header; got ${frames.length - 1}`, id);
  return { ok: true, request: h as Request, frames: frames.slice(1) };
}

/** What is wrong with one field, or undefined. */
function checkField(v: unknown, r: FieldRule): string | undefined {
  if (v === undefined) return r.optional ? undefined : "required";
  switch (r.kind) {
    case "string":
      if (typeof v !== "string" || v.length > r.max) return `expected a string of at most ${r.max} characters`;
      return r.pattern && !r.pattern.test(v) ? `does not match ${r.pattern}` : undefined;
    case "int":
      return Number.isSafeInteger(v) && (v as number) >= r.min && (v as number) <= r.max ? undefined : `expected an integer in [${r.min}, ${r.max}]`;
    case "strings":
      return Array.isArray(v) && v.length <= r.maxItems && v.every((s) => typeof s === "string" && s.length <= r.max) ? undefined : `expected at most ${r.maxItems} strings`;
    case "inputs":
      if (!Array.isArray(v) || v.length > r.maxItems) return `expected at most ${r.maxItems} inputs`;
      for (const x of v) {
        const o = x as { name?: unknown; shape?: unknown };
        if (typeof x !== "object" || x === null || typeof o.name !== "string" || o.name.length > 256 || !Array.isArray(o.shape) || o.shape.length < 3 || o.shape.length > 10 || !o.shape.every((d) => Number.isSafeInteger(d) && d > 0)) return "each input is { name: string, shape: [T, B, ...] } with 3-10 positive integer dimensions";
      }
      return undefined;
  }
}
