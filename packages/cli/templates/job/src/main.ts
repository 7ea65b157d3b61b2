// The container's command: `node dist/main.js`. Runs once and exits with the job's code (0 or 1).
import { run } from "./job";

void run().then((code) => {
  process.exitCode = code;
});
