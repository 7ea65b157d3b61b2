import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ErrorObject } from "ajv";
import { Command, CommanderError } from "commander";
import { parse } from "yaml";
import { composeCommand, runCompose } from "../../src/compose-out/index.js";
import type { ComposeFile } from "../../src/compose-out/model.js";
import { UsageError } from "../../src/errors.js";
import type { Io } from "../../src/index.js";

/**
 * `berth compose …` as the CLI's main runs a command: commander parses, a usage error is exit 2
 * with `berth compose: <message>`, the run's own result is the exit code.
 */
export async function berthCompose(args: string[], io: Io): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  const command = composeCommand(io.cwd, (o) => {
    action = () => runCompose(o, io);
  });
  const root = new Command("berth").exitOverride().addCommand(command);
  for (const c of [root, command]) {
    c.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => undefined,
    });
  }
  const usage = (message: string) => {
    io.stderr.write(`berth compose: ${message}\n`);
    return 2;
  };
  try {
    root.parse(["compose", ...args], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : usage(e.message.replace(/^error: /, ""));
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  try {
    return action ? await action() : 0;
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
}

const schema = JSON.parse(readFileSync(join(__dirname, "compose-spec.json"), "utf8")) as Record<
  string,
  unknown
>;
// The schema names draft-07 by its https address; ajv knows draft-07 as http://json-schema.org/draft-07/schema#.
const { $schema: _draft, ...compiled } = schema;
const validate = new Ajv({ allErrors: true, strict: false }).compile(compiled);

/** The problems of a compose document against the Compose Specification's schema (none: []). */
export function composeSchemaErrors(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

/** The YAML text parsed back, as the compose file it should be. */
export function parseCompose(text: string): ComposeFile {
  return parse(text) as ComposeFile;
}
