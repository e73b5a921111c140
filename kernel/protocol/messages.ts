/**
 * Jupyter messaging protocol 5.3 message types: one content interface per msg_type, keyed
 * by msg_type (a mapped type), plus runtime validators used where bytes become messages.
 */

/** The protocol version this kernel speaks. */
export const PROTOCOL_VERSION = "5.3";

/** Every message's header. */
export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** MIME type -> data. */
export type MimeBundle = Record<string, unknown>;

/** A history entry: [session, line, input] or [session, line, [input, output]]. */
export type HistoryEntry = [number, number, string] | [number, number, [string, string | null]];

/** An error reply or error iopub message's content. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** A payload entry of execute_reply (pager and friends). */
export interface Payload {
  source: string;
  [key: string]: unknown;
}

type Reply<T> = ({ status: "ok" } & T) | ({ status: "error" } & ErrorContent) | { status: "aborted" };

/** Content of each message, by msg_type. */
export interface ContentMap {
  execute_request: {
    code: string;
    silent: boolean;
    store_history: boolean;
    user_expressions: Record<string, string>;
    allow_stdin: boolean;
    stop_on_error: boolean;
  };
  execute_reply: Reply<{ execution_count: number; payload: Payload[]; user_expressions: Record<string, unknown> }> & {
    execution_count?: number;
  };
  inspect_request: { code: string; cursor_pos: number; detail_level: number };
  inspect_reply: Reply<{ found: boolean; data: MimeBundle; metadata: Record<string, unknown> }>;
  complete_request: { code: string; cursor_pos: number };
  complete_reply: Reply<{ matches: string[]; cursor_start: number; cursor_end: number; metadata: Record<string, unknown> }>;
  history_request: {
    output: boolean;
    raw: boolean;
    hist_access_type: "range" | "tail" | "search";
    session: number;
    start: number;
    stop: number;
    n: number;
    pattern: string;
    unique: boolean;
  };
  history_reply: Reply<{ history: HistoryEntry[] }>;
  is_complete_request: { code: string };
  is_complete_reply: { status: "complete" | "incomplete" | "invalid" | "unknown"; indent?: string };
  connect_request: Record<string, never>;
  connect_reply: Reply<{ shell_port: number; iopub_port: number; stdin_port: number; hb_port: number; control_port: number }>;
  comm_info_request: { target_name?: string };
  comm_info_reply: Reply<{ comms: Record<string, { target_name: string }> }>;
  comm_open: { comm_id: string; target_name: string; data: Record<string, unknown> };
  comm_msg: { comm_id: string; data: Record<string, unknown> };
  comm_close: { comm_id: string; data: Record<string, unknown> };
  kernel_info_request: Record<string, never>;
  kernel_info_reply: Reply<{
    protocol_version: string;
    implementation: string;
    implementation_version: string;
    language_info: Record<string, unknown>;
    banner: string;
    debugger: boolean;
    help_links: { text: string; url: string }[];
  }>;
  shutdown_request: { restart: boolean };
  shutdown_reply: Reply<{ restart: boolean }>;
  interrupt_request: Record<string, never>;
  interrupt_reply: Reply<object>;
  input_request: { prompt: string; password: boolean };
  input_reply: { value: string };
  status: { execution_state: "busy" | "idle" | "starting" };
  stream: { name: "stdout" | "stderr"; text: string };
  display_data: { data: MimeBundle; metadata: Record<string, unknown>; transient?: { display_id?: string } };
  update_display_data: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id: string } };
  execute_input: { code: string; execution_count: number };
  execute_result: { execution_count: number; data: MimeBundle; metadata: Record<string, unknown> };
  error: ErrorContent;
  clear_output: { wait: boolean };
}

/** Every msg_type this kernel knows. */
export type MsgType = keyof ContentMap;

/** A message of one type, as the handler sees it (identities are the router's envelope). */
export interface Message<T extends MsgType = MsgType> {
  /** Same as header.msg_type, at the top so that switch statements narrow on it. */
  msg_type: T;
  identities: Buffer[];
  header: Header & { msg_type: T };
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: ContentMap[T];
  buffers: Buffer[];
}

/** One of the messages, discriminated by header.msg_type. */
export type AnyMessage = { [K in MsgType]: Message<K> }[MsgType];

/** The sockets a message travels on. */
export type Channel = "shell" | "control" | "stdin" | "iopub";

type FieldKind = "string" | "number" | "boolean" | "object";
type Field = [kind: FieldKind, fallback?: unknown];

/** Request content schemas: field -> kind and default (absent default = required). */
const REQUESTS: Partial<Record<MsgType, Record<string, Field>>> = {
  execute_request: {
    code: ["string"],
    silent: ["boolean", false],
    store_history: ["boolean", true],
    user_expressions: ["object", {}],
    allow_stdin: ["boolean", true],
    stop_on_error: ["boolean", true],
  },
  inspect_request: { code: ["string"], cursor_pos: ["number"], detail_level: ["number", 0] },
  complete_request: { code: ["string"], cursor_pos: ["number"] },
  history_request: {
    output: ["boolean", false],
    raw: ["boolean", true],
    hist_access_type: ["string", "tail"],
    session: ["number", 0],
    start: ["number", 0],
    stop: ["number", 0],
    n: ["number", 10],
    pattern: ["string", "*"],
    unique: ["boolean", false],
  },
  is_complete_request: { code: ["string"] },
  connect_request: {},
  comm_info_request: {},
  comm_open: { comm_id: ["string"], target_name: ["string"], data: ["object", {}] },
  comm_msg: { comm_id: ["string"], data: ["object", {}] },
  comm_close: { comm_id: ["string"], data: ["object", {}] },
  kernel_info_request: {},
  shutdown_request: { restart: ["boolean", false] },
  interrupt_request: {},
  input_reply: { value: ["string", ""] },
};

/** The message types a client may send us. */
export function isRequestType(t: string): t is MsgType {
  return Object.prototype.hasOwnProperty.call(REQUESTS, t);
}

/** A decoded but unchecked message, straight off the wire. */
export interface RawMessage {
  identities: Buffer[];
  header: unknown;
  parent_header: unknown;
  metadata: unknown;
  content: unknown;
  buffers: Buffer[];
}

/** Thrown when a message does not match the protocol; the text says why. */
export class MalformedMessage extends Error {
  override readonly name = "MalformedMessage";
  /** The header, when it was readable, so the sender can still get an error reply. */
  constructor(message: string, readonly header?: Header) {
    super(message);
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Checks a header's required string fields. */
export function assertHeader(h: unknown): asserts h is Header {
  if (!isObject(h)) throw new MalformedMessage("header is not an object");
  for (const k of ["msg_id", "msg_type"] as const) {
    if (typeof h[k] !== "string" || h[k] === "") throw new MalformedMessage(`header.${k} must be a non-empty string`);
  }
  for (const k of ["session", "username", "date", "version"] as const) {
    if (h[k] === undefined) h[k] = k === "version" ? PROTOCOL_VERSION : "";
    else if (typeof h[k] !== "string") throw new MalformedMessage(`header.${k} must be a string`);
  }
}

/** Validates a raw request and fills the spec's defaults; throws MalformedMessage. */
export function parseRequest(raw: RawMessage): AnyMessage {
  assertHeader(raw.header);
  const header = raw.header;
  const type = header.msg_type;
  if (!isRequestType(type)) throw new MalformedMessage(`unknown msg_type "${type}"`, header);
  if (!isObject(raw.content)) throw new MalformedMessage(`${type}: content is not an object`, header);
  const content: Record<string, unknown> = { ...raw.content };
  for (const [name, [kind, fallback]] of Object.entries(REQUESTS[type] ?? {})) {
    const v = content[name];
    if (v === undefined || v === null) {
      if (fallback === undefined) throw new MalformedMessage(`${type}: content.${name} is required`, header);
      content[name] = fallback;
    } else if (kind === "object" ? !isObject(v) : typeof v !== kind) {
      throw new MalformedMessage(`${type}: content.${name} must be a ${kind}, got ${JSON.stringify(v)}`, header);
    }
  }
  const parent = isObject(raw.parent_header) ? raw.parent_header : {};
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  // The checks above establish the content type for this msg_type; TS cannot follow the loop.
  return { msg_type: type, identities: raw.identities, header, parent_header: parent, metadata, content, buffers: raw.buffers } as AnyMessage;
}

/** The reply type of a request type (execute_request -> execute_reply). */
export function replyType(t: string): string {
  return t.replace(/_request$/, "_reply");
}
