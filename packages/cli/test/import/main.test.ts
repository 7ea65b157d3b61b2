// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests read Compose interpolations (${VAR:-default}), not templates
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/index.js";
import { capture } from "../helpers.js";
import { read, repoWith } from "./harness.js";

describe("berth import, through the berth command", () => {
  it("imports a compose file and exits 0", async () => {
    const root = repoWith("compose/node-api");
    const c = capture(root);
    expect(await main(["import", "compose", "compose.yml"], c.io)).toBe(0);
    expect(c.err()).toBe("");
    expect(c.out()).toContain("# Import report: compose.yml");
    expect(read(root, "apps/api/berth.yaml")).toContain("kind: internal\n");
  });

  it("imports a Copilot workspace and exits 0", async () => {
    const root = repoWith("copilot/events");
    const c = capture(root);
    expect(await main(["import", "copilot", "."], c.io)).toBe(0);
    expect(existsSync(join(root, "apps", "notifier", "berth.yaml"))).toBe(true);
  });

  it("exits 1 with one line for an input it cannot read", async () => {
    const root = repoWith("compose/errors");
    const c = capture(root);
    expect(await main(["import", "compose", "unknown-variable.yml"], c.io)).toBe(1);
    expect(c.err()).toBe(
      "error: unknown-variable.yml:6:22: variable DB_HOST is not set and has no default; set it in the shell, in .env next to the compose file or with --env-file, or give a default: ${DB_HOST:-value}\n",
    );
  });

  it("exits 2 for usage mistakes, with the command's help to point at", async () => {
    const root = repoWith("compose/errors");
    const missing = capture(root);
    expect(await main(["import", "compose", "nope.yml"], missing.io)).toBe(2);
    expect(missing.err()).toBe("berth import: nope.yml: no such file\n");
    const option = capture(root);
    expect(await main(["import", "compose", "bad-yaml.yml", "--envfile", "x"], option.io)).toBe(2);
    expect(option.err()).toContain("berth import: unknown option '--envfile'");
    const sub = capture(root);
    expect(await main(["import", "kubernetes", "x"], sub.io)).toBe(2);
    expect(sub.err()).toBe(
      "berth import: unknown command 'kubernetes': berth import compose <compose-file>, or berth import copilot <copilot-dir>\nRun 'berth import --help' for the options.\n",
    );
    const none = capture(root);
    expect(await main(["import"], none.io)).toBe(2);
    expect(none.err()).toBe(
      "berth import: say what to import: berth import compose <compose-file>, or berth import copilot <copilot-dir>\nRun 'berth import --help' for the options.\n",
    );
  });

  it("shows each subcommand's help", async () => {
    const c = capture(".");
    expect(await main(["import", "compose", "--help"], c.io)).toBe(0);
    expect(c.out()).toContain("Usage: berth import compose [options] <compose-file>");
    expect(c.out()).toContain("--env-file <file>");
    const d = capture(".");
    expect(await main(["import", "--help"], d.io)).toBe(0);
    expect(d.out()).toContain("copilot [options] <copilot-dir>");
  });
});
