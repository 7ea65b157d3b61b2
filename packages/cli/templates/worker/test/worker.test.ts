import { describe, expect, it } from "vitest";
import type { Logger } from "../src/log";
import type { Message, Queue } from "../src/queue";
import { startWorker } from "../src/worker";

/** A queue in memory: one batch, then long polls that end only when the worker stops. */
function memoryQueue(batch: Message[]): Queue & { deleted: string[] } {
  const deleted: string[] = [];
  let first = true;
  return {
    deleted,
    receive: (signal) => {
      if (first) {
        first = false;
        return Promise.resolve(batch);
      }
      return new Promise((resolve) => signal.addEventListener("abort", () => resolve([])));
    },
    delete: async (m) => {
      deleted.push(m.id);
    },
  };
}

describe("{{name}}", () => {
  it("processes and deletes what it receives, keeps what fails, and stops cleanly", async () => {
    const queue = memoryQueue([
      { id: "1", body: "ok", receipt: "r1" },
      { id: "2", body: "bad", receipt: "r2" },
    ]);
    const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const worker = startWorker({
      queue,
      logger: quiet,
      shutdownTimeoutMs: 1_000,
      handle: async (m) => {
        if (m.body === "bad") throw new Error("cannot process");
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(queue.deleted).toEqual(["1"]);
    expect(await worker.stop("test")).toBe(0);
  });
});
