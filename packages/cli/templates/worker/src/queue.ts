/** A message of the queue: what the handler reads, and the receipt that deletes it. */
export interface Message {
  id: string;
  body: string;
  receipt: string;
}

/** What the worker needs of its queue. */
export interface Queue {
  /** Waits for messages, up to a long poll's 20 s; resolves with [] early when `signal` aborts. */
  receive(signal: AbortSignal): Promise<Message[]>;
  /** Removes a processed message; one not deleted comes back after the visibility timeout. */
  delete(message: Message): Promise<void>;
}

/**
 * A stand-in until the worker talks to SQS: it waits like a long poll and receives nothing, so the
 * scaffold needs no dependency. Replace it with `@aws-sdk/client-sqs` (ReceiveMessage with
 * WaitTimeSeconds 20 and MaxNumberOfMessages 10, passing `signal` as abortSignal; DeleteMessage),
 * the way apps/mailer does; the task role may already receive and delete on QUEUE_URL.
 */
export function placeholderQueue(_queueUrl: string, waitMs = 20_000): Queue {
  return {
    receive: (signal) =>
      new Promise((resolve) => {
        if (signal.aborted) return resolve([]);
        const timer = setTimeout(() => resolve([]), waitMs);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve([]);
        });
      }),
    delete: async () => undefined,
  };
}
