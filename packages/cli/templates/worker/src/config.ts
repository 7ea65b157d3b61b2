/**
 * Configuration comes from the environment only. A blank value counts as unset; an invalid value
 * stops the process at start with exit code 1 and a log line naming the variable.
 */
export interface Config {
  /** QUEUE_URL: the worker's SQS queue, injected by the platform from berth.yaml. Required. */
  queueUrl: string;
  /**
   * SHUTDOWN_TIMEOUT_MS: how long the messages in flight may take to finish after SIGTERM. Keep it
   * below the task's stopTimeoutSeconds (10 s unless berth.yaml says otherwise).
   */
  shutdownTimeoutMs: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const queueUrl = env.QUEUE_URL?.trim() ?? "";
  if (!/^https?:\/\/\S+$/.test(queueUrl)) {
    throw new Error(
      `QUEUE_URL is "${queueUrl}"; expected the queue's URL (https://sqs.<region>.amazonaws.com/…)`,
    );
  }
  const timeout = env.SHUTDOWN_TIMEOUT_MS?.trim() || "8000";
  const shutdownTimeoutMs = Number(timeout);
  if (!/^\d+$/.test(timeout) || shutdownTimeoutMs < 1 || shutdownTimeoutMs > 120_000) {
    throw new Error(`SHUTDOWN_TIMEOUT_MS is "${timeout}"; expected a whole number from 1 to 120000`);
  }
  return { queueUrl, shutdownTimeoutMs };
}
