import { describe, expect, it } from "vitest";
import { createLogger } from "../src/log";

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  const logger = createLogger({
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    now: () => new Date("2030-01-02T03:04:05.678Z"),
  });
  return { logger, out, err };
}

describe("createLogger", () => {
  it("writes info to stdout and warn/error to stderr, one JSON object per line", () => {
    const { logger, out, err } = sinks();
    logger.info("hello", { a: 1 });
    logger.warn("careful");
    logger.error("broken", { code: "E1" });
    expect(out).toEqual(['{"time":"2030-01-02T03:04:05.678Z","level":"info","msg":"hello","a":1}\n']);
    expect(err.map((line) => JSON.parse(line))).toEqual([
      { time: "2030-01-02T03:04:05.678Z", level: "warn", msg: "careful" },
      { time: "2030-01-02T03:04:05.678Z", level: "error", msg: "broken", code: "E1" },
    ]);
    for (const line of [...out, ...err])
      expect(line.endsWith("\n") && !line.slice(0, -1).includes("\n")).toBe(true);
  });

  it("does not let fields overwrite time, level or msg", () => {
    const { logger, out } = sinks();
    logger.info("real", { msg: "fake", level: "error", time: "never", extra: true });
    expect(JSON.parse(out[0]!)).toEqual({
      time: "2030-01-02T03:04:05.678Z",
      level: "info",
      msg: "real",
      extra: true,
    });
  });

  it("survives fields that JSON cannot encode", () => {
    const { logger, out } = sinks();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    logger.info("odd", { circular, big: 1n });
    expect(JSON.parse(out[0]!)).toMatchObject({ level: "info", msg: "odd", unserializable: true });
  });
});
