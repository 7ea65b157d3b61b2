import { ImportError } from "./errors.js";
import { fmt, type Position } from "./located.js";

/** A variable's value and where it came from (`the shell`, `.env`, `--env-file dev.env`, a default). */
export interface Variable {
  value: string;
  source: string;
}

export type Lookup = (name: string) => Variable | undefined;

/** A variable read during interpolation: its name and where its value came from. */
export interface VariableUse {
  name: string;
  source: string;
  at: Position;
}

/** How to say where variables can be set, in the message of an unset one. */
export interface InterpolationContext {
  at: Position;
  hint: string;
  used?: VariableUse[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Substitutes variables the way the Compose specification says: `${VAR}`, `$VAR`, `${VAR:-default}`
 * (unset or empty), `${VAR-default}` (unset), `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
 * `${VAR+alt}`, nested defaults, and `$$` for a literal `$`. Stricter than Compose on one point: a
 * variable that is unset and has no default is an error (Compose warns and uses an empty string),
 * because an imported manifest must not silently carry an empty value.
 *
 * @example
 * interpolate("${PORT:-8080}", () => undefined, ctx); // "8080"
 */
export function interpolate(input: string, lookup: Lookup, ctx: InterpolationContext): string {
  let out = "";
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
    } else if (next === "{") {
      const end = closingBrace(input, i + 2);
      if (end < 0)
        throw new ImportError(`${fmt(ctx.at)}: invalid interpolation: '${input}' has no closing }`);
      out += braced(input.slice(i + 2, end), input, lookup, ctx);
      i = end + 1;
    } else {
      const name = NAME.exec(input.slice(i + 1))?.[0];
      if (name) {
        out += required(name, lookup, ctx);
        i += 1 + name.length;
      } else {
        out += "$";
        i++;
      }
    }
  }
  return out;
}

function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === "$" && s[i + 1] === "$") {
      i++;
    } else if (s[i] === "$" && s[i + 1] === "{") {
      depth++;
      i++;
    } else if (s[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, whole: string, lookup: Lookup, ctx: InterpolationContext): string {
  const name = NAME.exec(body)?.[0];
  if (!name) {
    throw new ImportError(
      `${fmt(ctx.at)}: invalid interpolation: '\${${body}}' in '${whole}' does not start with a variable name`,
    );
  }
  const rest = body.slice(name.length);
  if (rest === "") return required(name, lookup, ctx);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) {
    throw new ImportError(
      `${fmt(ctx.at)}: invalid interpolation: '\${${body}}' in '${whole}'; Compose allows \${${name}}, ` +
        `\${${name}:-default}, \${${name}-default}, \${${name}:?error} and \${${name}?error}`,
    );
  }
  const arg = rest.slice(op.length);
  const v = lookup(name);
  const unsetOrEmpty = v === undefined || v.value === "";
  const nested = () => interpolate(arg, lookup, ctx);
  switch (op) {
    case ":-":
      if (!unsetOrEmpty) return use(name, v!, ctx);
      return nested();
    case "-":
      if (v !== undefined) return use(name, v, ctx);
      return nested();
    case ":?":
    case "?":
      if (op === ":?" ? unsetOrEmpty : v === undefined) {
        throw new ImportError(
          `${fmt(ctx.at)}: variable ${name} is required: ${nested() || "it is not set"} (${ctx.hint})`,
        );
      }
      return use(name, v!, ctx);
    case ":+":
      if (unsetOrEmpty) return "";
      use(name, v!, ctx);
      return nested();
    default:
      if (v === undefined) return "";
      use(name, v, ctx);
      return nested();
  }
}

function required(name: string, lookup: Lookup, ctx: InterpolationContext): string {
  const v = lookup(name);
  if (v === undefined) {
    throw new ImportError(
      `${fmt(ctx.at)}: variable ${name} is not set and has no default; ${ctx.hint}, or give a default: \${${name}:-value}`,
    );
  }
  return use(name, v, ctx);
}

function use(name: string, v: Variable, ctx: InterpolationContext): string {
  ctx.used?.push({ name, source: v.source, at: ctx.at });
  return v.value;
}
