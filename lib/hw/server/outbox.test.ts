// The outbox: replies go straight out while the peer takes them, wait in order in a budgeted
// backlog while it does not, and are held per client key for a bounded time when it is gone.
import { describe, expect, test } from "vitest";
import type { Reply } from "../protocol/messages.js";
import { Outbox, outgoing, type OutboxLimits, type SendResult } from "./outbox.js";

const ping = (id: string): Reply => ({ type: "pong", id, time: 0 });
const result = (id: string, bytes: number) => outgoing({ type: "result", id, job: `j-${id}`, seconds: 1 }, [new Uint8Array(bytes)]);
const news = (id: string): Reply => ({ type: "progress", id, job: "j", step: 1, steps: 2, elapsed: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function make(limits: Partial<OutboxLimits> = {}) {
  const sent: Array<{ conn: string; reply: Reply; bytes: number }> = [];
  const state = new Map<string, SendResult>();
  const overflows: Array<[string, number]> = [];
  const L: OutboxLimits = { maxUnreadBytes: 10_000, maxHeldReplyBytes: 100_000, undeliveredSeconds: 60, ...limits };
  const box = new Outbox(async (conn, reply, frames) => {
    const r = state.get(conn) ?? "sent";
    if (r === "sent") sent.push({ conn, reply, bytes: frames.reduce((n, f) => n + f.byteLength, 0) });
    return r;
  }, () => L, (conn, bytes) => overflows.push([conn, bytes]));
  const ids = (conn: string) => sent.filter((s) => s.conn === conn).map((s) => s.reply.id);
  return { box, sent, state, overflows, ids, L };
}

describe("Outbox", () => {
  test("outgoing counts frame bytes plus 256 for the header", () => {
    expect(outgoing(ping("a")).bytes).toBe(256);
    expect(result("a", 1000).bytes).toBe(1256);
  });

  test("a reply goes straight out; a connection without a lane gets nothing; direct sends once", async () => {
    const { box, ids, state } = make();
    expect(await box.deliver("a", outgoing(ping("1")))).toBe(false);
    expect(box.open("a", "ka")).toEqual([]);
    expect(await box.deliver("a", outgoing(ping("2")))).toBe(true);
    expect(ids("a")).toEqual(["2"]);
    expect(await box.direct("z", outgoing(ping("3")))).toBe(true);
    state.set("z", "full");
    expect(await box.direct("z", outgoing(ping("4")))).toBe(false);
    expect(ids("z")).toEqual(["3"]);
    expect(box.totals()).toEqual({ unreadBytes: 0, undeliveredBytes: 0 });
  });

  test("while the peer is full, replies wait in order (news is dropped) and go out in order once it reads", async () => {
    const { box, state, ids } = make();
    box.open("a", "ka");
    state.set("a", "full");
    for (const id of ["1", "2"]) expect(await box.deliver("a", outgoing(ping(id)))).toBe(true);
    expect(await box.deliver("a", outgoing(news("n")), true)).toBe(true);
    expect(box.backlogOf("a")).toBe(512);
    expect(box.totals().unreadBytes).toBe(512);
    state.set("a", "sent");
    expect(await box.deliver("a", outgoing(ping("3")))).toBe(true);
    expect(ids("a")).toEqual([]);
    await box.flush();
    expect(ids("a")).toEqual(["1", "2", "3"]);
    expect(box.backlogOf("a")).toBe(0);
    expect(box.totals().unreadBytes).toBe(0);
    expect(box.backlogOf("nobody")).toBe(0);
  });

  test("a full peer is retried soon, backing off, without waiting for a heartbeat", async () => {
    const { box, state, ids } = make();
    box.open("a", "ka");
    state.set("a", "full");
    await box.deliver("a", outgoing(ping("1")));
    await sleep(40);
    expect(ids("a")).toEqual([]);
    state.set("a", "sent");
    for (let k = 0; k < 100 && !ids("a").length; k++) await sleep(10);
    expect(ids("a")).toEqual(["1"]);
  });

  test("a gone peer: deliver resolves false; its lane's backlog is held for its key and handed to the key's next connection", async () => {
    const { box, state } = make();
    box.open("a", "ka");
    state.set("a", "full");
    await box.deliver("a", outgoing(ping("1")));
    await box.deliver("a", result("2", 500));
    state.set("a", "gone");
    await box.flush();
    expect(await box.deliver("a", outgoing(ping("3")))).toBe(true); // backlogged behind 1 and 2
    box.close("a");
    box.close("a");
    expect(box.totals()).toEqual({ unreadBytes: 0, undeliveredBytes: 256 + 756 + 256 });
    expect(await box.deliver("a", outgoing(ping("4")))).toBe(false);
    expect(box.open("b", "other")).toEqual([]);
    expect(box.open("c", "ka").map((o) => o.reply.id)).toEqual(["1", "2", "3"]);
    expect(box.totals().undeliveredBytes).toBe(0);
    expect(box.open("d", "ka")).toEqual([]);
    const gone = make();
    gone.box.open("x", "kx");
    gone.state.set("x", "gone");
    expect(await gone.box.deliver("x", outgoing(ping("1")))).toBe(false);
    expect(gone.box.backlogOf("x")).toBe(0);
  });

  test("held replies expire after undeliveredSeconds, each by its own age", async () => {
    const { box } = make({ undeliveredSeconds: 0.05 });
    box.keep("k", outgoing(ping("old")));
    await sleep(80);
    box.keep("k", outgoing(ping("new")));
    box.keep("k2", outgoing(ping("other")));
    await box.flush();
    expect(box.totals().undeliveredBytes).toBe(512);
    expect(box.open("c", "k").map((o) => o.reply.id)).toEqual(["new"]);
    await sleep(80);
    await box.flush();
    expect(box.totals().undeliveredBytes).toBe(0);
    expect(box.open("c2", "k2")).toEqual([]);
  });

  test("past maxUnreadBytes results become not-delivered notices, then what does not fit is dropped and counted", async () => {
    const { box, state, sent, overflows, ids } = make({ maxUnreadBytes: 2000 });
    box.open("a", "ka");
    state.set("a", "full");
    await box.deliver("a", result("r1", 1000));
    expect(box.overflowed("a")).toBe(false);
    expect(box.backlogOf("a")).toBe(1256);
    await box.deliver("a", result("r2", 1000));
    expect(overflows).toEqual([["a", 2512]]);
    expect(box.overflowed("a")).toBe(true);
    expect(box.backlogOf("a")).toBe(256 + 1256);
    for (let k = 0; k < 10; k++) await box.deliver("a", outgoing(ping(`p${k}`)));
    expect(box.backlogOf("a")).toBe(7 * 256);
    expect(box.totals().unreadBytes).toBe(7 * 256);
    expect(overflows).toHaveLength(1);
    state.set("a", "sent");
    await box.flush();
    expect(box.overflowed("a")).toBe(false);
    expect(box.backlogOf("a")).toBe(0);
    const notices = sent.filter((s) => s.reply.type === "error").map((s) => s.reply as Extract<Reply, { type: "error" }>);
    expect(notices.map((n) => n.id)).toEqual(["r1", "r2", ""]);
    expect(notices[0]).toMatchObject({ id: "r1", job: "j-r1", code: "not-delivered", message: "job j-r1 finished, but its result (1256 bytes) was dropped: this connection left more than 2000 bytes of replies unread" });
    expect(notices[2]).toMatchObject({ id: "", code: "not-delivered", message: "5 replies were dropped while this connection was not reading" });
    expect(ids("a")).toEqual(["r1", "r2", "p0", "p1", "p2", "p3", "p4", ""]);
    await box.deliver("a", outgoing(ping("after")));
    expect(ids("a").at(-1)).toBe("after");
  });

  test("one dropped reply is counted in the singular; a single result over the budget becomes its notice at once", async () => {
    const { box, state, sent, overflows } = make({ maxUnreadBytes: 600 });
    box.open("a", "ka");
    state.set("a", "full");
    await box.deliver("a", result("big", 5000));
    expect(overflows).toEqual([["a", 5256]]);
    expect(box.backlogOf("a")).toBe(256);
    await box.deliver("a", outgoing(ping("p1")));
    await box.deliver("a", outgoing(ping("p2")));
    expect(box.backlogOf("a")).toBe(512);
    state.set("a", "sent");
    await box.flush();
    expect(sent.map((s) => s.reply.id)).toEqual(["big", "p1", ""]);
    expect(sent[2].reply).toMatchObject({ message: "1 reply was dropped while this connection was not reading" });
  });

  test("unread and held replies together stay within maxHeldReplyBytes: held results become notices, then the oldest go", async () => {
    const { box, state } = make({ maxHeldReplyBytes: 3000, maxUnreadBytes: 100_000 });
    box.keep("k", result("r1", 1000));
    box.keep("k", result("r2", 1000));
    expect(box.totals().undeliveredBytes).toBe(2512);
    box.keep("k", outgoing(ping("p")));
    expect(box.totals().undeliveredBytes).toBe(2 * 1256 + 256);
    box.keep("k", outgoing(ping("p2")));
    expect(box.totals().undeliveredBytes).toBe(256 + 1256 + 2 * 256);
    for (let k = 0; k < 12; k++) box.keep("k2", outgoing(ping(`q${k}`)));
    expect(box.totals().undeliveredBytes).toBeLessThanOrEqual(3000);
    const held = box.open("c", "k").map((o) => [o.reply.type, o.reply.id]);
    expect(held.every(([type]) => type !== "result")).toBe(true);
    box.open("a", "ka");
    state.set("a", "full");
    await box.deliver("a", result("r3", 2000));
    expect(box.totals().unreadBytes + box.totals().undeliveredBytes).toBeLessThanOrEqual(3000);
  });
});
