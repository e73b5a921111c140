/**
 * `phasor board serve`: a runner behind a ZeroMQ ROUTER socket with CURVE authentication
 * and encryption. Only clients whose public key is in KEYS/authorized/ get through the
 * handshake (ZapHandler); messages are handled by BoardCore. The socket never blocks on a
 * client: sends that a peer's pipe cannot take come back at once (the core backlogs them),
 * ZeroMQ tells the server when a connection opens or closes (ROUTER_NOTIFY), ZMTP heartbeats
 * close connections whose peer went silent, and no frame larger than maxMessageBytes is
 * ever read (MAXMSGSIZE).
 */
import { Context, Router, type SocketOptions } from "zeromq";
import { PhasorError } from "../../ir/errors.js";
import type { Runner } from "../runner.js";
import { readServerKeys } from "../keys.js";
import { DEFAULT_LIMITS, type Reply } from "../protocol/messages.js";
import { prepareChecks } from "../protocol/validate.js";
import { BoardCore, type ClientInfo, type CoreOptions, type SendResult } from "./core.js";
import { ZapHandler, type ZapEvent } from "./zap.js";

/** Options of a board server. */
export interface ServeOptions extends CoreOptions {
  /** ZeroMQ endpoint, default tcp://127.0.0.1:5555 (port 0 picks a free one). */
  bind?: string;
  /** Directory with server.key, server.pub and authorized/*.pub. */
  keys: string;
  onZap?: (e: ZapEvent) => void;
  /** A peer that answers no ZMTP heartbeat for this long is disconnected (ms, default 10000). */
  peerTimeoutMs?: number;
}

/** libzmq's ZMQ_ROUTER_NOTIFY (draft API): an empty message from a peer when it connects and when it disconnects. */
const ZMQ_ROUTER_NOTIFY = 97, NOTIFY_CONNECT_AND_DISCONNECT = 3;

/** Messages ZeroMQ may hold for one peer: more wait in the core's budgeted backlog, so a client that does not read holds at most this many messages inside ZeroMQ. */
const SEND_QUEUE = 2;

/** Bytes CURVE adds to a frame (a MESSAGE command: name, nonce, MAC, flags): MAXMSGSIZE applies to the frame with them. */
const CURVE_FRAME_OVERHEAD = 64;

/** A ROUTER that reports connections as they open and close. */
class NotifyingRouter extends Router {
  constructor(o: SocketOptions<Router>) {
    super(o);
    this.setInt32Option(ZMQ_ROUTER_NOTIFY, NOTIFY_CONNECT_AND_DISCONNECT);
  }
}

/** A running board server. */
export class BoardServer {
  readonly core: BoardCore;
  /** The bound endpoint (with the real port). */
  endpoint = "";
  private readonly context = new Context();
  private readonly socket: Router;
  private readonly zap: ZapHandler;
  /** Connections now open (routing id hex -> routing id and client). */
  private readonly peers = new Map<string, { peer: Buffer; client: ClientInfo }>();
  /** Connections closed lately: a late or repeated notification about one is ignored. */
  private readonly retired = new Set<string>();
  private outbox: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly log: (line: string) => void;

  private constructor(readonly runner: Runner, private readonly o: ServeOptions) {
    const keys = readServerKeys(o.keys);
    this.log = o.log ?? (() => {});
    this.zap = new ZapHandler(this.context, keys.authorized, (e) => {
      o.onZap?.(e);
      if (!e.allowed) this.log(`refused a ${e.mechanism || "NULL"} handshake from ${e.address}: key ${e.key?.slice(0, 8) ?? "none"} is not authorised`);
    });
    const timeout = o.peerTimeoutMs ?? 10_000;
    this.socket = new NotifyingRouter({
      context: this.context, curveServer: true, curveSecretKey: keys.secretKey, zapDomain: "phasor", mandatory: true, linger: 0,
      sendTimeout: 0, sendHighWaterMark: SEND_QUEUE, maxMessageSize: (o.limits?.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes) + CURVE_FRAME_OVERHEAD,
      handshakeInterval: 5000, heartbeatInterval: Math.min(1000, timeout), heartbeatTimeout: timeout, heartbeatTimeToLive: timeout,
    });
    this.watchHandshakes();
    this.core = new BoardCore(runner, (c, r, f) => this.send(c, r, f), o);
  }

  /** Starts serving `runner`. */
  static async start(runner: Runner, o: ServeOptions): Promise<BoardServer> {
    prepareChecks();
    const s = new BoardServer(runner, o);
    await s.zap.start();
    try {
      await s.socket.bind(o.bind ?? "tcp://127.0.0.1:5555");
    } catch (e) {
      s.zap.close();
      s.socket.close();
      throw new PhasorError([{ code: "bind", path: ["--bind"], message: `cannot bind ${o.bind}: ${(e as Error).message}` }]);
    }
    s.endpoint = s.socket.lastEndpoint ?? o.bind ?? "";
    void s.loop();
    return s;
  }

  /** Graceful shutdown (see BoardCore.shutdown), then closes the sockets; bounded by graceSeconds + 2 s. */
  async close(reason?: string, graceSeconds?: number): Promise<{ finishing: string[]; cancelled: string[] }> {
    if (this.closed) return { finishing: [], cancelled: [] };
    const summary = await this.core.shutdown(reason, graceSeconds);
    await Promise.race([this.outbox, new Promise((r) => setTimeout(r, 500))]);
    this.closed = true;
    this.socket.close();
    this.zap.close();
    await Promise.race([this.runner.close(), new Promise((r) => setTimeout(r, 500))]);
    return summary;
  }

  private async loop(): Promise<void> {
    try {
      for await (const [peer, ...frames] of this.socket) {
        const key = peer.toString("hex");
        if (frames.length === 1 && frames[0].length === 0) this.notified(key, peer);
        else {
          const p = this.peers.get(key);
          if (p) void this.core.receive(key, frames, p.client);
        }
      }
    } catch (e) {
      if (!this.closed) this.log(`receive loop ended: ${(e as Error).message}`);
    }
  }

  /** A connect or disconnect notification (a lone empty frame, which no request can be). */
  private notified(key: string, peer: Buffer): void {
    if (this.peers.delete(key)) {
      this.retired.add(key);
      if (this.retired.size > 10_000) this.retired.delete(this.retired.values().next().value!);
      return this.core.disconnected(key);
    }
    if (this.retired.has(key)) return;
    const claim = this.zap.claim();
    const client: ClientInfo = claim ?? { key: `conn-${key}`, name: `conn-${key}` };
    if (!claim) this.log(`connection ${key} opened with no handshake to match; counted as its own client`);
    this.peers.set(key, { peer, client });
    this.core.connected(key, client);
  }

  /** Logs every handshake that fails before ZAP (wrong server key, wrong secret, NULL mechanism). */
  private watchHandshakes(): void {
    const ev = this.socket.events;
    const why = "a plain client, a wrong server key or a client key pair that does not match";
    ev.on("handshake:error:protocol", (e) => this.log(`refused a handshake from ${e.address}: ${e.error.message} (${why})`));
    ev.on("handshake:error:auth", (e) => this.log(`refused a handshake from ${e.address}: ${e.error.message}`));
    ev.on("handshake:error:other", (e) => this.log(`refused a handshake from ${e.address}: ${e.error.message}`));
  }

  /** Sends without waiting (zeromq allows one send at a time, so sends are chained). */
  private send(client: string, reply: Reply, frames: Uint8Array[] = []): Promise<SendResult> {
    const peer = this.peers.get(client)?.peer;
    if (!peer || this.closed) return Promise.resolve("gone");
    const next = this.outbox.then(async (): Promise<SendResult> => {
      try {
        await this.socket.send([peer, JSON.stringify(reply), ...frames]);
        return "sent";
      } catch (e) {
        return (e as { code?: string }).code === "EAGAIN" ? "full" : "gone";
      }
    });
    this.outbox = next;
    return next;
  }
}
