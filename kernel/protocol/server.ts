/**
 * Glues sockets, wire format and handler: frames in, validated messages to the handler,
 * outgoing messages signed and sent. A bad frame is logged and dropped (or answered with
 * an error reply when its header was readable); nothing here throws into zeromq.
 */
import { type ConnectionInfo } from "./connection.js";
import type { Engine } from "./engine.js";
import { ProtocolHandler, type KernelInfo } from "./handler.js";
import type { History } from "./history.js";
import { type Channel, type Header, MalformedMessage, parseRequest } from "./messages.js";
import { KernelSockets } from "./sockets.js";
import { decode, encode, newSession, type Outgoing, Signer, WireError } from "./wire.js";

/** A running kernel server. */
export interface KernelServer {
  handler: ProtocolHandler;
  /** Resolves when the kernel has been asked to shut down (restart flag as asked). */
  done: Promise<boolean>;
  close(): void;
}

/** Options for startServer. */
export interface ServerOptions {
  connection: ConnectionInfo;
  engine: Engine;
  history: History;
  info: KernelInfo;
  log(line: string): void;
}

/** Binds the sockets and starts answering. */
export async function startServer(o: ServerOptions): Promise<KernelServer> {
  const signer = new Signer(o.connection.key, o.connection.signature_scheme);
  const session = newSession();
  let sockets: KernelSockets | null = null;
  let finish: (restart: boolean) => void = () => {};
  const done = new Promise<boolean>((r) => (finish = r));
  const send = (channel: Channel, msg: Outgoing): void => {
    void sockets?.send(channel, () => {
      try {
        return encode(msg, session, signer);
      } catch (e) {
        o.log(`cannot encode ${msg.msg_type}: ${(e as Error).message}`);
        return null;
      }
    });
  };
  const handler = new ProtocolHandler({
    engine: o.engine,
    history: o.history,
    info: o.info,
    send,
    log: o.log,
    onShutdown: (restart) => finish(restart),
  });
  sockets = await KernelSockets.bind(o.connection, (channel, frames) => onFrames(handler, signer, o.log, channel, frames), o.log);
  handler.starting();
  return { handler, done, close: () => sockets?.close() };
}

/** Decodes, validates and dispatches one multipart message. */
export function onFrames(handler: ProtocolHandler, signer: Signer, log: (s: string) => void, channel: Channel, frames: Buffer[]): void {
  let raw;
  try {
    raw = decode(frames, signer);
  } catch (e) {
    if (e instanceof WireError) return log(`dropped a message on ${channel}: ${e.message}`);
    throw e;
  }
  try {
    handler.receive(channel, parseRequest(raw));
  } catch (e) {
    if (!(e instanceof MalformedMessage)) throw e;
    log(`malformed message on ${channel}: ${e.message}`);
    const h: Header | undefined = e.header;
    if (h) handler.rejectMalformed(channel, h, raw.identities, e.message);
  }
}
