import { describe, expect, it } from "vitest";
import { isDigestImageRef, isProdLike, loadBuildspec, releaseParameterName } from "../src/index.js";

describe("release pointer contract", () => {
  it("names one parameter per environment and service under a configurable prefix", () => {
    expect(releaseParameterName("dev", "hello")).toBe("/berth/dev/hello/image");
    expect(releaseParameterName("prod", "hello", "/acme/berth/")).toBe("/acme/berth/prod/hello/image");
  });

  it("accepts only digest-pinned ECR references", () => {
    const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
    expect(isDigestImageRef(`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@${digest}`)).toBe(true);
    expect(isDigestImageRef(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/hello@${digest}`)).toBe(true);
    expect(isDigestImageRef("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:latest")).toBe(false);
    expect(isDigestImageRef(`docker.io/library/hello@${digest}`)).toBe(false);
    expect(isDigestImageRef(`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:abc`)).toBe(false);
  });

  it("treats prod, production, prd, live and prod-* as production-like", () => {
    for (const n of ["prod", "production", "prd", "live", "prod-eu"]) expect(isProdLike(n)).toBe(true);
    for (const n of ["dev", "staging", "preprod", "products"]) expect(isProdLike(n)).toBe(false);
  });

  it("refuses an unknown buildspec name", () => {
    expect(() => loadBuildspec("nope" as "test")).toThrow(/unknown buildspec 'nope'/);
  });
});
