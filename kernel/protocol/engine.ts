/**
 * What the protocol handler needs from whatever runs cells: the executor host in the
 * kernel, a fake in tests. Everything here is plain data so it can cross a process boundary.
 */
import type { ErrorContent, MimeBundle, Payload } from "./messages.js";

/** Where a running cell sends its output; the handler turns these into iopub messages. */
export interface CellIO {
  stream(name: "stdout" | "stderr", text: string): void;
  display(data: MimeBundle, metadata: Record<string, unknown>, displayId?: string): void;
  update(data: MimeBundle, metadata: Record<string, unknown>, displayId: string): void;
  clear(wait: boolean): void;
  /** Asks the front end for a line of input (stdin channel). */
  input(prompt: string, password: boolean): Promise<string>;
}

/** One execute request, as the engine sees it. */
export interface ExecuteRequest {
  code: string;
  executionCount: number;
  silent: boolean;
  allowStdin: boolean;
  /** Expressions to evaluate after the cell when it succeeds (execute_request's user_expressions). */
  userExpressions?: Record<string, string>;
}

/** One user expression's value (a MIME bundle) or its error, as execute_reply carries it. */
export type ExpressionResult = { status: "ok"; data: MimeBundle; metadata: Record<string, unknown> } | ({ status: "error" } & ErrorContent);

/** How a cell ended. */
export type ExecuteOutcome =
  | { status: "ok"; result?: MimeBundle; payload: Payload[]; userExpressions?: Record<string, ExpressionResult> }
  | ({ status: "error" } & ErrorContent);

/** Completion matches and the span they replace. */
export interface Completion {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
}

/** Inspection (hover) text for a position. */
export interface Inspection {
  found: boolean;
  data: MimeBundle;
}

/** is_complete's answer. */
export interface CompletenessReply {
  status: "complete" | "incomplete" | "invalid" | "unknown";
  indent?: string;
}

/** Runs cells and answers language questions. */
export interface Engine {
  execute(req: ExecuteRequest, io: CellIO): Promise<ExecuteOutcome>;
  complete(code: string, cursorPos: number): Promise<Completion>;
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<Inspection>;
  isComplete(code: string): Promise<CompletenessReply>;
  /** Stops the running cell (sync loop or pending await); state survives. `fromSignal`: the kernel got SIGINT. */
  interrupt(fromSignal?: boolean): void;
  /** Forgets all state (kernel restart). */
  restart(): Promise<void>;
  /** Releases everything. */
  shutdown(): Promise<void>;
}
