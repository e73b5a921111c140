/**
 * What a magic is: a name, an argument spec (from which the parser and `%name?` help are
 * generated), the modes it supports, and a `run` function over the public API.
 * A new magic is one file exporting `defineMagic({...})`, added to the list in index.ts.
 */
import type { Display } from "../display.js";

/** Where completion candidates for a value come from (see complete.ts). */
export type ValueSource =
  | "targets" // registered target names
  | "nodes" // node names of the Graph a positional argument names
  | "layers" // layer names of the Program (or RunResult) a positional argument names
  | "records" // recorded layers of the RunResult a positional argument names
  | "files" | "dirs"
  | "variables" | "graphs" | "programs" | "results"; // cell variables: any, or those holding that kind

/** How a value completes; without one it is inferred from choices, parse and the placeholder (complete.ts). */
export interface ValueCompletion {
  from?: ValueSource[];
  /** Fixed words, e.g. a magic's actions. */
  values?: string[];
  /** File endings offered (".nir"); folders are always offered. */
  ext?: string[];
  /** A comma-separated list: the item after the last comma completes. */
  list?: boolean;
}

/** A positional argument, in commander's terms (`<file>`, `[name]`, `<values...>`). */
export interface MagicArgument {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
  /** Completion of its value (default: cell variables and files). */
  complete?: ValueCompletion;
}

/** An option, in commander's flag syntax: "-n, --number <n>", "--json". */
export interface MagicOption {
  flags: string;
  description: string;
  default?: string | number | boolean | string[];
  choices?: string[];
  /** Converts the raw text (e.g. parseFloat); throw to report a bad value. */
  parse?: (value: string) => unknown;
  /** Completion of its value, where choices and the placeholder do not say it. */
  complete?: ValueCompletion;
}

/** What a magic gets from its invocation. */
export interface MagicInput {
  /** Positional arguments, in spec order (variadic ones as arrays). */
  args: unknown[];
  /** Options by camel-cased long name (`--out-file` -> `outFile`). */
  options: Record<string, unknown>;
  /** The raw argument text after the magic's name. */
  line: string;
  /** For a cell magic: the lines after the first. */
  body?: string;
  /** For a code magic: runs the TypeScript that followed the options (or the cell body). */
  code?: () => Promise<unknown>;
}

/** The environment a magic runs in. */
export interface MagicContext {
  /** The `display` global of cells. */
  display: Display;
  /** The notebook's directory: resolve relative file names against it. */
  cwd: string;
  /** Aborted when the user interrupts the cell; pass it to long runs. */
  signal: AbortSignal;
  /** Binds a value to a variable that later cells can use. */
  setVariable(name: string, value: unknown): void;
  /** The value of a variable a cell (or `--as`) defined; undefined when there is none. */
  getVariable(name: string): unknown;
  /** Shows text in the front end's pager (help, long reports). */
  page(text: string): void;
  /** Prints to the cell's stdout. */
  print(text: string): void;
  /** Every registered magic (for %lsmagic). */
  magics(): MagicSpec[];
}

/** For a cell magic whose body runs as ordinary cell code (variables persist): called around it. */
export interface InlineCell<S = unknown> {
  begin(input: MagicInput, ctx: MagicContext): S;
  end(state: S, ctx: MagicContext): void;
}

/** A magic's definition. */
export interface MagicSpec {
  name: string;
  /** One line, shown by %lsmagic. */
  summary: string;
  /** More prose for `%name?`. */
  description?: string;
  arguments?: MagicArgument[];
  options?: MagicOption[];
  /** `line` (%name), `cell` (%%name), or both. */
  modes: ("line" | "cell")[];
  /** The text after the options is TypeScript that the magic runs through `input.code`. */
  code?: boolean;
  /** Cell mode for a code magic that must leave the body's variables in place (%%time). */
  inlineCell?: InlineCell;
  /** Example invocations for the help text. */
  examples?: string[];
  run(input: MagicInput, ctx: MagicContext): unknown;
}

/** Declares a magic (identity function that checks the shape at compile time). */
export function defineMagic(spec: MagicSpec): MagicSpec {
  return spec;
}
