/** %lsmagic: every magic with its one-line summary. */
import { defineMagic } from "./types.js";

/** The %lsmagic magic. */
export const lsmagicMagic = defineMagic({
  name: "lsmagic",
  summary: "list the available magics",
  modes: ["line"],
  run(_input, ctx) {
    const specs = ctx.magics();
    const width = Math.max(...specs.map((s) => s.name.length)) + 3;
    const form = (s: (typeof specs)[number]): string => (s.modes.includes("line") ? "%" : "%%") + s.name;
    const lines = specs.map((s) => `  ${form(s).padEnd(width)}${s.summary}${s.modes.length === 2 ? " (also %%" + s.name + ")" : ""}`);
    ctx.print(`Available magics (help: %name?):\n${lines.join("\n")}\n`);
  },
});
