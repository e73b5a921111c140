/**
 * Replies on their way to clients, within a budget. A reply goes straight to ZeroMQ when the
 * connection's pipe takes it; when the pipe is full (the client is not reading) it waits in
 * the connection's backlog, in order, and is retried every heartbeat; events that are only
 * news (progress, queue positions) are dropped instead. Replies for a connection that is
 * gone are held for its client key for a bounded time and sent to that key's next
 * connection. Results that would take the server past its budget become small error notices.
 */
import type { Reply } from "../protocol/messages.js";

/** What ZeroMQ did with a message: queued it, refused it (the peer's pipe is full), or has no such peer. */
export type SendResult = "sent" | "full" | "gone";
/** Sends a reply (and binary frames) to a connection without waiting. */
export type Send = (conn: string, reply: Reply, frames: Uint8Array[]) => Promise<SendResult>;

/** A reply with its frames and size. */
export interface Outgoing { reply: Reply; frames: Uint8Array[]; bytes: number }

/** Budget of the outbox. */
export interface OutboxLimits { maxUnreadBytes: number; maxHeldReplyBytes: number; undeliveredSeconds: number }

interface Lane { client: string; backlog: Outgoing[]; bytes: number; chain: Promise<void>; overflowed: boolean; dropped: number; retry?: NodeJS.Timeout; wait: number }
interface Kept { out: Outgoing; at: number }

/** First retry of a backlog whose peer was full, ms. */
const RETRY_MS = 10;

/** Wraps a reply for the outbox. */
export function outgoing(reply: Reply, frames: Uint8Array[] = []): Outgoing {
  return { reply, frames, bytes: frames.reduce((n, f) => n + f.byteLength, 0) + 256 };
}

/** Per-connection backlogs and per-client held replies, with their byte totals. */
export class Outbox {
  private readonly lanes = new Map<string, Lane>();
  private readonly kept = new Map<string, Kept[]>();
  private unread = 0;
  private held = 0;

  constructor(
    private readonly send: Send,
    private readonly limits: () => OutboxLimits,
    /** Called once when a connection's backlog first exceeds maxUnreadBytes. */
    private readonly onOverflow: (conn: string, bytes: number) => void,
  ) {}

  /** Bytes waiting in backlogs and bytes held for departed clients. */
  totals(): { unreadBytes: number; undeliveredBytes: number } {
    return { unreadBytes: this.unread, undeliveredBytes: this.held };
  }

  /** Starts a lane for a connection of `client`; returns the replies held for that client, now handed to it. */
  open(conn: string, client: string): Outgoing[] {
    if (!this.lanes.has(conn)) this.lanes.set(conn, { client, backlog: [], bytes: 0, chain: Promise.resolve(), overflowed: false, dropped: 0, wait: RETRY_MS });
    const kept = this.kept.get(client) ?? [];
    this.kept.delete(client);
    for (const k of kept) this.held -= k.out.bytes;
    return kept.map((k) => k.out);
  }

  /** Whether a connection is over its unread budget (its backlog has not drained since). */
  overflowed(conn: string): boolean {
    return this.lanes.get(conn)?.overflowed ?? false;
  }

  /** Bytes in a connection's backlog. */
  backlogOf(conn: string): number {
    return this.lanes.get(conn)?.bytes ?? 0;
  }

  /** Queues a reply to a connection; `news` replies are dropped rather than backlogged. Resolves false when the connection is gone. */
  deliver(conn: string, out: Outgoing, news = false): Promise<boolean> {
    const lane = this.lanes.get(conn);
    if (!lane) return Promise.resolve(false);
    const done = lane.chain.then(() => this.transmit(conn, lane, out, news));
    lane.chain = done.then(() => undefined);
    return done;
  }

  /** Sends once to a connection the server keeps no state for; nothing is backlogged or held. */
  async direct(conn: string, out: Outgoing): Promise<boolean> {
    return (await this.send(conn, out.reply, out.frames)) === "sent";
  }

  /** Holds a reply for a client with no connection. */
  keep(client: string, out: Outgoing): void {
    const list = this.kept.get(client) ?? [];
    list.push({ out, at: Date.now() });
    this.kept.set(client, list);
    this.held += out.bytes;
    this.shrink();
  }

  /** Closes a connection's lane; its backlog is held for its client. */
  close(conn: string): void {
    const lane = this.lanes.get(conn);
    if (!lane) return;
    this.lanes.delete(conn);
    clearTimeout(lane.retry);
    this.unread -= lane.bytes;
    for (const out of lane.backlog) this.keep(lane.client, out);
  }

  /** Retries every backlog (one heartbeat) and forgets held replies older than undeliveredSeconds. */
  async flush(): Promise<void> {
    const cutoff = Date.now() - this.limits().undeliveredSeconds * 1e3;
    for (const [client, list] of this.kept) {
      const fresh = list.filter((k) => k.at >= cutoff);
      for (const k of list) if (k.at < cutoff) this.held -= k.out.bytes;
      if (fresh.length) this.kept.set(client, fresh);
      else this.kept.delete(client);
    }
    await Promise.all([...this.lanes].map(([conn, lane]) => (lane.chain = lane.chain.then(() => this.drain(conn, lane)))));
  }

  private async transmit(conn: string, lane: Lane, out: Outgoing, news: boolean): Promise<boolean> {
    if (!this.lanes.has(conn)) return false;
    if (!lane.backlog.length) {
      const r = await this.send(conn, out.reply, out.frames);
      if (r === "sent") return true;
      if (r === "gone") return false;
    }
    if (news) return true;
    this.backlog(conn, lane, out);
    this.retry(conn, lane);
    return true;
  }

  /** Tries the backlog again soon, backing off from 10 ms to 0.5 s while the peer stays full. */
  private retry(conn: string, lane: Lane): void {
    if (lane.retry || !lane.backlog.length) return;
    lane.retry = setTimeout(() => {
      lane.retry = undefined;
      lane.chain = lane.chain.then(async () => {
        const before = lane.backlog.length;
        await this.drain(conn, lane);
        lane.wait = lane.backlog.length < before ? RETRY_MS : Math.min(lane.wait * 2, 500);
        this.retry(conn, lane);
      });
    }, lane.wait);
    lane.retry.unref();
  }

  /** Adds a reply to a backlog within the budget: results become notices, then what still does not fit is dropped and counted. */
  private backlog(conn: string, lane: Lane, out: Outgoing): void {
    const L = this.limits();
    const fits = (o: Outgoing) => lane.bytes + o.bytes <= L.maxUnreadBytes && this.unread + this.held + o.bytes <= L.maxHeldReplyBytes;
    const before = lane.bytes;
    const converted = fits(out) ? 0 : this.compact(lane);
    const o = fits(out) || out.reply.type !== "result" ? out : notice(out.reply, unread(out, L.maxUnreadBytes));
    if (fits(o)) {
      lane.backlog.push(o);
      lane.bytes += o.bytes;
      this.unread += o.bytes;
    } else lane.dropped++;
    if ((o !== out || lane.dropped || converted) && !lane.overflowed) {
      lane.overflowed = true;
      this.onOverflow(conn, before + out.bytes);
    }
  }

  private async drain(conn: string, lane: Lane): Promise<void> {
    while (lane.backlog.length && this.lanes.has(conn)) {
      const out = lane.backlog[0];
      const r = await this.send(conn, out.reply, out.frames);
      if (r !== "sent") return;
      lane.backlog.shift();
      lane.bytes -= out.bytes;
      this.unread -= out.bytes;
    }
    if (lane.backlog.length || !this.lanes.has(conn)) return;
    if (lane.dropped) {
      const n = lane.dropped, message = `${n} repl${n === 1 ? "y was" : "ies were"} dropped while this connection was not reading`;
      if ((await this.send(conn, errorOf("", "not-delivered", message), [])) !== "sent") return;
      lane.dropped = 0;
    }
    lane.overflowed = false;
  }

  /** Over budget: the backlog's results become notices; returns how many. */
  private compact(lane: Lane): number {
    const before = lane.bytes, results = lane.backlog.filter((o) => o.reply.type === "result").length;
    const max = this.limits().maxUnreadBytes;
    lane.backlog = lane.backlog.map((o) => (o.reply.type === "result" ? notice(o.reply, unread(o, max)) : o));
    lane.bytes = lane.backlog.reduce((n, o) => n + o.bytes, 0);
    this.unread -= before - lane.bytes;
    return results;
  }

  /** Held replies over budget: results become notices first, then the oldest go. */
  private shrink(): void {
    const max = this.limits().maxHeldReplyBytes;
    for (const list of this.kept.values()) {
      for (const k of list) {
        if (this.unread + this.held <= max) return;
        if (k.out.reply.type !== "result") continue;
        const n = notice(k.out.reply, "its result was dropped: the server's budget for undelivered replies is full");
        this.held += n.bytes - k.out.bytes;
        k.out = n;
      }
    }
    for (const [client, list] of this.kept) {
      while (list.length && this.unread + this.held > max) this.held -= list.shift()!.out.bytes;
      if (!list.length) this.kept.delete(client);
    }
  }
}

function notice(r: Extract<Reply, { type: "result" }>, why: string): Outgoing {
  return outgoing({ ...errorOf(r.id, "not-delivered", `job ${r.job} finished, but ${why}`), job: r.job });
}

function unread(o: Outgoing, max: number): string {
  return `its result (${o.bytes} bytes) was dropped: this connection left more than ${max} bytes of replies unread`;
}

function errorOf(id: string, code: string, message: string): Extract<Reply, { type: "error" }> {
  return { type: "error", id, code, message, path: [], issues: [{ code, path: [], message }] };
}
