/**
 * `phasor board serve`: a runner behind a ZeroMQ ROUTER socket with CURVE authentication
 * and encryption. Only clients whose public key is in KEYS/authorized/ get through the
 * handshake (ZapHandler); messages are handled by BoardCore.
 */
import { Context, Router } from "zeromq";
import { PhasorError } from "../../ir/errors.js";
import type { Runner } from "../runner.js";
import { readServerKeys } from "../keys.js";
import type { Reply } from "../protocol/messages.js";
import { BoardCore, type CoreOptions } from "./core.js";
import { ZapHandler, type ZapEvent } from "./zap.js";

/** Options of a board server. */
export interface ServeOptions extends CoreOptions {
  /** ZeroMQ endpoint, default tcp://127.0.0.1:5555 (port 0 picks a free one). */
  bind?: string;
  /** Directory with server.key, server.pub and authorized/*.pub. */
  keys: string;
  onZap?: (e: ZapEvent) => void;
}

/** A running board server. */
export class BoardServer {
  readonly core: BoardCore;
  /** The bound endpoint (with the real port). */
  endpoint = "";
  private readonly context = new Context();
  private readonly socket: Router;
  private readonly zap: ZapHandler;
  private readonly peers = new Map<string, Buffer>();
  private outbox: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(readonly runner: Runner, private readonly o: ServeOptions) {
    const keys = readServerKeys(o.keys);
    this.zap = new ZapHandler(this.context, keys.authorized, (e) => { o.onZap?.(e); if (!e.allowed) o.log?.(`refused a ${e.mechanism || "NULL"} handshake from ${e.address}`); });
    this.socket = new Router({ context: this.context, curveServer: true, curveSecretKey: keys.secretKey, zapDomain: "phasor", mandatory: true, linger: 1000, maxMessageSize: (o.limits?.maxMessageBytes ?? 64 << 20) * 2 + (1 << 20), handshakeInterval: 5000 });
    this.core = new BoardCore(runner, (c, r, f) => this.send(c, r, f), o);
  }

  /** Starts serving `runner`. */
  static async start(runner: Runner, o: ServeOptions): Promise<BoardServer> {
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

  /** Graceful shutdown (see BoardCore.shutdown), then closes the sockets. */
  async close(reason?: string, graceSeconds?: number): Promise<{ finishing: string[]; cancelled: string[] }> {
    if (this.closed) return { finishing: [], cancelled: [] };
    const summary = await this.core.shutdown(reason, graceSeconds);
    await this.outbox.catch(() => {});
    this.closed = true;
    this.socket.close();
    this.zap.close();
    await this.runner.close();
    return summary;
  }

  private async loop(): Promise<void> {
    try {
      for await (const [peer, ...frames] of this.socket) {
        const key = peer.toString("hex");
        this.peers.set(key, peer);
        void this.core.receive(key, frames);
      }
    } catch (e) {
      if (!this.closed) this.o.log?.(`receive loop ended: ${(e as Error).message}`);
    }
  }

  /** Queues a send (zeromq allows one at a time); false when the peer is unreachable. */
  private send(client: string, reply: Reply, frames: Uint8Array[] = []): Promise<boolean> {
    const peer = this.peers.get(client);
    if (!peer || this.closed) return Promise.resolve(false);
    const next = this.outbox.then(async () => {
      try {
        await this.socket.send([peer, JSON.stringify(reply), ...frames]);
        return true;
      } catch {
        this.peers.delete(client);
        return false;
      }
    });
    this.outbox = next;
    return next;
  }
}
