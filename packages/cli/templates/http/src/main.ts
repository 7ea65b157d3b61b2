// The container's command: `node dist/main.js`. Node is PID 1 and handles SIGTERM itself (what ECS
// and `docker stop` send): it drains, then exits 0 (1 if the drain timed out).
import { type Config, loadConfig } from "./config";
import { createLogger, errorFields } from "./log";
import { start } from "./server";

async function main(): Promise<void> {
  const logger = createLogger();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    logger.error("invalid configuration", errorFields(err));
    process.exit(1);
  }
  const started = start(config, logger);
  // The handlers come first: a signal that arrives while the server starts still drains it.
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.error("second signal during shutdown, exiting now", { signal });
      process.exit(1);
    }
    void started.then((server) => server.shutdown(signal)).then((code) => process.exit(code));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  await started;
}

main().catch((err: unknown) => {
  createLogger().error("start failed", errorFields(err));
  process.exit(1);
});
