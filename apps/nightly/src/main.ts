import { readFile } from "node:fs/promises";
import { loadConfig } from "./config";
import { createLogger, errorFields, type Logger } from "./log";
import { buildReport, parseOrders } from "./report";

/**
 * The job: read the config and the input, build the report, write it as one JSON line. Resolves with
 * the exit code: 0 when the report was written, 1 on any failure (a bad variable, an unreadable or
 * malformed input), so EventBridge Scheduler counts the run as failed and retries it.
 */
export async function run(
  env: Record<string, string | undefined> = process.env,
  logger: Logger = createLogger(),
) {
  try {
    const config = loadConfig(env);
    logger.info("job started", { date: config.date, timezone: config.timezone, input: config.inputFile });
    const orders = parseOrders(await readFile(config.inputFile, "utf8"));
    const report = buildReport(orders, config.date, config.timezone);
    logger.info("report", { ...report });
    return 0;
  } catch (err) {
    logger.error("job failed", errorFields(err));
    return 1;
  }
}
