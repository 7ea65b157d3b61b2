import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { runComponent } from "../src/index.js";

const registry = "111111111111.dkr.ecr.us-east-1.amazonaws.com";
const read =
  (...names: string[]) =>
  () =>
    Object.fromEntries(names.map((n) => [n, aws.ssm.getParameterOutput({ name: n }).value]));

describe("release pointers offline: one image per service of the catalogue", () => {
  it("answers each service's pointer with its own repository, pinned by a digest of env and service", async () => {
    const run = await runComponent(
      read(
        "/berth/dev/hello/image",
        "/berth/dev/orders/image",
        "/berth/prod/orders/image",
        "/acme/berth/dev/mailer/image",
      ),
      { fixtures: { releaseRegistry: registry } },
    );
    const out = run.outputs as Record<string, string>;
    expect(out["/berth/dev/hello/image"]).toMatch(new RegExp(`^${registry}/hello@sha256:[0-9a-f]{64}$`));
    expect(out["/berth/dev/orders/image"]).toMatch(new RegExp(`^${registry}/orders@sha256:[0-9a-f]{64}$`));
    expect(out["/acme/berth/dev/mailer/image"]).toMatch(new RegExp(`^${registry}/mailer@sha256:`));
    // Different environments and services: different digests; the same pointer: the same digest.
    expect(new Set(Object.values(out)).size).toBe(4);
    const again = await runComponent(read("/berth/dev/orders/image"), {
      fixtures: { releaseRegistry: registry },
    });
    expect((again.outputs as Record<string, string>)["/berth/dev/orders/image"]).toBe(
      out["/berth/dev/orders/image"],
    );
  });

  it("lets a listed parameter win over the registry", async () => {
    const pinned = `${registry}/hello@sha256:${"a".repeat(64)}`;
    const run = await runComponent(read("/berth/dev/hello/image"), {
      fixtures: { releaseRegistry: registry, ssmParameters: { "/berth/dev/hello/image": pinned } },
    });
    expect((run.outputs as Record<string, string>)["/berth/dev/hello/image"]).toBe(pinned);
  });

  it("names the parameter it cannot answer without a registry or a listed value", async () => {
    const run = await runComponent(read("/berth/dev/orders/image"), { allowError: true });
    expect(run.error?.message).toMatch(
      /no answer for invoke 'aws:ssm\/getParameter:getParameter' for parameter '\/berth\/dev\/orders\/image'/,
    );
  });

  it("answers only release-pointer names from the registry, not any parameter", async () => {
    const run = await runComponent(read("/berth/dev/orders/config"), {
      fixtures: { releaseRegistry: registry },
      allowError: true,
    });
    expect(run.error?.message).toMatch(/for parameter '\/berth\/dev\/orders\/config'/);
  });
});

describe("the partition follows the region", () => {
  it.each([
    ["us-east-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
  ])("%s: getPartition and getCallerIdentity answer in %s", async (region, partition) => {
    const run = await runComponent(
      () => ({
        partition: aws.getPartitionOutput().partition,
        caller: aws.getCallerIdentityOutput().arn,
      }),
      { config: { "aws:region": region } },
    );
    const out = run.outputs as Record<string, string>;
    expect(out.partition).toBe(partition);
    expect(out.caller).toMatch(new RegExp(`^arn:${partition}:`));
  });
});

describe("Secrets Manager secrets by name", () => {
  it("answers getSecret with the full ARN (6-character suffix) in the run's account and region", async () => {
    const run = await runComponent(
      () => ({
        byName: aws.secretsmanager.getSecretOutput({ name: "prod/orders-db" }).arn,
        again: aws.secretsmanager.getSecretOutput({ name: "prod/orders-db" }).arn,
        other: aws.secretsmanager.getSecretOutput({ name: "prod/other" }).arn,
      }),
      { config: { "aws:region": "eu-west-1" } },
    );
    const out = run.outputs as Record<string, string>;
    expect(out.byName).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod\/orders-db-[0-9a-f]{6}$/,
    );
    expect(out.again).toBe(out.byName);
    expect(out.other).not.toBe(out.byName);
  });
});
