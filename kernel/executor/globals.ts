/**
 * The names every cell sees without an import (`phasor`, `display`, `input`, `prompt`,
 * `signal`) and their TypeScript declarations, prepended to the converter's declaration file.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The compiled tree (dist/) that holds lib/ and kernel/. */
function distRoot(): string {
  const up = resolve(__dirname, "..", "..");
  return existsSync(join(up, "lib", "index.js")) || up.endsWith("dist") ? up : join(up, "dist");
}

/** Path of the public API module (dist/lib/index.js). */
export function publicApiPath(): string {
  return join(distRoot(), "lib", "index.js");
}

function typeOf(dts: string, expr: (spec: string) => string): string {
  return existsSync(dts) ? expr(JSON.stringify(dts.replace(/\.d\.ts$/, ""))) : "any";
}

/** The `declare global` block for cells (without `phasor`), as a module .d.ts text. */
export function globalDeclarations(): string {
  const display = typeOf(join(distRoot(), "kernel", "display.d.ts"), (s) => `import(${s}).Display`);
  return (
    "export {};\ndeclare global {\n" +
    `  /** Rich output: display(value), display.html, .markdown, .json, .table, .plotly, .progress. */\n  const display: ${display};\n` +
    "  /** Asks the user for a line of text (the front end's stdin). */\n" +
    "  function input(prompt?: string, options?: { password?: boolean }): Promise<string>;\n" +
    "  /** Same as input(). */\n  const prompt: typeof input;\n" +
    "  /** Aborted when the running cell is interrupted. */\n  const signal: AbortSignal;\n" +
    "  function __phasor_magic(name: string, args: string, body?: string): Promise<any>;\n" +
    "  function __phasor_code_magic(name: string, args: string, code: () => Promise<unknown>, cell?: boolean): Promise<any>;\n" +
    "  function __phasor_magic_help(name: string): void;\n" +
    "  function __phasor_inline_begin(name: string, args: string): void;\n" +
    "  function __phasor_await<T>(value: T): T;\n" +
    "}\n"
  );
}

/** The `phasor` global's declaration (kept apart: its types take ~0.4 s to load). */
export function phasorDeclaration(): string {
  const api = typeOf(join(distRoot(), "lib", "index.d.ts"), (s) => `typeof import(${s})`);
  return `export {};\ndeclare global {\n  /** Phasor's public API. */\n  const phasor: ${api};\n}\n`;
}

/**
 * Writes the globals to .d.ts files and returns the lines that import them (`core`, and
 * `phasor` for once a cell mentions it). The imports sit in the converter's declaration
 * prefix: declarations made in that prefix itself would be rewritten by tslab into
 * `exports.name`, while ones in an imported file stay global.
 */
export function globalsImports(): { core: string; phasor: string } {
  const dir = mkdtempSync(join(tmpdir(), "phasor-cell-"));
  writeFileSync(join(dir, "globals.d.ts"), globalDeclarations());
  writeFileSync(join(dir, "phasor.d.ts"), phasorDeclaration());
  return { core: `import ${JSON.stringify(join(dir, "globals"))};\n`, phasor: `import ${JSON.stringify(join(dir, "phasor"))};\n` };
}

/** Defines `name` on globalThis as a lazily computed, then fixed, value. */
export function defineLazyGlobal(name: string, load: () => unknown): void {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: false,
    get() {
      const value = load();
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true, enumerable: false });
      return value;
    },
  });
}
