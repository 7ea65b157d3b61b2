/**
 * Safe rendering of program-derived text (resource names, values, messages) into a GitHub
 * comment: nothing it contains can open markdown or HTML, mention someone, or close a fence.
 */

/** Characters that do harm outside code: control characters and bidi overrides. */
function clean(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, "");
}

function longestRun(s: string, ch: string): number {
  let best = 0;
  let cur = 0;
  for (const c of s) {
    cur = c === ch ? cur + 1 : 0;
    best = Math.max(best, cur);
  }
  return best;
}

/**
 * Inline code for one line of text: a backtick fence longer than any run inside, `|` escaped so a
 * table cell stays one cell, newlines folded. Code spans render neither markdown, HTML nor
 * @-mentions.
 */
export function code(text: string): string {
  const s = clean(text).replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  const fence = "`".repeat(longestRun(s, "`") + 1);
  const pad = s.startsWith("`") || s.endsWith("`") || s.startsWith(" ") ? " " : "";
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the body. */
export function fenced(body: string, lang = ""): string {
  const s = clean(body.replace(/\r\n/g, "\n"));
  const fence = "`".repeat(Math.max(3, longestRun(s, "`") + 1));
  return `${fence}${lang}\n${s}\n${fence}`;
}

/** Text for HTML context (`<summary>`): entities for markup, `@` defused. */
export function html(text: string): string {
  return clean(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/@/g, "&#64;")
    .replace(/\r?\n/g, " ");
}
