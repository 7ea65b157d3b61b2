import { errorFields, type Logger } from "./log";
import type { Message, Queue } from "./queue";

/** Processes one message; throwing leaves it on the queue, to come back (then to the dead-letter queue). */
export type Handler = (message: Message) => Promise<void>;

export interface WorkerOptions {
  queue: Queue;
  handle: Handler;
  logger: Logger;
  /** How long the messages in flight may take to finish once stop() is called. */
  shutdownTimeoutMs: number;
}

export interface Worker {
  /**
   * Stops receiving, lets the messages in flight finish and resolves with the exit code: 0 when
   * they did, 1 when the timeout cut them short. Calling it again returns the same promise.
   */
  stop(reason: string): Promise<0 | 1>;
}

/** Starts the loop: receive a batch, process its messages, delete each one that succeeded, again. */
export function startWorker({ queue, handle, logger, shutdownTimeoutMs }: WorkerOptions): Worker {
  const abort = new AbortController();
  const processOne = async (message: Message) => {
    try {
      await handle(message);
      await queue.delete(message);
      logger.info("message processed", { id: message.id });
    } catch (err) {
      logger.error("message failed", { id: message.id, ...errorFields(err) });
    }
  };
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const messages = await queue.receive(abort.signal);
        await Promise.all(messages.map(processOne));
      } catch (err) {
        if (abort.signal.aborted) break;
        logger.error("receive failed", errorFields(err));
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();
  logger.info("worker started");
  let stopping: Promise<0 | 1> | undefined;
  return {
    stop(reason) {
      stopping ??= (async () => {
        logger.info("shutdown started", { reason, timeout_ms: shutdownTimeoutMs });
        abort.abort();
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), shutdownTimeoutMs);
        });
        const result = await Promise.race([loop.then(() => "done" as const), timedOut]);
        clearTimeout(timer);
        if (result === "timeout") {
          logger.error("shutdown timed out with messages in flight");
          return 1;
        }
        logger.info("shutdown complete");
        return 0;
      })();
      return stopping;
    },
  };
}
