/** ANSI styling, only when the stream is a terminal and NO_COLOR is not set. */
export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (code: number, end: number) => (s: string) => `\u001b[${code}m${s}\u001b[${end}m`;

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  const on = stream.isTTY === true && !("NO_COLOR" in env && env.NO_COLOR !== "") && env.TERM !== "dumb";
  if (!on) {
    const id = (s: string) => s;
    return { green: id, yellow: id, red: id, bold: id, dim: id };
  }
  return {
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    red: wrap(31, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}
