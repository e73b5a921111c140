/** The await rewrite for `await (x)` at the top level of a cell (tslab reads it as a call of `await`). */
import { describe, expect, it } from "vitest";
import { awaitParenthesised } from "./tsutil.js";

describe("top-level await (expr)", () => {
  it("becomes an await of an identity call, with and without a space", () => {
    expect(awaitParenthesised("const v = await (Promise.resolve(41)); v + 1")).toBe("const v = await __phasor_await (Promise.resolve(41)); v + 1");
    expect(awaitParenthesised("(await(p)) + (await (q))")).toBe("(await __phasor_await(p)) + (await __phasor_await (q))");
  });
  it("leaves plain awaits, awaits in functions and other text alone", () => {
    for (const src of ["const v = await p;", "async function f() { return await (p); }", "function g() { return awaitable(1); }", "const s = 'await (x)';"]) {
      expect(awaitParenthesised(src)).toBe(src);
    }
  });
});
