/** One JSON object per line: `info` to stdout, `warn` and `error` to stderr. */
export type Level = "info" | "warn" | "error";

export type Fields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

/** Anything with a `write(line)` method: process.stdout, a Writable, or a test double. */
export interface Sink {
  write(chunk: string): unknown;
}

export interface LoggerOptions {
  /** @default process.stdout */
  stdout?: Sink;
  /** @default process.stderr */
  stderr?: Sink;
  /** @default () => new Date() */
  now?: () => Date;
}

/** Turns an Error into plain fields; JSON.stringify would otherwise print `{}`. */
export function errorFields(err: unknown): Fields {
  if (err instanceof Error) return { error: err.message, error_name: err.name, stack: err.stack };
  return { error: String(err) };
}

function serialize(record: Fields): string {
  try {
    return JSON.stringify(record);
  } catch {
    // A circular or BigInt field must not take the process down with it.
    return JSON.stringify({ time: record.time, level: record.level, msg: record.msg, unserializable: true });
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const now = options.now ?? (() => new Date());
  const emit = (level: Level, msg: string, fields: Fields = {}) => {
    const record: Fields = { time: now().toISOString(), level, msg };
    for (const [key, value] of Object.entries(fields)) {
      if (!(key in record)) record[key] = value;
    }
    const line = serialize(record);
    (level === "info" ? stdout : stderr).write(`${line}\n`);
  };
  return {
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}

/**
 * The containers run `node --no-warnings`, so Node prints no plain-text warning to stderr; each one
 * (e.g. the AWS SDK's Node-version notice) is logged as a JSON line instead.
 */
export function logWarnings(logger: Logger): void {
  process.on("warning", (warning) =>
    logger.warn("node warning", { warning: warning.name, detail: warning.message }),
  );
}
