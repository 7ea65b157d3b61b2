import { describe, expect, it } from "vitest";
import {
  arnParts,
  CidrAllocator,
  config,
  configFailer,
  formatCidr,
  isDigestImageRef,
  parseCidr,
  parseEcrImage,
  readStackConfig,
  transformed,
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

describe("transform hooks work on copies", () => {
  it("keep one child's option and tag changes away from its siblings", () => {
    const shared = { parent: undefined, protect: false };
    const tags = { Team: "platform" };
    const [a, aOpts] = transformed(
      (args: { tags: Record<string, string> }, opts: { protect: boolean }) => {
        args.tags.Extra = "yes";
        opts.protect = true;
      },
      { tags },
      shared,
    );
    expect(a.tags).toEqual({ Team: "platform", Extra: "yes" });
    expect(aOpts.protect).toBe(true);
    expect(tags).toEqual({ Team: "platform" });
    expect(shared.protect).toBe(false);
  });
});

describe("arnParts", () => {
  it("takes an ARN apart, keeping colons in the resource", () => {
    expect(arnParts("arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:app:*")).toEqual({
      partition: "aws-us-gov",
      service: "logs",
      region: "us-gov-west-1",
      account: "123456789012",
      resource: "log-group:app:*",
    });
  });
});

describe("config.defaulted, config.accountId and configFailer", () => {
  const schema = {
    rollout: config.defaulted(
      config.object({
        stopTimeoutSeconds: config.withDefault(config.integer({ min: 3 }), 10),
        drainSeconds: config.withDefault(config.integer(), 15),
      }),
    ),
    account: config.optional(config.accountId()),
  };
  const read = (values: Record<string, string>) =>
    readStackConfig(schema, { namespace: "p", stack: "dev", values });

  it("fills an absent object with all its defaults, and parses a given one", () => {
    expect(read({})).toEqual({ rollout: { stopTimeoutSeconds: 10, drainSeconds: 15 } });
    expect(read({ "p:rollout": '{"stopTimeoutSeconds":5}' }).rollout).toEqual({
      stopTimeoutSeconds: 5,
      drainSeconds: 15,
    });
    expect(() => read({ "p:account": "12345" })).toThrow(
      'p:account is "12345"; expected a 12-digit AWS account id',
    );
  });

  it("names the stack file and the namespaced key in cross-key errors", () => {
    expect(() => configFailer("prod", "berth-platform")("hello.scaling", "needs min <= max")).toThrow(
      "Pulumi.prod.yaml: berth-platform:hello.scaling needs min <= max",
    );
  });
});
