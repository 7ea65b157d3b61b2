/**
 * Logs as one JSON object per line: `info` on stdout, `warn` and `error` on stderr, so CloudWatch
 * and `docker logs` keep them apart.
 */
export type Fields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

type Sink = { write(line: string): unknown };

export function createLogger(out: Sink = process.stdout, err: Sink = process.stderr): Logger {
  const line =
    (sink: Sink, level: string) =>
    (msg: string, fields: Fields = {}) => {
      sink.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
    };
  return { info: line(out, "info"), warn: line(err, "warn"), error: line(err, "error") };
}

/** An error as log fields: its name and message, never a secret-bearing object dump. */
export function errorFields(err: unknown): Fields {
  return err instanceof Error ? { error: err.message, error_name: err.name } : { error: String(err) };
}
