/** Messages between the kernel process (host) and the process that runs cells (child). */
import type { Completion, CompletenessReply, ExecuteOutcome, Inspection } from "../protocol/engine.js";
import type { MimeBundle } from "../protocol/messages.js";

/** Requests the host sends; each `id` gets one `reply`. */
export type HostRequest =
  | { op: "execute"; id: number; code: string; executionCount: number; allowStdin: boolean; userExpressions?: Record<string, string> }
  | { op: "complete"; id: number; code: string; pos: number }
  | { op: "inspect"; id: number; code: string; pos: number; detail: number }
  | { op: "isComplete"; id: number; code: string };

/** The answer to a `input` event. */
export interface InputAnswer {
  op: "input";
  inputId: number;
  value?: string;
  error?: string;
}

/** Everything the host sends. */
export type HostMessage = HostRequest | InputAnswer;

/** Reply values, by request op. */
export interface ReplyMap {
  execute: ExecuteOutcome;
  complete: Completion;
  inspect: Inspection;
  isComplete: CompletenessReply;
}

/** Events the child sends. */
export type ChildMessage =
  | { ev: "ready" }
  | { ev: "reply"; id: number; value: ReplyMap[keyof ReplyMap] }
  | { ev: "stream"; name: "stdout" | "stderr"; text: string }
  | { ev: "display"; data: MimeBundle; metadata: Record<string, unknown>; displayId?: string }
  | { ev: "update"; data: MimeBundle; metadata: Record<string, unknown>; displayId: string }
  | { ev: "clear"; wait: boolean }
  | { ev: "input"; inputId: number; prompt: string; password: boolean }
  | { ev: "sigint" };

/** Type guard for messages arriving from the child over IPC. */
export function isChildMessage(m: unknown): m is ChildMessage {
  return typeof m === "object" && m !== null && typeof (m as { ev?: unknown }).ev === "string";
}

/** Type guard for messages arriving from the host over IPC. */
export function isHostMessage(m: unknown): m is HostMessage {
  return typeof m === "object" && m !== null && typeof (m as { op?: unknown }).op === "string";
}
