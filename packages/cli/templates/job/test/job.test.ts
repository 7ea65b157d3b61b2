import { describe, expect, it } from "vitest";
import { run } from "../src/job";
import type { Logger } from "../src/log";

function logger() {
  const lines: string[] = [];
  const log = (msg: string) => {
    lines.push(msg);
  };
  return { lines, logger: { info: log, warn: log, error: log } satisfies Logger };
}

describe("{{name}}", () => {
  it("exits 0 when the work is done and 1 when it fails", async () => {
    const ok = logger();
    expect(await run(ok.logger)).toBe(0);
    expect(ok.lines).toEqual(["job started", "job done"]);
    const bad = logger();
    expect(
      await run(bad.logger, async () => {
        throw new Error("no input");
      }),
    ).toBe(1);
    expect(bad.lines).toEqual(["job started", "job failed"]);
  });
});
