// Board protocol requests as they arrive (docs/board-protocol.md, "Message framing", "Requests",
// "Error codes"), checked in process: every request type accepted when well formed, and refused
// with the documented code, the field's path and a message for each wrong field. Replies as the
// client checks them.
import { describe, expect, it } from "vitest";
import type { Issue } from "../../ir/errors.js";
import { DEFAULT_LIMITS, PROTOCOL_VERSION } from "./messages.js";
import { MAX_HEADER, checkReply, checkRequest, prepareChecks } from "./validate.js";

const MAX = 1 << 20;
const bytes = (s: string) => new TextEncoder().encode(s);
const header = (h: unknown) => bytes(JSON.stringify(h));
const SHA = "ab".repeat(32);
/** `n` empty binary frames. */
const empty = (n: number) => Array.from({ length: n }, () => new Uint8Array(0));
/** An input entry of shape [1, 1, 1] (or `shape`). */
const input = (name: string, shape = [1, 1, 1]) => ({ name, shape });

type Found = [string, Issue["path"], string];
/** A bad-field issue. */
const badField = (path: Issue["path"], message: string): Found => ["bad-field", path, message];

/** checkRequest on a header object and binary frames. */
const check = (h: unknown, frames: Uint8Array[] = [], max = MAX) => checkRequest([header(h), ...frames], max);

/** The refusal of a header (an object, or raw text): the id to answer with and each issue as [code, path, message]. */
function refused(h: unknown, frames: Uint8Array[] = [], max = MAX): { id: string; issues: Found[] } {
  const r = checkRequest([typeof h === "string" ? bytes(h) : header(h), ...frames], max);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(h)}`);
  return { id: r.id, issues: r.issues.map((i) => [i.code, i.path, i.message]) };
}

/** The single issue of a refused request with id "x". */
function one(h: object, frames: Uint8Array[] = []): Found {
  const r = refused({ id: "x", ...h }, frames);
  expect(r.id).toBe("x");
  expect(r.issues).toHaveLength(1);
  return r.issues[0];
}

/** The single issue of a refused run of program SHA with `n` empty input frames. */
const run = (h: object, n = 0) => one({ type: "run", program: SHA, ...h }, empty(n));

describe("every request type is accepted when well formed", () => {
  const good: Array<[object, number]> = [
    [{ type: "hello", id: "a", v: 1 }, 0],
    [{ type: "hello", id: "a", v: 1, client: "c".repeat(128) }, 0],
    [{ type: "deploy", id: "a" }, 2],
    [{ type: "run", id: "a", program: SHA }, 0],
    [{ type: "run", id: "a", program: SHA, steps: 1, batch: 1, record: ["h"], inputs: [input("in")] }, 1],
    [{ type: "cancel", id: "a", job: "j12" }, 0],
    [{ type: "status", id: "a" }, 0],
    [{ type: "ping", id: "a" }, 0],
    [{ type: "bye", id: "a" }, 0],
  ];
  for (const [h, n] of good) {
    it(`${(h as { type: string }).type} with ${Object.keys(h).join(", ")} and ${n} binary frame(s)`, () => {
      const frames = Array.from({ length: n }, (_, k) => new Uint8Array(8).fill(k + 1));
      const r = check(h, frames);
      expect(r).toEqual({ ok: true, request: h, frames });
      if (r.ok) r.frames.forEach((f, k) => expect(f).toBe(frames[k]));
    });
  }

  it("prepareChecks compiles every schema up front, and checks still work after it", () => {
    expect(() => prepareChecks()).not.toThrow();
    expect(check({ type: "ping", id: "a" }).ok).toBe(true);
  });

  it("a header read from the middle of a larger buffer (frames are views)", () => {
    const text = JSON.stringify({ type: "ping", id: "view" });
    const big = new Uint8Array(100 + text.length + 50).fill(0x7b);
    big.set(bytes(text), 100);
    const frame = big.subarray(100, 100 + text.length);
    expect(checkRequest([frame], MAX)).toMatchObject({ ok: true, request: { type: "ping", id: "view" } });
  });

  it("the largest ids, inputs, records and dimensions the schema allows", () => {
    const shape = [1, 2, ...Array(8).fill(2 ** 31 - 1)];
    const inputs = Array.from({ length: 16 }, (_, k) => input("n".repeat(256).slice(k), [1, 1, 3]));
    const record = Array(64).fill("r".repeat(256));
    expect(check({ type: "run", id: "i".repeat(64), program: SHA, record, inputs }, empty(16)).ok).toBe(true);
    const steps = Number.MAX_SAFE_INTEGER;
    const widest = { type: "run", id: "a.b_c:D-9", program: SHA, steps, inputs: [input("x", shape)] };
    expect(check(widest, empty(1)).ok).toBe(true);
    expect(check({ type: "cancel", id: "a", job: "J".repeat(64) }).ok).toBe(true);
    expect(check({ type: "hello", id: "a", v: 1000 }).ok).toBe(true);
  });

  it("hello with another protocol version passes the schema, so that the server can answer `version` naming both", () => {
    expect(PROTOCOL_VERSION).toBe(1);
    for (const v of [0, 2, 1001, -7]) expect(check({ type: "hello", id: "a", v })).toMatchObject({ ok: true, request: { v } });
  });
});

describe("frame 0: malformed, too large, unknown type", () => {
  it("no frame, or a first frame that is not a JSON object, is malformed with id \"\"", () => {
    const issue = { code: "malformed", path: [], message: "empty message" };
    expect(checkRequest([], MAX)).toEqual({ ok: false, id: "", issues: [issue] });
    const notObject = "the first frame is not a JSON object (the header)";
    for (const h of ["", "{", "not json", "[1,2]", "null", "7", '"ping"', "true"]) {
      expect(refused(h)).toEqual({ id: "", issues: [["malformed", [], notObject]] });
    }
  });

  it("a missing or bad id is malformed, answered with id \"\" and path [id]", () => {
    const bad = { id: "", issues: [["malformed", ["id"], "id must be 1-64 characters of [A-Za-z0-9._:-]"]] };
    for (const id of [undefined, "", "i".repeat(65), "a b", "a/b", "é", 7, null, ["a"]]) {
      expect(refused({ type: "ping", ...(id === undefined ? {} : { id }) })).toEqual(bad);
    }
  });

  it("a header over 64 KiB is too large before it is parsed; exactly 64 KiB is read", () => {
    expect(MAX_HEADER).toBe(65536);
    const text = JSON.stringify({ type: "ping", id: "big" });
    const padded = (n: number) => bytes(text.slice(0, -1) + " ".repeat(n - text.length) + "}");
    expect(padded(MAX_HEADER).byteLength).toBe(MAX_HEADER);
    expect(checkRequest([padded(MAX_HEADER)], MAX).ok).toBe(true);
    const issue = { code: "too-large", path: [], message: "header of 65537 bytes; the limit is 65536" };
    expect(checkRequest([padded(MAX_HEADER + 1)], MAX)).toEqual({ ok: false, id: "", issues: [issue] });
  });

  it("a message over maxMessageBytes in total is too large, answered with its id", () => {
    const h = header({ type: "deploy", id: "d1" });
    const frames = (blob: number) => [h, new Uint8Array(10), new Uint8Array(blob)];
    expect(checkRequest(frames(90 - h.byteLength), 100).ok).toBe(true);
    const issue = { code: "too-large", path: [], message: "message of 101 bytes; this server accepts at most 100" };
    expect(checkRequest(frames(91 - h.byteLength), 100)).toEqual({ ok: false, id: "d1", issues: [issue] });
  });

  it("an unknown type, or a name only an object's prototype has, is unknown-type", () => {
    expect(one({ type: "launch" })).toEqual(["unknown-type", ["type"], 'unknown message type "launch"']);
    expect(one({})).toEqual(["unknown-type", ["type"], "unknown message type undefined"]);
    expect(one({ type: 3 })).toEqual(["unknown-type", ["type"], "unknown message type 3"]);
    expect(one({ type: ["ping"] })).toEqual(["unknown-type", ["type"], 'unknown message type ["ping"]']);
    for (const t of ["toString", "constructor", "__proto__", "hasOwnProperty", "welcome"]) {
      expect(one({ type: t })).toEqual(["unknown-type", ["type"], `unknown message type "${t}"`]);
    }
  });
});

describe("header fields: own fields of the type's table only, each of the right type and range", () => {
  // the messages say what was found and what to do (lib/ir/json-schema.ts, as for Programs and targets)
  const INTEGER = "must be an integer (finite, not NaN)";
  const unknownHere = (type: string, fields: string[]) => `is not a ${type} message field; remove it (fields here: ${fields.join(", ")})`;

  it("a field the table does not list is unknown-field, whatever its name", () => {
    for (const f of ["extra", "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      const text = `{"type":"ping","id":"x",${JSON.stringify(f)}:1}`;
      expect(refused(text)).toEqual({ id: "x", issues: [["unknown-field", [f], unknownHere("ping", ["type", "id"])]] });
    }
    expect(one({ type: "hello", v: 1, job: "j1" })).toEqual(["unknown-field", ["job"], unknownHere("hello", ["type", "id", "v", "client"])]);
    expect(run({ inputs: [{ ...input("in"), dtype: "f64" }] }, 1)).toEqual([
      "unknown-field", ["inputs", 0, "dtype"], unknownHere("run", ["name", "shape"]),
    ]);
    const entry = '{"name":"in","shape":[1,1,1],"__proto__":{"shape":[1]}}';
    const proto = `{"type":"run","id":"x","program":"${SHA}","inputs":[${entry}]}`;
    expect(refused(proto, empty(1)).issues).toEqual([
      ["unknown-field", ["inputs", 0, "__proto__"], unknownHere("run", ["name", "shape"])],
    ]);
  });

  it("a required field that is missing is bad-field at its path", () => {
    expect(one({ type: "hello" })).toEqual(badField(["v"], "is required"));
    expect(one({ type: "cancel" })).toEqual(badField(["job"], "is required"));
    expect(one({ type: "run" })).toEqual(badField(["program"], "is required"));
    expect(run({ inputs: [{ name: "in" }] }, 1)).toEqual(badField(["inputs", 0, "shape"], "is required"));
    expect(run({ inputs: [{ shape: [1, 1, 1] }] }, 1)).toEqual(badField(["inputs", 0, "name"], "is required"));
  });

  it("a field of the wrong type, including non-finite numbers and strings where numbers belong", () => {
    expect(one({ type: "hello", v: "1" })).toEqual(badField(["v"], `${INTEGER}, got "1"`));
    expect(one({ type: "hello", v: 1.5 })).toEqual(badField(["v"], `${INTEGER}, got 1.5`));
    expect(one({ type: "hello", v: 1, client: 5 })).toEqual(badField(["client"], "must be a string, got 5"));
    expect(run({ steps: "NaN" })).toEqual(badField(["steps"], `${INTEGER}, got "NaN"`));
    expect(run({ batch: null })).toEqual(badField(["batch"], `${INTEGER}, got null`));
    expect(run({ record: "h" })).toEqual(badField(["record"], 'must be an array, got "h"'));
    expect(run({ inputs: {} })).toEqual(badField(["inputs"], "must be an array, got {}"));
    expect(one({ type: "cancel", job: 12 })).toEqual(badField(["job"], "must be a string, got 12"));
    // JSON has no NaN or Infinity, but 1e400 parses to Infinity: refused as a number
    const inf = `{"type":"run","id":"x","program":"${SHA}","steps":1e400}`;
    expect(refused(inf).issues).toEqual([badField(["steps"], `${INTEGER}, got Infinity`)]);
    const shape = `{"type":"run","id":"x","program":"${SHA}","inputs":[{"name":"in","shape":[1,1,-1e400]}]}`;
    expect(refused(shape, empty(1)).issues).toEqual([badField(["inputs", 0, "shape", 2], `${INTEGER}, got -Infinity`)]);
  });

  it("numbers out of range: steps and batch >= 1, every dimension in 1..2^31 - 1", () => {
    expect(run({ steps: 0 })).toEqual(badField(["steps"], "must be >= 1, got 0"));
    expect(run({ batch: -3 })).toEqual(badField(["batch"], "must be >= 1, got -3"));
    const most = Number.MAX_SAFE_INTEGER;
    expect(run({ steps: most + 2 })).toEqual(badField(["steps"], `must be <= ${most}, got ${most + 2}`));
    const dims = (shape: number[]) => run({ inputs: [input("in", shape)] }, 1);
    expect(dims([4, 1, 0])).toEqual(badField(["inputs", 0, "shape", 2], "must be >= 1, got 0"));
    expect(dims([4, 0, 3])).toEqual(badField(["inputs", 0, "shape", 1], "must be >= 1, got 0"));
    expect(dims([4, 1, 2 ** 31])).toEqual(badField(["inputs", 0, "shape", 2], `must be <= 2147483647, got ${2 ** 31}`));
  });

  it("array indices in a path are numbers, also past 9", () => {
    const inputs = Array.from({ length: 13 }, (_, k) => input(`i${k}`, [1, 1, k === 12 ? 0 : 1]));
    expect(run({ inputs }, 13)).toEqual(badField(["inputs", 12, "shape", 2], "must be >= 1, got 0"));
    const record = [...Array(10).fill("h"), ""];
    expect(run({ record })).toEqual(badField(["record", 10], "must have at least 1 character(s)"));
  });

  it("lists and strings: inputs 3-D to 10-D, at most 16 inputs and 64 records, names of 1..256 characters", () => {
    const shape = ["inputs", 0, "shape"], name = ["inputs", 0, "name"];
    expect(run({ inputs: [input("in", [4, 12])] }, 1)).toEqual(badField(shape, "must have at least 3 item(s)"));
    expect(run({ inputs: [input("in", Array(11).fill(1))] }, 1)).toEqual(badField(shape, "must have at most 10 item(s)"));
    const inputs = Array.from({ length: 17 }, (_, k) => input(`i${k}`));
    expect(run({ inputs }, 17)).toEqual(badField(["inputs"], "must have at most 16 item(s)"));
    expect(run({ record: Array(65).fill("h") })).toEqual(badField(["record"], "must have at most 64 item(s)"));
    expect(run({ record: ["h", ""] })).toEqual(badField(["record", 1], "must have at least 1 character(s)"));
    expect(run({ record: ["r".repeat(257)] })).toEqual(badField(["record", 0], "must have at most 256 character(s)"));
    expect(run({ inputs: [input("")] }, 1)).toEqual(badField(name, "must have at least 1 character(s)"));
    expect(run({ inputs: [input("n".repeat(257))] }, 1)).toEqual(badField(name, "must have at most 256 character(s)"));
    const client = "c".repeat(129);
    expect(one({ type: "hello", v: 1, client })).toEqual(badField(["client"], "must have at most 128 character(s)"));
  });

  it("patterns: a program is 64 lowercase hex digits, a job id 1-64 of [A-Za-z0-9._:-]", () => {
    const hex = "must match ^[0-9a-f]{64}$", job = "must match ^[A-Za-z0-9._:-]{1,64}$";
    expect(run({ program: SHA.slice(1) })).toEqual(badField(["program"], hex));
    expect(run({ program: SHA.toUpperCase() })).toEqual(badField(["program"], hex));
    expect(run({ program: SHA + "0" })).toEqual(badField(["program"], hex));
    expect(one({ type: "cancel", job: "j 12" })).toEqual(badField(["job"], job));
    expect(one({ type: "cancel", job: "" })).toEqual(badField(["job"], job));
  });

  it("every problem of a header is listed, not only the first", () => {
    expect(refused({ type: "hello", id: "x", v: 1.5, client: 5, extra: true })).toEqual({
      id: "x",
      issues: [
        ["unknown-field", ["extra"], unknownHere("hello", ["type", "id", "v", "client"])],
        badField(["v"], `${INTEGER}, got 1.5`),
        badField(["client"], "must be a string, got 5"),
      ],
    });
  });
});

describe("binary frames after the header", () => {
  it("each type carries its count: deploy 2, run one per input, the others none", () => {
    const frames = (type: string, want: number, got: number, h: object = {}) =>
      expect(refused({ type, id: "f", ...h }, Array(got).fill(new Uint8Array(8)))).toEqual({
        id: "f", issues: [["frames", [], `${type} carries ${want} binary frame(s) after the header; got ${got}`]],
      });
    const two = { program: SHA, inputs: [input("a"), input("b")] };
    frames("deploy", 2, 1);
    frames("deploy", 2, 3);
    frames("deploy", 2, 0);
    frames("ping", 0, 1);
    frames("hello", 0, 1, { v: 1 });
    frames("run", 0, 1, { program: SHA });
    frames("run", 2, 1, two);
    frames("run", 2, 3, two);
    frames("run", 0, 1, { program: SHA, inputs: [] });
  });
});

describe("replies, as the client checks them", () => {
  const reply = (h: unknown) => checkReply(header(h));
  const limits = DEFAULT_LIMITS;

  it("a valid reply comes back as it is; fields added by a newer server pass", () => {
    const issues = [{ code: "c", path: [], message: "m" }];
    for (const h of [
      { type: "welcome", id: "a", v: 1, server: "s", runner: "vm", limits },
      { type: "queued", id: "a", job: "j1", position: 0 },
      { type: "error", id: "", code: "bad-field", message: "v: required", path: ["inputs", 0, "shape", 2], issues },
      { type: "pong", id: "a", time: 1.5, later: "a field of a newer server" },
      { type: "shutdown", id: "", reason: "SIGTERM", finishing: ["j1"], cancelled: [] },
    ]) expect(reply(h)).toEqual(h);
  });

  it("a reply that is not JSON, not an object, of no known type or missing a field is undefined", () => {
    expect(checkReply(bytes("{"))).toBeUndefined();
    expect(checkReply(bytes("[]"))).toBeUndefined();
    expect(reply({ id: "a", time: 1 })).toBeUndefined();
    expect(reply({ type: 5, id: "a" })).toBeUndefined();
    expect(reply({ type: "hello", id: "a", v: 1 })).toBeUndefined();
    expect(reply({ type: "toString", id: "a" })).toBeUndefined();
    expect(reply({ type: "pong", id: "a" })).toBeUndefined();
    expect(reply({ type: "pong", id: "a", time: "1" })).toBeUndefined();
    const { idleSeconds: _, ...short } = limits;
    expect(reply({ type: "welcome", id: "a", v: 1, server: "s", runner: "vm", limits: short })).toBeUndefined();
  });
});
