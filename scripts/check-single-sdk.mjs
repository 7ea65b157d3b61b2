#!/usr/bin/env node
// Fails when the workspace resolves more than one version of a Pulumi SDK. Two copies of
// @pulumi/pulumi split the runtime's state (resources registered by one copy are invisible to the
// other), and two copies of @pulumi/aws or @pulumi/awsx mean two provider plugin versions.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SDKS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/awsx"];

/** Versions of each SDK that a pnpm lockfile (v9) resolves. */
export function sdkVersions(lockText) {
  const found = Object.fromEntries(SDKS.map((s) => [s, new Set()]));
  for (const line of lockText.split("\n")) {
    // Package keys sit two spaces in: `  '@pulumi/aws@7.48.0(typescript@5.9.3)':`
    const m = /^ {2}'?(@pulumi\/(?:pulumi|aws|awsx))@(\d[^(':\s]*)/.exec(line);
    if (m) found[m[1]].add(m[2]);
  }
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v].sort()]));
}

/** Messages for every SDK resolved to more than one version (empty when all is well). */
export function duplicateSdks(lockText) {
  return Object.entries(sdkVersions(lockText))
    .filter(([, versions]) => versions.length > 1)
    .map(
      ([sdk, versions]) =>
        `${sdk} resolves to ${versions.length} versions (${versions.join(", ")}); ` +
        `pin one in pnpm-workspace.yaml 'overrides' and run pnpm install (see \`pnpm why ${sdk}\`)`,
    );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const lock = readFileSync(join(root, "pnpm-lock.yaml"), "utf8");
  const problems = duplicateSdks(lock);
  const versions = sdkVersions(lock);
  const missing = SDKS.filter((s) => versions[s].length === 0);
  if (missing.length) problems.push(`not in the lockfile at all: ${missing.join(", ")}`);
  if (problems.length) {
    for (const p of problems) console.error(`check-single-sdk: ${p}`);
    process.exit(1);
  }
  console.log(`check-single-sdk: ${SDKS.map((s) => `${s}@${versions[s][0]}`).join(", ")} (one copy each)`);
}
