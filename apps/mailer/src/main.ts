import { SQSClient } from "@aws-sdk/client-sqs";
import { type Config, loadConfig } from "./config";
import { createLogger, errorFields, type Logger } from "./log";
import { logTransport, parseMailRequest, type Transport } from "./mail";
import { type MessageHandler, QueueWorker } from "./queue-worker";

export interface MainOptions {
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** @default a JSON logger on stdout / stderr */
  logger?: Logger;
  /** @default process.exit */
  exit?: (code: number) => void;
  /** @default an SQSClient for the config's region, sending to QUEUE_URL's host */
  client?: SQSClient;
  /** @default the log transport */
  transport?: Transport;
}

const SIGNALS: NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/** The SDK client. Credentials come from the default chain: the ECS task role in a task. */
export function createClient(config: Config): SQSClient {
  return new SQSClient({
    region: config.region,
    // The queue URL's own origin is the queue's endpoint (what the SDK's useQueueUrlAsEndpoint would
    // pick too, but without its console warning).
    endpoint: new URL(config.queueUrl).origin,
    // A long poll lasts up to 20 s: give the socket room beyond it, but not forever.
    requestHandler: { requestTimeout: 30_000, connectionTimeout: 5_000 },
  });
}

/** Sends the mail of one message (see mail.ts); a bad message throws and stays on the queue. */
export function mailHandler(config: Config, transport: Transport): MessageHandler {
  return async (message) => {
    const mail = parseMailRequest(message.body);
    await transport.send({ ...mail, from: config.mailFrom, messageId: message.id });
  };
}

/**
 * The process entry: read the config, install the signal handlers, consume. On SIGTERM or SIGINT it
 * stops receiving, finishes the messages in flight and exits with the stop's code; a second signal
 * exits 1 at once. Resolves with the worker, or undefined when the config is invalid (after exit(1)).
 */
export async function main(options: MainOptions = {}): Promise<QueueWorker | undefined> {
  const logger = options.logger ?? createLogger();
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let config: Config;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (err) {
    logger.error("invalid configuration", { error: err instanceof Error ? err.message : String(err) });
    exit(1);
    return undefined;
  }
  const worker = new QueueWorker({
    client: options.client ?? createClient(config),
    queueUrl: config.queueUrl,
    handler: mailHandler(config, options.transport ?? logTransport(logger)),
    logger,
    visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.error("second signal during shutdown, exiting now", { signal });
      exit(1);
      return;
    }
    void worker.stop(signal).then((result) => exit(result.code));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  // The container runs `node --no-warnings`, so Node prints no plain-text warning to stderr; each one
  // (e.g. the SDK's Node-version notice) is logged here as a JSON line instead.
  process.on("warning", (warning) =>
    logger.warn("node warning", { warning: warning.name, detail: warning.message }),
  );
  process.on("uncaughtException", (err) => {
    logger.error("uncaught exception", errorFields(err));
    exit(1);
  });
  logger.info("started", {
    queue_url: config.queueUrl,
    visibility_timeout_s: config.visibilityTimeoutSeconds,
    service: config.serviceName,
    version: config.version,
    environment: config.environment,
  });
  void worker.start();
  return worker;
}
