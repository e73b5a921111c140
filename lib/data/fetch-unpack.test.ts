import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { tarGzOf, zipOf } from "../../test/data-warehouse-helpers.js";
import { unpack } from "./fetch-unpack.js";

const dir = mkdtempSync(join(tmpdir(), "phasor-unpack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

describe("unpack", () => {
  it("zip (stored and deflated), tar.gz and gzip give the files back byte for byte", async () => {
    const files = { "a/b.bin": bytes(1000), "c.txt": Buffer.from("hello") };
    for (const [kind, data] of [["zip", zipOf(files)], ["zip", zipOf(files, false)], ["tar.gz", tarGzOf(files)]] as const) {
      const src = join(dir, `x.${kind}`), out = join(dir, `out-${kind}-${data.length}`);
      writeFileSync(src, data);
      expect((await unpack(kind, src, out, "x")).sort()).toEqual(["a/b.bin", "c.txt"]);
      expect(new Uint8Array(readFileSync(join(out, "a/b.bin")))).toEqual(files["a/b.bin"]);
    }
    writeFileSync(join(dir, "y.h5.gz"), gzipSync(bytes(300)));
    expect(await unpack("gzip", join(dir, "y.h5.gz"), join(dir, "g"), "y.h5.gz")).toEqual(["y.h5"]);
    expect(new Uint8Array(readFileSync(join(dir, "g", "y.h5")))).toEqual(bytes(300));
  });

  it("refuses entries that would land outside the folder, and damaged entries", async () => {
    writeFileSync(join(dir, "evil.zip"), zipOf({ "../evil.txt": bytes(3) }));
    await expect(unpack("zip", join(dir, "evil.zip"), join(dir, "e"), "evil.zip")).rejects.toThrow(/evil\.zip\.\.\.\/evil\.txt: entry would be written outside/);
    const z = zipOf({ "f.bin": bytes(100) }, false);
    z[40] ^= 1; // a data byte of the stored entry
    writeFileSync(join(dir, "crc.zip"), z);
    await expect(unpack("zip", join(dir, "crc.zip"), join(dir, "c"), "crc.zip")).rejects.toThrow(/CRC-32 mismatch/);
  });
});
