import { createServer, type OrdersServer } from "./app";
import { type Config, loadConfig } from "./config";
import { createLogger, errorFields, type Logger } from "./log";

export interface MainOptions {
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** @default a JSON logger on stdout / stderr */
  logger?: Logger;
  /** @default process.exit */
  exit?: (code: number) => void;
}

const SIGNALS: NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/**
 * The process entry: read the config, install the signal handlers, listen. On SIGTERM or SIGINT it
 * drains (see {@link OrdersServer.shutdown}) and exits with the drain's code; a second signal exits 1
 * at once. Resolves with the server, or undefined when it could not start (after calling exit(1)).
 */
export async function main(options: MainOptions = {}): Promise<OrdersServer | undefined> {
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

  const app = createServer({ config, logger });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.error("second signal during shutdown, exiting now", { signal });
      exit(1);
      return;
    }
    void app.shutdown(signal).then((result) => exit(result.code));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on("uncaughtException", (err) => {
    logger.error("uncaught exception", errorFields(err));
    exit(1);
  });

  try {
    await app.listen();
  } catch (err) {
    logger.error("could not listen", { host: config.host, port: config.port, ...errorFields(err) });
    exit(1);
    return undefined;
  }
  return app;
}
