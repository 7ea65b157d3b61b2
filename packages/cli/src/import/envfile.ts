import { ImportError } from "./errors.js";
import { type InterpolationContext, interpolate, type Lookup, type VariableUse } from "./interpolate.js";
import type { Position } from "./located.js";

/** One variable of an env file, with the line it is on. */
export interface EnvFileEntry {
  name: string;
  /** The value; undefined for a bare `NAME` line (take it from the environment, else unset). */
  value: string | undefined;
  at: Position;
}

export interface EnvFileOptions {
  /** The file as shown in messages. */
  shown: string;
  /** Variables for interpolation (after the file's own earlier lines). */
  lookup: Lookup;
  /** `raw`: no interpolation, values as written (Compose's `format: raw`). */
  raw?: boolean;
  /** How to say where variables can be set, for an unset one. */
  hint: string;
  used?: VariableUse[];
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(=?)(.*)$/;

/**
 * Reads an env file as Compose does: `NAME=value` lines, `#` comments and blank lines skipped,
 * unquoted values trimmed with ` #` comments cut, `"…"` values with escapes (`\n`, `\t`, `\\`,
 * `\"`) and interpolation, `'…'` values literal; quoted values may span lines. Unquoted and
 * double-quoted values are interpolated (earlier lines of the file first, then `lookup`).
 *
 * @example
 * parseEnvFile('A=1\nB="${A}2" # two\n', opts); // A=1, B=12
 */
export function parseEnvFile(content: string, opts: EnvFileOptions): EnvFileEntry[] {
  const lines = content.replace(/^\uFEFF/, "").split(/\r?\n/);
  const out: EnvFileEntry[] = [];
  const own = new Map<string, string>();
  const lookup: Lookup = (name) => {
    const v = own.get(name);
    return v !== undefined ? { value: v, source: opts.shown } : opts.lookup(name);
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = LINE.exec(line);
    const at: Position = { file: opts.shown, line: n + 1, column: 1 };
    if (!m) {
      throw new ImportError(`${opts.shown}:${n + 1}:1: not a NAME=value line: '${line.trim()}'`);
    }
    const [, name, eq, rest] = m as unknown as [string, string, string, string];
    if (!eq && rest.trim() !== "") {
      throw new ImportError(`${opts.shown}:${n + 1}:1: not a NAME=value line: '${line.trim()}'`);
    }
    if (!eq) {
      out.push({ name, value: undefined, at });
      continue;
    }
    const valueAt: Position = { ...at, column: line.indexOf("=") + 2 };
    const ctx: InterpolationContext = {
      at: valueAt,
      hint: opts.hint,
      ...(opts.used ? { used: opts.used } : {}),
    };
    const trimmed = rest.replace(/^\s+/, "");
    let value: string;
    const quote = trimmed[0];
    if (quote === '"' || quote === "'") {
      // A quoted value ends at the next unescaped quote of its kind, maybe lines later.
      let body = trimmed.slice(1);
      let close = closingQuote(body, quote);
      while (close < 0 && n + 1 < lines.length) {
        n++;
        body += `\n${lines[n]}`;
        close = closingQuote(body, quote);
      }
      if (close < 0)
        throw new ImportError(
          `${opts.shown}:${at.line}:${valueAt.column}: ${name}'s ${quote} is never closed`,
        );
      const after = body.slice(close + 1);
      if (!/^\s*(#.*)?$/.test(after)) {
        throw new ImportError(
          `${opts.shown}:${at.line}:${valueAt.column}: unexpected text after ${name}'s closing quote: '${after.trim()}'`,
        );
      }
      const inner = body.slice(0, close);
      if (quote === "'") value = inner.replace(/\\'/g, "'");
      else {
        const unescaped = inner.replace(/\\([nrt"\\$])/g, (_, c: string) =>
          c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c === "$" ? "$$" : c,
        );
        value = opts.raw ? inner : interpolate(unescaped, lookup, ctx);
      }
    } else {
      const cut = trimmed.search(/\s#/);
      const bare = (cut >= 0 ? trimmed.slice(0, cut) : trimmed).trim();
      value = opts.raw ? bare : interpolate(bare, lookup, ctx);
    }
    own.set(name, value);
    out.push({ name, value, at });
  }
  return out;
}

function closingQuote(s: string, quote: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}
