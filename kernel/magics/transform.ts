/**
 * Rewrites magic lines into TypeScript that calls the magic runtime, so magics mix with
 * code and `--as name` binds a real variable. Each magic line becomes exactly one line,
 * so TypeScript diagnostics keep the cell's line numbers.
 *
 *   %name args            ->  await __phasor_magic("name", "args")
 *   %name args --as x     ->  const x = await __phasor_magic("name", "args")
 *   %name?                ->  await __phasor_magic_help("name")
 *   %time expr            ->  await __phasor_code_magic("time", "", async () => (expr))
 *   %%name args  (line 1) ->  the whole cell: await __phasor_magic("name", "args", "<body>")
 *   %%time       (line 1) ->  __phasor_inline_begin("time", ""); then the body, unchanged
 *   %%timeit     (line 1) ->  await __phasor_code_magic("timeit", "", async () => { <body>
 *                             });
 *
 * A trailing `# comment` on a magic line is dropped (see stripComment); the TypeScript after
 * %time or %timeit keeps TypeScript's own comments (`//`).
 *
 * Magic lines are recognised at the start of a line (after indentation), outside strings
 * only in the sense that a template literal line starting with `%` is also taken: keep
 * magics at the top level of a cell.
 */

/** What the transform needs to know about a magic name. */
export interface MagicShape {
  code: boolean;
  inlineCell: boolean;
}

/** Looks up a magic's shape; undefined for unknown names (the runtime then reports them). */
export type ShapeOf = (name: string) => MagicShape | undefined;

/** Splits code magic text into option text and code (see args.ts splitCodeMagic). */
export type SplitCode = (name: string, text: string) => { options: string; code: string };

const LINE = /^(\s*)%(?!%)([A-Za-z_][\w-]*)(\?{1,2})?(?:\s(.*))?$/;
const CELL = /^\s*%%([A-Za-z_][\w-]*)(\?{1,2})?(?:\s(.*))?$/;
const AS = /(^|\s)--as(?:\s+|=)([A-Za-z_$][\w$]*)(?=\s|$)/;

/**
 * Drops a trailing `# comment` from magic arguments: `#` starts a comment at the start of a
 * word outside quotes, as in a POSIX shell, so `"a # b"`, `'#x'` and `a#b` are kept.
 */
export function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) return text.slice(0, i).trimEnd();
  }
  return text;
}

/** Whether a cell uses magics at all (cheap pre-check). */
export function hasMagic(code: string): boolean {
  return /(^|\n)\s*%/.test(code);
}

/** Removes `--as name` from argument text. */
export function takeAs(text: string): { rest: string; as?: string } {
  const m = AS.exec(text);
  if (!m) return { rest: text };
  return { rest: (text.slice(0, m.index) + text.slice(m.index + m[0].length)).trim(), as: m[2] };
}

/** Rewrites a cell; `isExpression` decides `(expr)` vs `{ statements }` for code magics. */
export function transformCell(code: string, shapeOf: ShapeOf, split: SplitCode, isExpression: (s: string) => boolean): string {
  if (!hasMagic(code)) return code;
  const lines = code.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  const cell = first >= 0 ? CELL.exec(lines[first]) : null;
  if (cell) return transformCellMagic(lines, first, cell, shapeOf, split, isExpression);
  return lines.map((l) => transformLine(l, shapeOf, split, isExpression)).join("\n");
}

function transformCellMagic(
  lines: string[], first: number, m: RegExpExecArray, shapeOf: ShapeOf, split: SplitCode, isExpression: (s: string) => boolean,
): string {
  const [, name, help, argText = ""] = m;
  const head = lines.slice(0, first).join("\n");
  const raw = lines.slice(first + 1).join("\n");
  // A body that runs as cell code (%%time, %%timeit) may itself use magics, as in IPython.
  const code = (): string => transformCell(raw, shapeOf, split, isExpression);
  const pre = head ? head + "\n" : "";
  if (help) return `${pre}await __phasor_magic_help(${JSON.stringify(name)});`;
  const rest = stripComment(argText);
  const { as } = takeAs(rest);
  const bind = as ? `const ${as} = ` : "";
  const shape = shapeOf(name);
  if (shape?.inlineCell && !as) return `${pre}__phasor_inline_begin(${JSON.stringify(name)}, ${JSON.stringify(rest)});\n${code()}`;
  if (shape?.code) {
    return `${pre}${bind}await __phasor_code_magic(${JSON.stringify(name)}, ${JSON.stringify(rest)}, async () => {\n${code()}\n}, true);`;
  }
  return `${pre}${bind}await __phasor_magic(${JSON.stringify(name)}, ${JSON.stringify(rest)}, ${JSON.stringify(raw)});`;
}

function transformLine(line: string, shapeOf: ShapeOf, split: SplitCode, isExpression: (s: string) => boolean): string {
  const m = LINE.exec(line);
  if (!m) return line;
  const [, indent, name, help, argText = ""] = m;
  if (help) return `${indent}await __phasor_magic_help(${JSON.stringify(name)});`;
  const shape = shapeOf(name);
  if (shape?.code) {
    const { options, code } = split(name, argText);
    const { as } = takeAs(options);
    const rest = options;
    const bind = as ? `const ${as} = ` : "";
    const src = code.replace(/;+\s*$/, "");
    const fn = src === "" ? "async () => {}" : isExpression(src) ? `async () => (${src})` : `async () => { ${src} }`;
    return `${indent}${bind}await __phasor_code_magic(${JSON.stringify(name)}, ${JSON.stringify(rest)}, ${fn});`;
  }
  const args = stripComment(argText);
  const { as } = takeAs(args);
  const bind = as ? `const ${as} = ` : "";
  return `${indent}${bind}await __phasor_magic(${JSON.stringify(name)}, ${JSON.stringify(args)});`;
}
