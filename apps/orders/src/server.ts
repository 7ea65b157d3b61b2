// Container entry point: `node dist/server.js`. Everything testable lives in app.ts and main.ts.
import { main } from "./main";

void main();
