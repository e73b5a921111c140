/**
 * The board protocol's messages (docs/board-protocol.md). A message is a ZeroMQ multipart
 * message whose first frame is a UTF-8 JSON header `{ "type": ..., "id": ..., ... }`; some
 * types carry binary frames after it. Requests go client -> server, replies and events
 * server -> client; every reply and event echoes the `id` of the request it belongs to.
 * Field rules are data (REQUEST_FIELDS) so the validator and the documentation agree.
 */

/** Protocol version in hello/welcome. */
export const PROTOCOL_VERSION = 1;

/** Request bodies by type (besides `type` and `id`). */
export interface RequestBodies {
  hello: { v: number; client?: string };
  /** frames: [header, PROGRAM.json bytes, PROGRAM.bin bytes] */
  deploy: Record<string, never>;
  /** frames: [header, one float64 little-endian frame per entry of `inputs`] */
  run: { program: string; steps?: number; batch?: number; record?: string[]; inputs?: Array<{ name: string; shape: number[] }> };
  cancel: { job: string };
  status: Record<string, never>;
  ping: Record<string, never>;
  bye: Record<string, never>;
}

/** A request of a given type. */
export type RequestOf<K extends keyof RequestBodies> = { type: K; id: string } & RequestBodies[K];
/** Any request. */
export type Request = { [K in keyof RequestBodies]: RequestOf<K> }[keyof RequestBodies];

/** Limits a server enforces per job and per message; sent in `welcome` and `status`. */
export interface Limits {
  /** Largest message accepted (all frames), bytes; bigger ones get an error reply. */
  maxMessageBytes: number;
  /** Largest Program (JSON + blobs), bytes. */
  maxProgramBytes: number;
  maxSteps: number;
  maxBatch: number;
  /** Neuron-steps (steps x batch x neurons) a job may ask for. */
  maxWork: number;
  /** Wall-clock seconds a job may run before it is stopped. */
  maxWallSeconds: number;
  /** Jobs one client may have queued or running. */
  maxJobsPerClient: number;
  /** Programs one client may keep deployed (oldest dropped first). */
  maxProgramsPerClient: number;
}

/** Defaults of `phasor board serve`. */
export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: 64 << 20, maxProgramBytes: 32 << 20, maxSteps: 1_000_000, maxBatch: 1024, maxWork: 5e9,
  maxWallSeconds: 600, maxJobsPerClient: 32, maxProgramsPerClient: 8,
};

/** Queue and server figures (the `status` reply body). */
export interface ServerStatus {
  server: string;
  runner: string;
  uptime: number;
  clients: number;
  queued: number;
  running: Array<{ job: string; client: string; step: number; steps: number; elapsed: number }>;
  done: number;
  failed: number;
  cancelled: number;
  rejected: number;
  limits: Limits;
  state: "serving" | "draining";
}

/** Reply and event bodies by type (besides `type` and `id`). */
export interface ReplyBodies {
  welcome: { v: number; server: string; runner: string; limits: Limits };
  deployed: { program: string; target: string };
  queued: { job: string; position: number };
  started: { job: string };
  progress: { job: string; step: number; steps: number; elapsed: number; telemetry?: Record<string, number> };
  /** frames: [header, result JSON bytes (see codec.ts)] */
  result: { job: string; seconds: number };
  cancelled: { job: string; reason: string };
  status: ServerStatus;
  pong: { time: number };
  /** `code`, `path` and `message` summarise; `issues` lists every problem found (zod-style). */
  error: { code: string; message: string; path?: Array<string | number>; issues?: Array<{ code: string; path: Array<string | number>; message: string }>; job?: string };
  shutdown: { reason: string; finishing: string[]; cancelled: string[] };
}

/** A reply or event of a given type. */
export type ReplyOf<K extends keyof ReplyBodies> = { type: K; id: string } & ReplyBodies[K];
/** Any reply or event. */
export type Reply = { [K in keyof ReplyBodies]: ReplyOf<K> }[keyof ReplyBodies];

/** How a header field is checked. */
export type FieldRule =
  | { kind: "string"; optional?: boolean; max: number; pattern?: RegExp }
  | { kind: "int"; optional?: boolean; min: number; max: number }
  | { kind: "strings"; optional?: boolean; maxItems: number; max: number }
  | { kind: "inputs"; optional?: boolean; maxItems: number };

const ID = /^[A-Za-z0-9._:-]+$/;
/** The fields each request type may carry; anything else is refused. */
export const REQUEST_FIELDS: { [K in keyof RequestBodies]: Record<string, FieldRule> } = {
  hello: { v: { kind: "int", min: 1, max: 1000 }, client: { kind: "string", optional: true, max: 128 } },
  deploy: {},
  run: {
    program: { kind: "string", max: 64, pattern: /^[0-9a-f]{64}$/ },
    steps: { kind: "int", optional: true, min: 1, max: Number.MAX_SAFE_INTEGER },
    batch: { kind: "int", optional: true, min: 1, max: Number.MAX_SAFE_INTEGER },
    record: { kind: "strings", optional: true, maxItems: 64, max: 256 },
    inputs: { kind: "inputs", optional: true, maxItems: 16 },
  },
  cancel: { job: { kind: "string", max: 64, pattern: ID } },
  status: {},
  ping: {},
  bye: {},
};

/** Binary frames after the header each request type carries: exact count, or "inputs" (one per `inputs` entry). */
export const REQUEST_FRAMES: { [K in keyof RequestBodies]: number | "inputs" } = { hello: 0, deploy: 2, run: "inputs", cancel: 0, status: 0, ping: 0, bye: 0 };

/** Whether `s` names a request type. */
export function isRequestType(s: string): s is keyof RequestBodies {
  return Object.prototype.hasOwnProperty.call(REQUEST_FIELDS, s);
}

/** Request ids: 1-64 characters of [A-Za-z0-9._:-]. */
export const ID_PATTERN = ID;
