/**
 * A ZAP handler (ZeroMQ RFC 27) that lets in CURVE clients whose public key is on the
 * allow-list and refuses everyone else. libzmq asks it on inproc://zeromq.zap.01 of the
 * server socket's context during every handshake; without a 200 reply no message of that
 * connection ever reaches the server.
 *
 * It also tells the server which key each connection has: ZeroMQ does not pass the key
 * with messages, so allowed handshakes are let through one at a time, and the next new
 * connection the server sees (its connect notification) claims the key of the handshake
 * just allowed. A handshake that never becomes a connection releases the turn after
 * `claimMs`.
 */
import { Router, type Context } from "zeromq";
import { z85Decode } from "../keys.js";

/** Decisions taken, for the log and tests. */
export interface ZapEvent { allowed: boolean; client?: string; key?: string; address: string; mechanism: string }

/** An allowed key waiting for its connection. */
export interface Claim { key: string; name: string }

/** Serves ZAP requests for `context` until closed. */
export class ZapHandler {
  private readonly socket: Router;
  private readonly allowed = new Map<string, string>();
  private pending?: Claim;
  private claimed: Promise<void> = Promise.resolve();
  private release: () => void = () => {};

  constructor(context: Context, authorized: Map<string, string>, private readonly onDecision: (e: ZapEvent) => void = () => {}, private readonly claimMs = 2000) {
    for (const [z85, name] of authorized) {
      const raw = z85Decode(z85);
      if (raw) this.allowed.set(Buffer.from(raw).toString("hex"), name);
    }
    this.socket = new Router({ context, linger: 0 });
  }

  /** Binds the ZAP endpoint and starts answering. */
  async start(): Promise<void> {
    await this.socket.bind("inproc://zeromq.zap.01");
    void this.loop();
  }

  close(): void {
    this.release();
    this.socket.close();
  }

  /** The key of the handshake allowed last, taken by the connection that just appeared. */
  claim(): Claim | undefined {
    const p = this.pending;
    this.pending = undefined;
    this.release();
    return p;
  }

  private async loop(): Promise<void> {
    try {
      for await (const f of this.socket) {
        // [routing id, empty, version, request id, domain, address, identity, mechanism, credentials...]
        const [id, empty, version, requestId, , address, , mechanism, key] = f;
        const mech = mechanism?.toString() ?? "";
        const hex = mech === "CURVE" && key?.length === 32 ? key.toString("hex") : undefined;
        const client = hex ? this.allowed.get(hex) : undefined;
        const ok = version?.toString() === "1.0" && client !== undefined;
        this.onDecision({ allowed: ok, client, key: hex, address: address?.toString() ?? "", mechanism: mech });
        if (ok) await this.turn({ key: hex!, name: client });
        await this.socket.send([id, empty, "1.0", requestId ?? "", ok ? "200" : "400", ok ? "OK" : "client key not authorised", ok ? client : "", ""]);
      }
    } catch {
      // the socket was closed
    }
  }

  /** Waits until the previous allowed handshake was claimed (or `claimMs` passed), then makes `claim` the pending one. */
  private async turn(claim: Claim): Promise<void> {
    if (this.pending) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.claimed, new Promise<void>((r) => { timer = setTimeout(r, this.claimMs); })]);
      clearTimeout(timer);
    }
    this.pending = claim;
    this.claimed = new Promise<void>((r) => (this.release = r));
  }
}
