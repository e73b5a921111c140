/**
 * Magic argument parsing with commander (exitOverride + configureOutput, so a mistake is a
 * PhasorError with the usage, never a process exit) and help generated from the spec.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { PhasorError } from "../../lib/ir/errors.js";
import { stripComment } from "./transform.js";
import type { MagicInput, MagicSpec } from "./types.js";

/** Shell-like split: whitespace separates, quotes group, backslash escapes in double quotes. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new PhasorError(`unterminated ${quote} quote in magic arguments`, "usage");
  if (has) out.push(cur);
  return out;
}

/** The commander program for one magic (fresh each time: commander keeps parse state). */
function command(spec: MagicSpec, cellMode: boolean): Command {
  const cmd = new Command(`${cellMode ? "%%" : "%"}${spec.name}`)
    .description(spec.summary + (spec.description ? `\n\n${spec.description}` : ""))
    .exitOverride()
    .allowExcessArguments(false)
    .helpOption("-h, --help", "show this help")
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  for (const a of spec.arguments ?? []) {
    const name = a.name + (a.variadic ? "..." : "");
    cmd.argument(a.required === false ? `[${name}]` : `<${name}>`, a.description);
  }
  if (spec.code) cmd.argument("[code...]", "TypeScript to run (for %%: the cell body)");
  for (const o of spec.options ?? []) {
    const opt = new Option(o.flags, o.description);
    if (o.default !== undefined) opt.default(o.default);
    if (o.choices) opt.choices(o.choices);
    if (o.parse) {
      const parse = o.parse;
      opt.argParser((v: string) => {
        try {
          return parse(v);
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message); // commander adds the option and usage
        }
      });
    }
    cmd.addOption(opt);
  }
  cmd.option("--as <name>", "bind the result to a variable that later code can use");
  return cmd;
}

/** The `%name?` help text. */
export function helpText(spec: MagicSpec): string {
  const modes = spec.modes.map((m) => (m === "line" ? `%${spec.name}` : `%%${spec.name}`)).join(" and ");
  let text = command(spec, spec.modes[0] === "cell").helpInformation().trimEnd();
  text += `\n\nForms: ${modes}.`;
  if (spec.examples?.length) text += "\n\nExamples:\n" + spec.examples.map((e) => `  ${e}`).join("\n");
  return text + "\n";
}

/** Parses a magic's argument text; a mistake throws PhasorError carrying the usage. */
export function parseArgs(spec: MagicSpec, line: string, cellMode: boolean): Pick<MagicInput, "args" | "options"> {
  const cmd = command(spec, cellMode);
  try {
    cmd.parse(tokenize(stripComment(line)), { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === "commander.helpDisplayed") throw new HelpRequested(spec);
    const msg = e.message.replace(/^error: /, "");
    throw new PhasorError(`${cmd.name()}: ${msg}\nUsage: ${cmd.name()} ${cmd.usage()}\n(see ${cmd.name()}? for help)`, "usage");
  }
  return { args: cmd.processedArgs, options: cmd.opts() };
}

/** Thrown by parseArgs for `--help`: the caller shows the help instead of running. */
export class HelpRequested extends Error {
  override readonly name = "HelpRequested";
  constructor(readonly spec: MagicSpec) {
    super(`help for %${spec.name}`);
  }
}

/** Whether an option flag (from a spec) takes a value: "-n, --number <n>". */
export function takesValue(flags: string): boolean {
  return /[<[]/.test(flags);
}

/** The flags an option declares: "-n, --number <n>" -> ["-n", "--number"]. */
export function flagsOf(flags: string): string[] {
  return flags.split(/[ ,|]+/).filter((f) => f.startsWith("-"));
}

/** The placeholder of an option's value: "--record <nodes>" -> "nodes"; undefined for a switch. */
export function placeholderOf(flags: string): string | undefined {
  return /[<[]([^>\]]+)[>\]]/.exec(flags)?.[1];
}

/** For a code magic: splits leading options from the TypeScript that follows them. */
export function splitCodeMagic(spec: MagicSpec, text: string): { options: string; code: string } {
  const flags = new Map<string, boolean>();
  for (const o of [...(spec.options ?? []), { flags: "--as <name>" }]) {
    for (const f of flagsOf(o.flags)) flags.set(f, takesValue(o.flags));
  }
  let rest = text;
  const taken: string[] = [];
  for (;;) {
    const m = /^\s*(\S+)/.exec(rest);
    if (!m || !m[1].startsWith("-")) break;
    const [flag, inline] = m[1].split("=", 2);
    const wants = flags.get(flag);
    if (wants === undefined && /^--[A-Za-z]/.test(flag)) {
      const known = [...flags.keys()].filter((f) => f.startsWith("--")).join(", ");
      throw new PhasorError(`%${spec.name}: unknown option '${flag}' (known: ${known})\n(see %${spec.name}? for help)`, "usage");
    }
    if (wants === undefined) break;
    taken.push(m[1]);
    rest = rest.slice(m[0].length);
    if (wants && inline === undefined) {
      const v = /^\s*(\S+)/.exec(rest);
      if (!v) break;
      taken.push(v[1]);
      rest = rest.slice(v[0].length);
    }
  }
  return { options: taken.join(" "), code: rest.trim() };
}
