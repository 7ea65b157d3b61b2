// Container health check: `node dist/healthcheck.js` exits 0 when GET /healthz answers 200, else 1.
// The slim runtime image has no curl or wget, and Node is already there.
import http from "node:http";
import { DEFAULTS } from "./config";

const host = ["", "0.0.0.0", "::"].includes(process.env.HOST?.trim() ?? "")
  ? "127.0.0.1"
  : process.env.HOST!.trim();
const port = Number(process.env.PORT?.trim() || DEFAULTS.PORT);

const req = http.get({ host, port, path: "/healthz", timeout: 3_000, agent: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("timeout", () => req.destroy(new Error("no answer within 3000 ms")));
req.on("error", (err) => {
  process.stderr.write(
    `${JSON.stringify({ level: "error", msg: "health check failed", error: err.message })}\n`,
  );
  process.exit(1);
});
