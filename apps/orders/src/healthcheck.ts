// Container health check: `node dist/healthcheck.js` exits 0 when GET /healthz answers 200, else 1.
// The slim runtime image has no curl or wget, and Node is already there. Used by the Dockerfile's
// HEALTHCHECK, the compose file, and usable as an ECS container health check command.
import http from "node:http";
import { DEFAULTS } from "./config";

const WILDCARDS = new Set(["", "0.0.0.0", "::"]);
const host = WILDCARDS.has(process.env.HOST?.trim() ?? "") ? "127.0.0.1" : process.env.HOST!.trim();
const port = Number(process.env.PORT?.trim() || DEFAULTS.port);
const timeoutMs = 3_000;

const req = http.get({ host, port, path: "/healthz", timeout: timeoutMs, agent: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
req.on("error", (err) => {
  process.stderr.write(
    `${JSON.stringify({ level: "error", msg: "health check failed", error: err.message })}\n`,
  );
  process.exit(1);
});
