/** Files a user named: missing, a folder, or in a folder that does not exist give a PhasorError naming the path and what to do. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isPhasorError } from "../errors.js";
import { checkReadable, checkWritable, fileError } from "./files.js";

const dir = mkdtempSync(join(tmpdir(), "phasor-files-"));
const file = join(dir, "a.csv");
writeFileSync(file, "1\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    if (isPhasorError(e)) return e.message;
    throw e;
  }
  return "(no error)";
};

describe("files a user named", () => {
  it("refuses to read a missing file or a folder, naming the option and the path", () => {
    expect(message(() => checkReadable(join(dir, "nope.csv"), "--input"))).toBe(`--input: ${join(dir, "nope.csv")} does not exist; check the name (a relative path starts at the working folder)`);
    expect(message(() => checkReadable(dir, "--input"))).toBe(`--input: ${dir} is a folder; give a file name`);
    expect(message(() => checkReadable(file, "--input"))).toBe("(no error)");
  });
  it("refuses to write into a missing folder, over a folder, or below a file", () => {
    expect(message(() => checkWritable("/no/such/dir/ck.json", "--checkpoint"))).toBe(
      "--checkpoint: cannot write /no/such/dir/ck.json: folder /no/such/dir does not exist; create it first (mkdir -p /no/such/dir) or choose another path",
    );
    expect(message(() => checkWritable(dir, "--out"))).toBe(`--out: cannot write ${dir}: it is a folder; give a file name`);
    expect(message(() => checkWritable(join(file, "x.json"), "--out"))).toBe(`--out: cannot write ${join(file, "x.json")}: ${file} is a file, not a folder`);
    expect(message(() => checkWritable(join(dir, "new.json"), "--out"))).toBe("(no error)");
    expect(message(() => checkWritable(file, "--out"))).toBe("(no error)");
  });
  it("turns Node's file errors into a PhasorError and leaves other errors alone", () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/no/such/dir/x'"), { code: "ENOENT", syscall: "open", path: "/no/such/dir/x" });
    expect(fileError(enoent, "%nir")?.message).toBe("%nir: /no/such/dir/x: folder /no/such/dir does not exist; create it first (mkdir -p /no/such/dir) or choose another path");
    const eisdir = Object.assign(new Error("EISDIR"), { code: "EISDIR", path: dir });
    expect(fileError(eisdir)?.message).toBe(`${dir} is a folder; give a file name`);
    const eacces = Object.assign(new Error("EACCES"), { code: "EACCES", path: "/root/x" });
    expect(fileError(eacces)?.message).toBe("/root/x cannot be accessed: permission denied; check its permissions or choose another path");
    expect(fileError(new TypeError("x is not a function"))).toBeUndefined();
  });
});
