// Docs as tests: every code block of README.md and docs/*.md marked runnable is executed as a
// user would — `<!-- run: cell -->` blocks as cells of one real kernel per document, in order;
// `<!-- run: shell -->` blocks in a shell with `phasor` on the PATH (`npx phasor` as typed in
// the docs) — and must succeed. A `<!-- output -->` block after a cell is what the reader is
// told they will see: its spike counts must be the run's. `needs ../shared` in the marker skips
// the block (with a message) where the shared folder is absent.
// PHASOR_UPDATE_DOCS=1 rewrites the output blocks from the run (the README tour's outputs are made so).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, TestKernel, type Msg } from "./kernel-client.js";
import { need, sharedDir } from "./support.js";

interface Block { kind: "cell" | "shell"; code: string; needsShared: boolean; output?: { text: string; start: number; end: number } }

/** The runnable blocks of a markdown text, each with the output block that follows it (offsets into the text). */
export function runnableBlocks(md: string): Block[] {
  const blocks: Block[] = [];
  const re = /<!-- (run: (cell|shell)([^>]*)|output) -->\n```[^\n]*\n([\s\S]*?)```/g;
  for (let m = re.exec(md); m; m = re.exec(md)) {
    if (m[1] === "output") {
      const last = blocks[blocks.length - 1];
      if (!last || last.output) throw new Error(`an output block at ${m.index} follows no runnable block`);
      const start = m.index + m[0].indexOf("```"), end = m.index + m[0].length;
      last.output = { text: m[4], start, end };
    } else blocks.push({ kind: m[2] as Block["kind"], code: m[4], needsShared: /needs \.\.\/shared/.test(m[3]) });
  }
  return blocks;
}

/** What a cell shows as text: streams and the plain-text form of results and displays, progress bars left out. */
function shown(out: Msg[]): string {
  const lines: string[] = [];
  for (const m of out) {
    const t = m.header.msg_type, c = m.content as Record<string, unknown>;
    if (t === "stream") lines.push(String(c.text).replace(/\n$/, ""));
    else if (t === "execute_result" || t === "display_data") lines.push(String((c.data as Record<string, unknown>)["text/plain"] ?? ""));
    else if (t === "error") lines.push(`${c.ename}: ${c.evalue}`);
  }
  return lines.filter((l) => l && !/\[[.#=> ]+\]\s*\d+%/.test(l)).join("\n");
}

/** The distinct spike counts ("N spikes") a text states, sorted (a figure's summary may repeat a count). */
const spikeCounts = (text: string) => [...new Set([...text.matchAll(/(\d+) spikes/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);

/** A folder whose parent has `shared` (as the repository's does), and a PATH entry with `phasor`. */
function sandbox(): { cwd: string; path: string } {
  const root = mkdtempSync(join(tmpdir(), "phasor-docs-")), cwd = join(root, "work"), bin = join(root, "bin");
  mkdirSync(cwd); mkdirSync(bin);
  if (existsSync(sharedDir)) symlinkSync(sharedDir, join(root, "shared"));
  writeFileSync(join(bin, "phasor"), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "bin", "phasor.js")}" "$@"\n`);
  chmodSync(join(bin, "phasor"), 0o755);
  return { cwd, path: `${bin}:${process.env.PATH}` };
}

const docs = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)]
  .map((file) => ({ file, blocks: runnableBlocks(readFileSync(join(ROOT, file), "utf8")) }))
  .filter((d) => d.blocks.length);
const haveShared = existsSync(join(sharedDir, "nir-paper"));

describe("runnable blocks of the docs", () => {
  test("the README's tour is there, with outputs", () => {
    const readme = docs.find((d) => d.file === "README.md");
    expect(readme?.blocks.filter((b) => b.kind === "cell" && b.output).length).toBeGreaterThanOrEqual(5);
  });

  test("notebooks/00-tour.ipynb has the README tour's cells, in order", () => {
    const nb = JSON.parse(readFileSync(join(ROOT, "notebooks/00-tour.ipynb"), "utf8")) as { cells: Array<{ cell_type: string; source: string[] }> };
    const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source.join("").trimEnd());
    const readme = docs.find((d) => d.file === "README.md")!.blocks.filter((b) => b.kind === "cell").map((b) => b.code.trimEnd());
    expect(code).toEqual(readme);
  });

  test.each(docs.map((d) => [d.file, d] as const))("%s", async (file, d) => {
    const box = sandbox();
    let kernel: TestKernel | undefined;
    const updates: Array<{ start: number; end: number; text: string }> = [];
    try {
      for (const b of d.blocks) {
        if (b.needsShared && !need("../shared (for a docs example)", haveShared, "place the shared folder beside the repository")) continue;
        if (b.kind === "shell") {
          execFileSync("/bin/sh", ["-ec", b.code.replace(/\bnpx phasor\b/g, "phasor")], { cwd: box.cwd, env: { ...process.env, PATH: box.path }, stdio: "pipe", timeout: 120_000 });
          continue;
        }
        kernel ??= await TestKernel.start({ cwd: box.cwd });
        const { reply, out } = await kernel.execute(b.code, {}, 180_000);
        const text = shown(out);
        expect(reply.content.status, `${file}: the cell\n${b.code}\nfailed:\n${text}`).toBe("ok");
        if (!b.output) continue;
        if (process.env.PHASOR_UPDATE_DOCS === "1") updates.push({ start: b.output.start, end: b.output.end, text });
        else expect(spikeCounts(text), `${file}: spike counts shown after\n${b.code}`).toEqual(spikeCounts(b.output.text));
      }
    } finally {
      await kernel?.close();
    }
    if (updates.length) {
      let md = readFileSync(join(ROOT, file), "utf8");
      for (const u of updates.reverse()) md = md.slice(0, u.start) + "```text\n" + u.text + "\n```" + md.slice(u.end);
      writeFileSync(join(ROOT, file), md);
    }
  }, 900_000);
});
