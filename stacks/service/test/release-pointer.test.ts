import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStack } from "@berth/testing";
import { afterAll, describe, expect, it } from "vitest";

const projectDir = join(__dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "berth-service-release-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pointer = "/berth/dev/hello/image";
const repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello";
const digest = "a".repeat(64);
const withPointer = (value: string) =>
  runStack(projectDir, "dev.hello", {
    stackConfigOptional: true,
    fixtures: { ssmParameters: { [pointer]: value } },
    allowError: true,
  });
const withOverride = (override: string) => {
  const file = join(dir, `override-${override.length}.yaml`);
  writeFileSync(file, `config:\n  berth-service:imageOverride: "${override}"\n`);
  return runStack(projectDir, "dev.hello", { configFile: file, fixtures: {}, allowError: true });
};

describe("the release pointer of a service", () => {
  it("must be pinned by digest, checked before any resource", async () => {
    const run = await withPointer(`${repo}:latest`);
    expect(run.error?.message).toContain(
      `release pointer ${pointer} is "${repo}:latest"; it is not pinned by digest (a tag can move). Expected ${repo}@sha256:<64 hex digits>`,
    );
    expect(run.error?.message).toContain("pulumi config set berth-service:imageOverride");
    expect(run.managed.filter((r) => r.type !== "pulumi:pulumi:StackReference")).toEqual([]);
  });

  it("must name the service's repository of the shared registry", async () => {
    const other = await withPointer(`123456789012.dkr.ecr.us-east-1.amazonaws.com/other@sha256:${digest}`);
    expect(other.error?.message).toMatch(/it is not in the hello repository of registry 123456789012/);
    const foreign = await withPointer(`999999999999.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:${digest}`);
    expect(foreign.error?.message).toMatch(/it is not in the hello repository of registry 123456789012/);
  });

  it("an image override for the first deploy skips the pointer, visibly", async () => {
    const override = `${repo}@sha256:${digest}`;
    // No pointer exists yet: the fixtures give none.
    const run = await withOverride(override);
    expect(run.error?.message).toBeUndefined();
    expect(run.outputs.image).toBe(override);
    expect(
      run.diagnostics.some(
        (d) => d.severity === "warning" && d.message.includes("berth-service:imageOverride"),
      ),
    ).toBe(true);
  });

  it("an image override must be pinned by digest too", async () => {
    const run = await withOverride(`${repo}:v1`);
    expect(run.error?.message).toMatch(
      /berth-service:imageOverride is ".*hello:v1"; expected an image pinned by digest \(<repository>@sha256:<64 hex digits>\)/,
    );
    expect(run.managed.filter((r) => r.type !== "pulumi:pulumi:StackReference")).toEqual([]);
  });
});

describe("stack names", () => {
  it.each([
    ["prod", /a berth-service stack is named <environment>\.<service>, e.g\. prod\.orders/],
    ["prod.orders.v2", /a berth-service stack is named <environment>\.<service>/],
    ["qa.hello", /the platform has no environment qa \(it has dev, staging, prod\)/],
    [
      "dev.billing",
      /no service billing in the catalogue \(apps\/\*\/berth\.yaml has hello, mailer, nightly, orders\)/,
    ],
    ["dev.Hello", /"Hello" is not a service name/],
  ])("%s is refused with a clear message, before any resource", async (stack, message) => {
    const run = await runStack(projectDir, stack, { stackConfigOptional: true, allowError: true });
    expect(run.error?.message).toMatch(message);
    expect(run.managed).toEqual([]);
  });
});
