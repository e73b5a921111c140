/**
 * The functions transformed magic lines call (see transform.ts), installed as globals in
 * the process that runs cells.
 */
import { PhasorError } from "../../lib/ir/errors.js";
import { fileError } from "../../lib/ir/io/files.js";
import { closeMatches, type Registry } from "../../lib/ir/registry.js";
import { HelpRequested, helpText, parseArgs, splitCodeMagic } from "./args.js";
import type { CompletionEnv, MagicCompletion } from "./complete.js";
import type { MagicShape } from "./transform.js";
import type { MagicContext, MagicInput, MagicSpec } from "./types.js";

/** Runs magics by name with a context; the session owns one per process. */
export class MagicRuntime {
  private inline: { spec: MagicSpec; state: unknown }[] = [];

  private loaded: Registry<MagicSpec> | undefined;

  /** `load` builds the registry on first use: magics pull in the compiler, VM and trainer, which a first cell without magics should not wait for. */
  constructor(private readonly load: () => Registry<MagicSpec>, private readonly ctx: () => MagicContext) {}

  private get registry(): Registry<MagicSpec> {
    return (this.loaded ??= this.load());
  }

  /** Shape of a magic for the source transform. */
  shapeOf = (name: string): MagicShape | undefined => {
    if (!this.registry.has(name)) return undefined;
    const s = this.registry.get(name);
    return { code: !!s.code, inlineCell: !!s.inlineCell };
  };

  /** Option/code split for a code magic. */
  split = (name: string, text: string): { options: string; code: string } => splitCodeMagic(this.registry.get(name), text);

  /** Known magic names (completion). */
  names(): string[] {
    return this.registry.names();
  }

  /** Completion of a magic line's text up to the cursor (complete.ts); undefined for a line that is not a magic. */
  complete(text: string, env: Pick<CompletionEnv, "variables" | "cwd">): MagicCompletion | undefined {
    if (!/^\s*%/.test(text)) return undefined;
    // Loaded on first use, as the registry is: it reads graphs and the target registry.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { completeMagicLine } = require("./complete.js") as typeof import("./complete.js");
    const spec = (name: string) => (this.registry.has(name) ? this.registry.get(name) : undefined);
    return completeMagicLine(text, { spec, names: () => this.names(), ...env });
  }

  /** Every registered magic, by name. */
  specs(): MagicSpec[] {
    return this.registry.names().map((n) => this.registry.get(n));
  }

  /** The `%name?` text for a known magic. */
  helpFor(name: string): string {
    return helpText(this.registry.get(name));
  }

  private spec(name: string, cell: boolean): MagicSpec {
    if (!this.registry.has(name)) {
      // The registry's message, with the % the user typed on the name, the suggestions and the list.
      const pct = cell ? "%%" : "%";
      const close = closeMatches(name, this.names()).map((c) => `"${pct}${c}"`);
      const hint = close.length ? ` Did you mean ${close.join(" or ")}?` : "";
      const known = this.names().map((n) => pct + n).join(", ");
      throw new PhasorError(`unknown magic "${pct}${name}".${hint} Known: ${known}`, "unknown");
    }
    const spec = this.registry.get(name);
    const mode = cell ? "cell" : "line";
    if (!spec.modes.includes(mode)) {
      const other = cell ? `%${name}` : `%%${name}`;
      throw new PhasorError(`${cell ? "%%" : "%"}${name} is not a ${mode} magic; use ${other}`, "usage");
    }
    return spec;
  }

  private parse(spec: MagicSpec, line: string, cell: boolean): Pick<MagicInput, "args" | "options"> | null {
    try {
      return parseArgs(spec, line, cell);
    } catch (e) {
      if (e instanceof HelpRequested) {
        this.ctx().page(helpText(spec));
        return null;
      }
      throw e;
    }
  }

  /** `%name args` / `%%name args` + body. */
  async magic(name: string, line: string, body?: string): Promise<unknown> {
    const cell = body !== undefined;
    const spec = this.spec(name, cell);
    const parsed = this.parse(spec, line, cell);
    if (!parsed) return undefined;
    let value: unknown;
    try {
      value = await spec.run({ ...parsed, line, body }, this.ctx());
    } catch (e) {
      throw fileError(e, `${cell ? "%%" : "%"}${name}`) ?? e; // a file the user named, not a bug: no stack trace
    }
    // The magic has shown its result; the object is for --as to bind, not an Out to print again.
    if (typeof value === "object" && value !== null && parsed.options.as === undefined) return undefined;
    return value;
  }

  /** A code magic (%time, %timeit): `code` runs the TypeScript that followed. */
  async codeMagic(name: string, line: string, code: () => Promise<unknown>, cell = false): Promise<unknown> {
    const spec = this.spec(name, cell);
    const parsed = this.parse(spec, line, cell);
    if (!parsed) return undefined;
    return spec.run({ ...parsed, line, code }, this.ctx());
  }

  /** `%name?`: help in the pager. */
  help(name: string): void {
    const spec = this.registry.has(name) ? this.registry.get(name) : this.spec(name, false);
    this.ctx().page(helpText(spec));
  }

  /** `%%time`-style cells: begin now, end when the cell finishes. */
  beginInline(name: string, line: string): void {
    const spec = this.spec(name, true);
    const parsed = this.parse(spec, line, true);
    if (!parsed || !spec.inlineCell) return;
    this.inline.push({ spec, state: spec.inlineCell.begin({ ...parsed, line }, this.ctx()) });
  }

  /** Called by the session after every cell, whatever its outcome. */
  endInline(): void {
    const open = this.inline;
    this.inline = [];
    for (const { spec, state } of open.reverse()) spec.inlineCell?.end(state, this.ctx());
  }

  /** Installs the globals that transformed cells call. */
  install(target: Record<string, unknown>): void {
    target.__phasor_magic = (name: string, line: string, body?: string) => this.magic(name, line, body);
    target.__phasor_code_magic = (name: string, line: string, code: () => Promise<unknown>, cell?: boolean) => this.codeMagic(name, line, code, cell);
    target.__phasor_magic_help = (name: string) => this.help(name);
    target.__phasor_inline_begin = (name: string, line: string) => this.beginInline(name, line);
  }
}
