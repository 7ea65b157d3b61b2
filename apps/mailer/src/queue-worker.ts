import { performance } from "node:perf_hooks";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from "./config";
import { errorFields, type Logger } from "./log";

/** A received message, as the handler sees it. */
export interface ReceivedMessage {
  id: string;
  body: string;
  /** How many times SQS has handed this message out, this time included. */
  receiveCount: number;
}

/** Processes one message. Resolve: the message is deleted. Throw: it returns to the queue. */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

export interface QueueWorkerOptions {
  client: SQSClient;
  queueUrl: string;
  handler: MessageHandler;
  logger: Logger;
  /** Sent with every receive; a message in flight for half of it is extended by as much again. */
  visibilityTimeoutSeconds: number;
  /** How long stop() waits for the messages in flight. */
  shutdownTimeoutMs: number;
  /** Long polling: SQS holds an empty receive open up to this long. @default 20 (the most SQS allows) */
  waitTimeSeconds?: number;
  /** @default 10 (the most SQS returns at once) */
  maxMessages?: number;
  /** Longest pause between failed receives (doubling from 1 s). @default 20000 */
  maxBackoffMs?: number;
}

export interface StopResult {
  /** 0 when every message in flight finished, 1 when the timeout cut them short. */
  code: 0 | 1;
  drained: boolean;
  durationMs: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Consumes an SQS queue: long-polls for up to ten messages, processes them concurrently, deletes each
 * one whose handler resolved and leaves the others (SQS hands them out again after the visibility
 * timeout, and moves them to the dead-letter queue after the queue's maxReceiveCount). A message
 * still being processed after half the visibility timeout is made invisible for another full
 * timeout, again and again, so no other consumer receives it meanwhile.
 */
export class QueueWorker {
  private readonly opts: Required<QueueWorkerOptions>;
  private stopping = false;
  private receiving: AbortController | undefined;
  private wake: (() => void) | undefined;
  private readonly processing = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private stopPromise: Promise<StopResult> | undefined;

  constructor(options: QueueWorkerOptions) {
    this.opts = { waitTimeSeconds: 20, maxMessages: 10, maxBackoffMs: 20_000, ...options };
  }

  /** Messages being processed right now. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Starts the receive loop (once). Resolves when the loop has ended after stop(). */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /**
   * Stops receiving (an open long poll is aborted), lets the messages in flight finish and resolves;
   * after `shutdownTimeoutMs` it resolves with code 1 and the unfinished messages return to the
   * queue when their visibility timeout ends. Calling it again returns the same promise.
   */
  stop(reason: string): Promise<StopResult> {
    if (this.stopPromise) return this.stopPromise;
    const started = performance.now();
    const { logger, shutdownTimeoutMs } = this.opts;
    this.stopping = true;
    logger.info("shutdown started", { reason, in_flight: this.inFlight, timeout_ms: shutdownTimeoutMs });
    this.receiving?.abort();
    this.wake?.();
    this.stopPromise = new Promise<StopResult>((resolve) => {
      const timer = setTimeout(() => {
        logger.error("shutdown timed out, leaving messages to return to the queue", {
          in_flight: this.inFlight,
          timeout_ms: shutdownTimeoutMs,
        });
        resolve({ code: 1, drained: false, durationMs: round(performance.now() - started) });
      }, shutdownTimeoutMs);
      void (this.loop ?? Promise.resolve()).then(() => {
        clearTimeout(timer);
        const durationMs = round(performance.now() - started);
        logger.info("shutdown complete", { duration_ms: durationMs });
        resolve({ code: 0, drained: true, durationMs });
      });
    });
    return this.stopPromise;
  }

  private async run(): Promise<void> {
    const { client, queueUrl, logger, waitTimeSeconds, maxMessages, visibilityTimeoutSeconds } = this.opts;
    let failures = 0;
    while (!this.stopping) {
      let messages: Message[];
      this.receiving = new AbortController();
      try {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: maxMessages,
            WaitTimeSeconds: waitTimeSeconds,
            VisibilityTimeout: visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
          { abortSignal: this.receiving.signal },
        );
        messages = out.Messages ?? [];
        failures = 0;
      } catch (err) {
        if (this.stopping) break; // the long poll was aborted by stop()
        failures += 1;
        const delay = Math.min(1_000 * 2 ** (failures - 1), this.opts.maxBackoffMs);
        logger.error("receive failed", { ...errorFields(err), failures, retry_in_ms: delay });
        await this.pause(delay);
        continue;
      } finally {
        this.receiving = undefined;
      }
      // The batch finishes before the next receive: at most maxMessages in flight, and a stop
      // waits for exactly these.
      await Promise.all(messages.map((m) => this.track(this.process(m))));
    }
  }

  private track(work: Promise<void>): Promise<void> {
    this.processing.add(work);
    return work.finally(() => this.processing.delete(work));
  }

  /** Waits `ms`, or less if stop() is called. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async process(m: Message): Promise<void> {
    const { client, queueUrl, handler, logger, visibilityTimeoutSeconds } = this.opts;
    const id = m.MessageId ?? "(no id)";
    const receiptHandle = m.ReceiptHandle!;
    const receiveCount = Number(m.Attributes?.ApproximateReceiveCount ?? 1);
    const started = performance.now();
    let extensions = 0;
    let extending: Promise<void> = Promise.resolve();

    const extend = () => {
      const elapsedS = (performance.now() - started) / 1000;
      if (elapsedS + visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
        logger.warn("visibility cannot be extended past 12 hours", { message_id: id });
        clearInterval(heartbeat);
        return;
      }
      extending = client
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: visibilityTimeoutSeconds,
          }),
        )
        .then(
          () => {
            extensions += 1;
            logger.info("visibility extended", {
              message_id: id,
              extensions,
              visibility_timeout_s: visibilityTimeoutSeconds,
            });
          },
          (err) => logger.warn("visibility extension failed", { message_id: id, ...errorFields(err) }),
        );
    };
    const heartbeat = setInterval(extend, (visibilityTimeoutSeconds * 1000) / 2);

    try {
      await handler({ id, body: m.Body ?? "", receiveCount });
    } catch (err) {
      logger.warn("message failed, left on the queue", {
        message_id: id,
        receive_count: receiveCount,
        duration_ms: round(performance.now() - started),
        ...errorFields(err),
      });
      return;
    } finally {
      clearInterval(heartbeat);
      await extending;
    }
    try {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
      logger.info("message processed", {
        message_id: id,
        receive_count: receiveCount,
        extensions,
        duration_ms: round(performance.now() - started),
      });
    } catch (err) {
      // Processed but not deleted: SQS delivers it again. Handlers must be idempotent (at-least-once).
      logger.error("delete failed, the message will be received again", {
        message_id: id,
        ...errorFields(err),
      });
    }
  }
}
