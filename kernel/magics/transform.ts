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
  if (cell) return transformCellMagic(lines, first, cell, shapeOf);
  return lines.map((l) => transformLine(l, shapeOf, split, isExpression)).join("\n");
}

function transformCellMagic(lines: string[], first: number, m: RegExpExecArray, shapeOf: ShapeOf): string {
  const [, name, help, argText = ""] = m;
  const head = lines.slice(0, first).join("\n");
  const body = lines.slice(first + 1).join("\n");
  const pre = head ? head + "\n" : "";
  if (help) return `${pre}await __phasor_magic_help(${JSON.stringify(name)});`;
  const { as } = takeAs(argText);
  const rest = argText;
  const bind = as ? `const ${as} = ` : "";
  const shape = shapeOf(name);
  if (shape?.inlineCell && !as) return `${pre}__phasor_inline_begin(${JSON.stringify(name)}, ${JSON.stringify(rest)});\n${body}`;
  if (shape?.code) {
    return `${pre}${bind}await __phasor_code_magic(${JSON.stringify(name)}, ${JSON.stringify(rest)}, async () => {\n${body}\n}, true);`;
  }
  return `${pre}${bind}await __phasor_magic(${JSON.stringify(name)}, ${JSON.stringify(rest)}, ${JSON.stringify(body)});`;
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
  const { as } = takeAs(argText);
  const bind = as ? `const ${as} = ` : "";
  return `${indent}${bind}await __phasor_magic(${JSON.stringify(name)}, ${JSON.stringify(argText)});`;
}
