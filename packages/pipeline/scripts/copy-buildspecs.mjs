// Copies the buildspec templates (single source: ci/buildspecs/*.yml) into the package, so the
// published @berth/pipeline carries the same text the repository tests.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(pkg, "..", "..", "ci", "buildspecs");
const to = join(pkg, "buildspecs");

rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith(".yml"));
if (files.length === 0) throw new Error(`no buildspec found in ${from}`);
for (const f of files) copyFileSync(join(from, f), join(to, f));
console.log(`copied ${files.length} buildspecs to ${to}`);
