#!/usr/bin/env node
// `pnpm generate`: writes the files generated from the manifest schema (packages/core/src/manifest):
// the JSON Schema editors use and the manifest reference. A core test fails when they are stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { manifestJsonSchema, manifestReference } from "../packages/core/dist/index.js";

const root = join(import.meta.dirname, "..");
const files = {
  "schemas/berth-manifest.schema.json": `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`,
  "docs/manifest.md": manifestReference(),
};
for (const [file, text] of Object.entries(files)) {
  writeFileSync(join(root, file), text);
  console.log(`wrote ${file}`);
}
