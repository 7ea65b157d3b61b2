import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// The workspace check run by `pnpm test` before anything else.
import { duplicateSdks, sdkVersions } from "../../../scripts/check-single-sdk.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const lockfile = (entries: string[]) =>
  `lockfileVersion: '9.0'\n\npackages:\n\n${entries.map((e) => `  ${e}:\n    resolution: {integrity: x}\n`).join("\n")}`;

describe("the single-SDK check", () => {
  it("passes the repository's own lockfile: one copy of each Pulumi SDK", () => {
    const lock = readFileSync(join(here, "..", "..", "..", "pnpm-lock.yaml"), "utf8");
    expect(duplicateSdks(lock)).toEqual([]);
    expect(sdkVersions(lock)["@pulumi/pulumi"]).toEqual(["3.248.0"]);
    expect(sdkVersions(lock)["@pulumi/aws"]).toHaveLength(1);
    expect(sdkVersions(lock)["@pulumi/awsx"]).toHaveLength(1);
  });

  it("fails when a second copy appears, naming the SDK and its versions", () => {
    const lock = lockfile([
      "'@pulumi/pulumi@3.248.0'",
      "'@pulumi/pulumi@3.270.0'",
      "'@pulumi/aws@7.48.0(typescript@5.9.3)'",
    ]);
    expect(duplicateSdks(lock)).toEqual([
      "@pulumi/pulumi resolves to 2 versions (3.248.0, 3.270.0); pin one in pnpm-workspace.yaml 'overrides' and run pnpm install (see `pnpm why @pulumi/pulumi`)",
    ]);
  });

  it("counts peer-dependency variants of one version as one copy", () => {
    const lock = lockfile([
      "'@pulumi/aws@7.48.0(typescript@5.9.3)'",
      "'@pulumi/aws@7.48.0(typescript@5.8.0)'",
    ]);
    expect(duplicateSdks(lock)).toEqual([]);
  });
});
