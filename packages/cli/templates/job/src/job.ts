import { createLogger, errorFields, type Fields, type Logger } from "./log";

/** The job's work: replace it (read, compute, write). Throw to fail the run; return what to log. */
export async function work(_logger: Logger): Promise<Fields> {
  return { items: 0 };
}

/**
 * Runs the job once and resolves with the exit code: 0 when the work is done, 1 when it failed, so
 * EventBridge Scheduler counts the run as failed (and retries it, as berth.yaml's retries say).
 */
export async function run(logger: Logger = createLogger(), task = work): Promise<0 | 1> {
  const started = Date.now();
  logger.info("job started");
  try {
    const result = await task(logger);
    logger.info("job done", { ...result, duration_ms: Date.now() - started });
    return 0;
  } catch (err) {
    logger.error("job failed", errorFields(err));
    return 1;
  }
}
