import { describe, expect, it } from "vitest";
import {
  CidrAllocator,
  config,
  formatCidr,
  isDigestImageRef,
  parseCidr,
  parseEcrImage,
  readStackConfig,
} from "../src/index.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("ECR image references", () => {
  it("take a digest-pinned image in a namespaced repository apart", () => {
    expect(parseEcrImage(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/hello@${DIGEST}`)).toEqual({
      repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/hello",
      account: "123456789012",
      region: "eu-west-1",
      repository: "team/hello",
      digest: DIGEST,
    });
    expect(parseEcrImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:v1.2")?.tag).toBe("v1.2");
    expect(parseEcrImage(`docker.io/library/node@${DIGEST}`)).toBeUndefined();
  });

  it("tell a release pointer's form: pinned by digest alone", () => {
    expect(isDigestImageRef(`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@${DIGEST}`)).toBe(true);
    expect(isDigestImageRef(`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:v1@${DIGEST}`)).toBe(false);
    expect(isDigestImageRef("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:abc")).toBe(false);
  });
});

describe("CidrAllocator", () => {
  it("hands out aligned blocks in order and refuses one that does not fit", () => {
    const a = new CidrAllocator(parseCidr("10.0.0.0/22")!);
    expect(formatCidr(a.allocate(24))).toBe("10.0.0.0/24");
    expect(formatCidr(a.allocate(23))).toBe("10.0.2.0/23");
    expect(() => a.allocate(24)).toThrow("a /24 block does not fit in 10.0.0.0/22 any more");
  });
});

describe("config.integerIn", () => {
  it("accepts only the listed whole numbers", () => {
    const schema = { days: config.integerIn([7, 30]) };
    const read = (v: string) =>
      readStackConfig(schema, { namespace: "p", stack: "dev", values: { "p:days": v } });
    expect(read("30")).toEqual({ days: 30 });
    expect(() => read("10")).toThrow("Pulumi.dev.yaml: p:days is 10; allowed: 7, 30");
  });
});
