/**
 * The board protocol's messages (docs/board-protocol.md). A message is a ZeroMQ multipart
 * message whose first frame is a UTF-8 JSON header `{ "type": ..., "id": ..., ... }`; some
 * types carry binary frames after it. Requests go client -> server, replies and events
 * server -> client; every reply and event echoes the `id` of the request it belongs to.
 * Each message is one JSON Schema below (data); its TypeScript type is derived from it
 * (Infer), and validate.ts compiles the same objects with ajv.
 */
import type { Infer } from "./infer.js";

/** Protocol version in hello/welcome. */
export const PROTOCOL_VERSION = 1;

/** Request ids: 1-64 characters of [A-Za-z0-9._:-]. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

const id = { type: "string", pattern: "^[A-Za-z0-9._:-]{1,64}$" } as const;
const count = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const num = { type: "number" } as const;
const str = { type: "string" } as const;
const strings = { type: "array", items: str } as const;
/** A request header: `type`, `id` and the body's fields, nothing else. */
const request = <const T extends string, const P extends object, const R extends readonly string[]>(type: T, properties: P, required: R) =>
  ({ type: "object", additionalProperties: false, required: ["type", "id", ...required], properties: { type: { const: type }, id, ...properties } }) as const;
/** A reply or event header. */
const reply = <const T extends string, const P extends object, const R extends readonly string[]>(type: T, properties: P, required: R) =>
  ({ type: "object", required: ["type", "id", ...required], properties: { type: { const: type }, id: str, ...properties } }) as const;

/** One dense input: a name and its shape [T, B, ...the input layer's shape]. */
export const INPUT_SCHEMA = {
  type: "object", additionalProperties: false, required: ["name", "shape"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 256 },
    shape: { type: "array", minItems: 3, maxItems: 10, items: { type: "integer", minimum: 1, maximum: 2 ** 31 - 1 } },
  },
} as const;

/** Every request, by type. Binary frames after the header are in REQUEST_FRAMES. */
export const REQUEST_SCHEMAS = {
  hello: request("hello", { v: { type: "integer" }, client: { type: "string", maxLength: 128 } }, ["v"]),
  /** frames: [header, PROGRAM.json bytes, PROGRAM.bin bytes] */
  deploy: request("deploy", {}, []),
  /** frames: [header, one float64 little-endian frame per entry of `inputs`] */
  run: request("run", {
    program: { type: "string", pattern: "^[0-9a-f]{64}$" },
    steps: count,
    batch: count,
    record: { type: "array", maxItems: 64, items: { type: "string", minLength: 1, maxLength: 256 } },
    inputs: { type: "array", maxItems: 16, items: INPUT_SCHEMA },
  }, ["program"]),
  cancel: request("cancel", { job: id }, ["job"]),
  status: request("status", {}, []),
  ping: request("ping", {}, []),
  bye: request("bye", {}, []),
} as const;

/** Request type names. */
export type RequestType = keyof typeof REQUEST_SCHEMAS;
/** A request of a given type. */
export type RequestOf<K extends RequestType> = Infer<(typeof REQUEST_SCHEMAS)[K]>;
/** Any request. */
export type Request = { [K in RequestType]: RequestOf<K> }[RequestType];

/** Binary frames after the header each request type carries: exact count, or "inputs" (one per `inputs` entry). */
export const REQUEST_FRAMES: { [K in RequestType]: number | "inputs" } = { hello: 0, deploy: 2, run: "inputs", cancel: 0, status: 0, ping: 0, bye: 0 };

/** Whether `s` names a request type (own keys only: "toString" is not one). */
export function isRequestType(s: string): s is RequestType {
  return Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, s);
}

const bytes = (doc: string) => ({ type: "integer", minimum: 0, description: doc }) as const;
/** What a server holds back, per connection, per client or in total; sent in `welcome` and `status`. */
export const LIMITS_SCHEMA = {
  type: "object",
  required: [
    "maxMessageBytes", "maxProgramBytes", "maxSteps", "maxBatch", "maxWork", "maxWallSeconds", "maxJobsPerClient", "maxProgramsPerClient",
    "maxConnections", "maxProgramBytesTotal", "maxQueuedJobs", "maxQueuedBytes", "maxResultBytes", "maxUnreadBytes", "maxHeldReplyBytes",
    "undeliveredSeconds", "idleSeconds",
  ],
  properties: {
    maxMessageBytes: bytes("largest message (all frames); also ZeroMQ's MAXMSGSIZE, so one larger frame closes the connection"),
    maxProgramBytes: bytes("largest Program (JSON + blobs)"),
    maxSteps: count,
    maxBatch: count,
    maxWork: { type: "number", minimum: 1, description: "neuron-steps (steps x batch x neurons) one job may ask for" },
    maxWallSeconds: { type: "number", minimum: 0, description: "wall-clock seconds a job may run before it is stopped" },
    maxJobsPerClient: { ...count, description: "jobs one client key may have queued or running" },
    maxProgramsPerClient: { ...count, description: "programs one connection may keep deployed (oldest dropped first)" },
    maxConnections: { ...count, description: "connections the server keeps state for" },
    maxProgramBytesTotal: bytes("deployed programs of every connection together"),
    maxQueuedJobs: { ...count, description: "waiting jobs of every client together" },
    maxQueuedBytes: bytes("input bytes of every waiting job together"),
    maxResultBytes: bytes("largest result a job may send back"),
    maxUnreadBytes: bytes("replies one connection leaves unread before the server stops its jobs"),
    maxHeldReplyBytes: bytes("unread replies and results kept for departed clients, all together"),
    undeliveredSeconds: { type: "number", minimum: 0, description: "how long replies for a departed client are kept for its next connection" },
    idleSeconds: { type: "number", minimum: 0, description: "a connection with no request and no job for this long is forgotten" },
  },
} as const;

/** Limits a server enforces. */
export type Limits = Infer<typeof LIMITS_SCHEMA>;

/** Defaults of `phasor board serve`. */
export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: 64 << 20, maxProgramBytes: 32 << 20, maxSteps: 1_000_000, maxBatch: 1024, maxWork: 5e9,
  maxWallSeconds: 600, maxJobsPerClient: 32, maxProgramsPerClient: 8,
  maxConnections: 256, maxProgramBytesTotal: 512 << 20, maxQueuedJobs: 1024, maxQueuedBytes: 512 << 20,
  maxResultBytes: 64 << 20, maxUnreadBytes: 64 << 20, maxHeldReplyBytes: 256 << 20, undeliveredSeconds: 600, idleSeconds: 300,
};

/** What the server holds now (the `held` field of `status`); each has a limit above. */
export const HELD_SCHEMA = {
  type: "object",
  required: ["connections", "programs", "programBytes", "queuedJobs", "queuedBytes", "unreadBytes", "undeliveredBytes"],
  properties: {
    connections: num, programs: num, programBytes: num, queuedJobs: num, queuedBytes: num, unreadBytes: num, undeliveredBytes: num,
  },
} as const;
/** Current holdings. */
export type Held = Infer<typeof HELD_SCHEMA>;

const RUNNING_SCHEMA = {
  type: "object", required: ["job", "client", "step", "steps", "elapsed"],
  properties: { job: str, client: str, step: num, steps: num, elapsed: num },
} as const;
const STATUS_BODY = {
  server: str, runner: str, uptime: num, clients: num, connections: num, queued: num, running: { type: "array", items: RUNNING_SCHEMA },
  done: num, failed: num, cancelled: num, rejected: num, limits: LIMITS_SCHEMA, held: HELD_SCHEMA, state: { enum: ["serving", "draining"] },
} as const;
const STATUS_REQUIRED = [
  "server", "runner", "uptime", "clients", "connections", "queued", "running", "done", "failed", "cancelled", "rejected", "limits", "held", "state",
] as const;
const ISSUE_SCHEMA = {
  type: "object", required: ["code", "path", "message"],
  properties: { code: str, path: { type: "array", items: { type: ["string", "number"] } }, message: str },
} as const;

/** Every reply and event, by type. */
export const REPLY_SCHEMAS = {
  welcome: reply("welcome", { v: num, server: str, runner: str, limits: LIMITS_SCHEMA }, ["v", "server", "runner", "limits"]),
  deployed: reply("deployed", { program: str, target: str }, ["program", "target"]),
  queued: reply("queued", { job: str, position: num }, ["job", "position"]),
  started: reply("started", { job: str }, ["job"]),
  progress: reply("progress", { job: str, step: num, steps: num, elapsed: num, telemetry: { type: "object", additionalProperties: num } }, ["job", "step", "steps", "elapsed"]),
  /** frames: [header, result JSON bytes (see codec.ts)] */
  result: reply("result", { job: str, seconds: num }, ["job", "seconds"]),
  cancelled: reply("cancelled", { job: str, reason: str }, ["job", "reason"]),
  status: reply("status", STATUS_BODY, STATUS_REQUIRED),
  pong: reply("pong", { time: num }, ["time"]),
  /** `code`, `path` and `message` summarise; `issues` lists every problem found (zod-style). */
  error: reply("error", { code: str, message: str, path: ISSUE_SCHEMA.properties.path, issues: { type: "array", items: ISSUE_SCHEMA }, job: str }, ["code", "message"]),
  shutdown: reply("shutdown", { reason: str, finishing: strings, cancelled: strings }, ["reason", "finishing", "cancelled"]),
} as const;

/** Reply type names. */
export type ReplyType = keyof typeof REPLY_SCHEMAS;
/** A reply or event of a given type. */
export type ReplyOf<K extends ReplyType> = Infer<(typeof REPLY_SCHEMAS)[K]>;
/** Any reply or event. */
export type Reply = { [K in ReplyType]: ReplyOf<K> }[ReplyType];
/** Queue and server figures (the `status` reply body). */
export type ServerStatus = Omit<ReplyOf<"status">, "type" | "id">;

/** Whether `s` names a reply type. */
export function isReplyType(s: string): s is ReplyType {
  return Object.prototype.hasOwnProperty.call(REPLY_SCHEMAS, s);
}
