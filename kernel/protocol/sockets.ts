/** The kernel's ZeroMQ sockets: shell, control, stdin (routers), iopub (publisher), heartbeat (echo). */
import * as zmq from "zeromq";
import { type ConnectionInfo, endpoint } from "./connection.js";
import type { Channel } from "./messages.js";

/** Receives every multipart message that arrives on shell, control or stdin. */
export type FrameHandler = (channel: Exclude<Channel, "iopub">, frames: Buffer[]) => void;

/** Makes a message's frames; null when it cannot be sent (the maker logged why). */
export type FrameMaker = () => Buffer[] | null;

/**
 * Serialises sends on one socket (zeromq allows one pending send at a time). Frames are
 * made when their turn comes, after the code that queued them has finished: a request's
 * busy and execute_input are signed while the cell already runs, not before it starts.
 */
class Outbox {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Router | zmq.Publisher, private readonly log: (s: string) => void) {}
  send(make: FrameMaker): Promise<void> {
    this.tail = this.tail
      .then(() => {
        const frames = make();
        return frames ? this.socket.send(frames) : undefined;
      })
      .catch((e: unknown) => this.log(`send failed: ${(e as Error).message}`));
    return this.tail;
  }
}

/** The bound sockets of one kernel. */
export class KernelSockets {
  private readonly outboxes: Record<Channel, Outbox>;
  private closed = false;

  private constructor(
    private readonly routers: Record<Exclude<Channel, "iopub">, zmq.Router>,
    private readonly iopub: zmq.Publisher,
    private readonly heartbeat: zmq.Reply,
    private readonly log: (s: string) => void,
  ) {
    this.outboxes = {
      shell: new Outbox(routers.shell, log),
      control: new Outbox(routers.control, log),
      stdin: new Outbox(routers.stdin, log),
      iopub: new Outbox(iopub, log),
    };
  }

  /** Binds all five sockets and starts delivering frames to `onFrames`. */
  static async bind(info: ConnectionInfo, onFrames: FrameHandler, log: (s: string) => void): Promise<KernelSockets> {
    const routers = { shell: new zmq.Router(), control: new zmq.Router(), stdin: new zmq.Router() };
    const iopub = new zmq.Publisher();
    const hb = new zmq.Reply();
    for (const s of [routers.shell, routers.control, routers.stdin, iopub, hb]) s.linger = 0;
    const binds: [zmq.Socket, string, number][] = [
      [routers.shell, "shell", info.shell_port],
      [routers.control, "control", info.control_port],
      [routers.stdin, "stdin", info.stdin_port],
      [iopub, "iopub", info.iopub_port],
      [hb, "hb", info.hb_port],
    ];
    const failed = (await Promise.allSettled(binds.map(([s, , port]) => s.bind(endpoint(info, port)))))
      .map((r, i) => (r.status === "rejected" ? `${binds[i][1]}_port ${binds[i][2]} (${(r.reason as Error).message})` : ""))
      .filter(Boolean);
    if (failed.length) {
      for (const [s] of binds) s.close();
      throw new Error(
        `cannot bind ${failed.join(", ")} on ${info.transport}://${info.ip}; ` +
          "another process holds the port: let Jupyter restart the kernel (it writes a new connection file with free ports)",
      );
    }
    const k = new KernelSockets(routers, iopub, hb, log);
    for (const ch of ["control", "shell", "stdin"] as const) void k.receive(ch, onFrames);
    void k.echo();
    return k;
  }

  private async receive(channel: Exclude<Channel, "iopub">, onFrames: FrameHandler): Promise<void> {
    try {
      for await (const frames of this.routers[channel]) {
        try {
          onFrames(channel, frames);
        } catch (e) {
          this.log(`${channel}: handler failed: ${(e as Error).stack ?? String(e)}`);
        }
      }
    } catch (e) {
      if (!this.closed) this.log(`${channel}: receive loop ended: ${(e as Error).message}`);
    }
  }

  private async echo(): Promise<void> {
    try {
      for await (const frames of this.heartbeat) await this.heartbeat.send(frames);
    } catch (e) {
      if (!this.closed) this.log(`heartbeat ended: ${(e as Error).message}`);
    }
  }

  /** Queues a message on a channel, in order; resolves once zeromq has taken its frames. */
  send(channel: Channel, make: FrameMaker): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.outboxes[channel].send(make);
  }

  /** Closes every socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...Object.values(this.routers), this.iopub, this.heartbeat]) s.close();
  }
}
