/**
 * A ZAP handler (ZeroMQ RFC 27) that lets in CURVE clients whose public key is on the
 * allow-list and refuses everyone else. libzmq asks it on inproc://zeromq.zap.01 of the
 * server socket's context during every handshake; without a 200 reply no message of that
 * connection ever reaches the server.
 */
import { Router, type Context } from "zeromq";
import { z85Decode } from "../keys.js";

/** Decisions taken, for the log and tests. */
export interface ZapEvent { allowed: boolean; client?: string; address: string; mechanism: string }

/** Serves ZAP requests for `context` until closed. */
export class ZapHandler {
  private readonly socket: Router;
  private readonly allowed = new Map<string, string>();

  constructor(context: Context, authorized: Map<string, string>, private readonly onDecision: (e: ZapEvent) => void = () => {}) {
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
    this.socket.close();
  }

  private async loop(): Promise<void> {
    try {
      for await (const f of this.socket) {
        // [routing id, empty, version, request id, domain, address, identity, mechanism, credentials...]
        const [id, empty, version, requestId, , address, , mechanism, key] = f;
        const mech = mechanism?.toString() ?? "";
        const client = mech === "CURVE" && key?.length === 32 ? this.allowed.get(key.toString("hex")) : undefined;
        const ok = version?.toString() === "1.0" && client !== undefined;
        this.onDecision({ allowed: ok, client, address: address?.toString() ?? "", mechanism: mech });
        await this.socket.send([id, empty, "1.0", requestId ?? "", ok ? "200" : "400", ok ? "OK" : "client key not authorised", ok ? client! : "", ""]);
      }
    } catch {
      // the socket was closed
    }
  }
}
