#!/usr/bin/env node
// `pnpm generate`: writes the files generated from the schemas: the manifest's JSON Schema editors
// use and its reference (packages/core/src/manifest), and each stack's config JSON Schema
// (stacks/*/src/config.ts). A core test and each stack's tests fail when they are stale.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { manifestJsonSchema, manifestReference } from "../packages/core/dist/index.js";

const root = join(import.meta.dirname, "..");

/** Stack folder → the project and the function of its src/config.ts that returns its JSON Schema. */
const STACKS = {
  platform: ["berth-platform", "platformConfigJsonSchema"],
  shared: ["berth-shared", "sharedConfigJsonSchema"],
  bootstrap: ["berth-bootstrap", "bootstrapConfigJsonSchema"],
};

if (process.argv[2] === "--stack-config-schemas") {
  // Run under tsx (the stacks are TypeScript, run from source): prints the stacks' schemas as JSON.
  const out = {};
  for (const [dir, [project, fn]] of Object.entries(STACKS)) {
    const config = await import(pathToFileURL(join(root, "stacks", dir, "src", "config.ts")).href);
    out[project] = config[fn]();
  }
  process.stdout.write(JSON.stringify(out));
} else {
  const tsx = createRequire(join(root, "packages", "testing", "package.json")).resolve("tsx/cli");
  const stackSchemas = JSON.parse(
    execFileSync(process.execPath, [tsx, fileURLToPath(import.meta.url), "--stack-config-schemas"], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  const files = {
    "schemas/berth-manifest.schema.json": `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`,
    "docs/manifest.md": manifestReference(),
  };
  for (const [project, schema] of Object.entries(stackSchemas)) {
    files[`schemas/stack-config/${project}.schema.json`] = `${JSON.stringify(schema, null, 2)}\n`;
  }
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
