// Container entry point: `node dist/worker.js`. Everything testable lives in queue-worker.ts and main.ts.
import { main } from "./main";

void main();
