// The container's command: `node dist/main.js`. Node is PID 1 and handles SIGTERM itself (what ECS
// and `docker stop` send): it stops receiving, finishes the messages in flight, then exits.
import { type Config, loadConfig } from "./config";
import { createLogger, errorFields } from "./log";
import { type Message, placeholderQueue } from "./queue";
import { startWorker } from "./worker";

/** The work of one message. Replace it; throw to leave the message on the queue. */
async function handle(message: Message): Promise<void> {
  logger.info("message received", { id: message.id, bytes: Buffer.byteLength(message.body) });
}

const logger = createLogger();
let config: Config;
try {
  config = loadConfig();
} catch (err) {
  logger.error("invalid configuration", errorFields(err));
  process.exit(1);
}
let signals = 0;
const stop = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    logger.error("second signal during shutdown, exiting now", { signal });
    process.exit(1);
  }
  void worker.stop(signal).then((code) => process.exit(code));
};
// The handlers come first: the loop starts (and says so) only once a SIGTERM would stop it cleanly.
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
const worker = startWorker({
  queue: placeholderQueue(config.queueUrl),
  handle,
  logger,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
