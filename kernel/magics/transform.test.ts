/** Magic lines: a trailing `# comment` is dropped, and %%time / %%timeit bodies may use magics. */
import { describe, expect, it } from "vitest";
import { tokenize } from "./args.js";
import { stripComment, transformCell, type MagicShape } from "./transform.js";

const shapes: Record<string, MagicShape> = { time: { code: true, inlineCell: true }, timeit: { code: true, inlineCell: false }, sim: { code: false, inlineCell: false } };
const split = (_: string, text: string) => {
  const m = /^((?:\s*-\S+(?:\s+\d+)?)*)\s*(.*)$/.exec(text)!;
  return { options: m[1].trim(), code: m[2] };
};
const t = (code: string) => transformCell(code, (n) => shapes[n], split, (s) => !/^(const|let)\s/.test(s));

describe("a trailing # comment on a magic line", () => {
  it("is dropped where a word starts with #, outside quotes", () => {
    expect(stripComment("net --steps 10   # ten steps")).toBe("net --steps 10");
    expect(stripComment("# all comment")).toBe("");
    expect(tokenize(stripComment(`net --label "a # b" --tag '#x' # note`))).toEqual(["net", "--label", "a # b", "--tag", "#x"]);
  });
  it("is kept inside a word and inside quotes with escapes", () => {
    expect(stripComment("--color #ff0000")).toBe("--color");
    expect(stripComment("--color=a#b c")).toBe("--color=a#b c");
    expect(stripComment(`--name "say \\"#1\\"" x`)).toBe(`--name "say \\"#1\\"" x`);
    expect(stripComment(`--name "open #`)).toBe(`--name "open #`); // unterminated: the tokenizer reports it
  });
  it("never reaches the magic, and a --as inside it binds nothing", () => {
    expect(t("%sim net --steps 10   # comment")).toBe('await __phasor_magic("sim", "net --steps 10");');
    expect(t("%sim net --as r # not --as s")).toBe('const r = await __phasor_magic("sim", "net --as r");');
    expect(t("%sim net # see --as s")).toBe('await __phasor_magic("sim", "net");');
    expect(t("%%timeit -n 2  # two loops\nf()")).toContain('__phasor_code_magic("timeit", "-n 2", async () => {\nf()\n}, true)');
  });
});

describe("%%time and %%timeit over a body that uses magics", () => {
  it("%%time runs the transformed body inline, one line per line", () => {
    expect(t("%%time\n%sim net --steps 10\nconst x = 1").split("\n")).toEqual([
      '__phasor_inline_begin("time", "");', 'await __phasor_magic("sim", "net --steps 10");', "const x = 1",
    ]);
  });
  it("%%timeit times the transformed body, and nested cell magics work", () => {
    expect(t("%%timeit -r 2\n%sim net")).toBe('await __phasor_code_magic("timeit", "-r 2", async () => {\nawait __phasor_magic("sim", "net");\n}, true);');
    expect(t("%%time\n%%timeit\nf()")).toBe('__phasor_inline_begin("time", "");\nawait __phasor_code_magic("timeit", "", async () => {\nf()\n}, true);');
  });
  it("leaves the body of other cell magics as text", () => {
    expect(t("%%sim net\n%not a magic")).toBe('await __phasor_magic("sim", "net", "%not a magic");');
  });
});
