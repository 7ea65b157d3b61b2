#!/usr/bin/env node
import { main } from "./main.js";

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
    // Pulumi's runtime may keep handles open; the report is written, so leave.
    process.stdout.write("", () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
