import { releaseParameterName } from "@berth/core";
import { describe, expect, it } from "vitest";
import { checkReleasePointer } from "../src/release";

const repositoryUrl = "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello";
const digest = "0123456789abcdef".repeat(4);
const check = (value: string, region = "us-east-1") =>
  checkReleasePointer({
    parameter: "/berth/prod/hello/image",
    value,
    repositoryUrl,
    region,
    hint: "Fix it.",
  });

describe("checkReleasePointer", () => {
  it("names the pointer per environment and service", () => {
    expect(releaseParameterName("staging", "hello")).toBe("/berth/staging/hello/image");
  });

  it("returns a digest-pinned image of the repository (surrounding whitespace dropped)", () => {
    expect(check(`${repositoryUrl}@sha256:${digest}\n`)).toBe(`${repositoryUrl}@sha256:${digest}`);
  });

  it("accepts the repository's replica in the stack's own region, and no other region", () => {
    const replica = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello@sha256:${digest}`;
    expect(check(replica, "eu-west-1")).toBe(replica);
    expect(() => check(replica, "us-east-1")).toThrow(
      /region eu-west-1 is neither the registry's \(us-east-1\) nor this stack's/,
    );
  });

  it("rejects tags, malformed digests and images of other repositories", () => {
    expect(() => check(`${repositoryUrl}:1.2.3`)).toThrow(/not pinned by digest/);
    expect(() => check(`${repositoryUrl}@sha256:${digest.slice(1)}`)).toThrow(/the digest is malformed/);
    expect(() => check(`public.ecr.aws/docker/library/nginx@sha256:${digest}`)).toThrow(
      /not in the hello repository of registry 123456789012/,
    );
    expect(() => check(`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-old@sha256:${digest}`)).toThrow(
      /not in the hello repository/,
    );
    expect(() => check("")).toThrow(/release pointer \/berth\/prod\/hello\/image is ""; .*Fix it\./);
  });
});
