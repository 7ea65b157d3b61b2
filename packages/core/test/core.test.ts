import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  assumeRolePolicy,
  BerthValidationError,
  cidrContains,
  cidrOverlaps,
  formatCidr,
  isIpv6Cidr,
  mergeTags,
  parseCidr,
  partitionOfRegion,
  placeIamResources,
  transformed,
  Validator,
} from "../src/index.js";

const v = new Validator("berth:test:Thing", "main");

function caught(fn: () => void): BerthValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BerthValidationError) return e;
    throw e;
  }
  throw new Error("expected a BerthValidationError");
}

describe("Validator", () => {
  it("names the component, the field, the value and what is allowed", () => {
    const e = caught(() => v.oneOf("mode", "fast", ["single", "perAz"]));
    expect(e.message).toBe(`berth:test:Thing 'main': mode is "fast"; allowed: "single", "perAz"`);
    expect(e).toMatchObject({
      field: "mode",
      value: "fast",
      component: "berth:test:Thing",
      resource: "main",
    });
  });

  it("checks whole numbers and ranges", () => {
    expect(caught(() => v.integer("count", 2.5, { min: 1 })).message).toContain(
      "count is 2.5; must be a whole number at least 1",
    );
    expect(caught(() => v.integer("azs", 7, { min: 2, max: 6 })).message).toContain(
      "azs is 7; must be a whole number from 2 to 6",
    );
    expect(() => v.integer("azs", 3, { min: 2, max: 6 })).not.toThrow();
    expect(caught(() => v.number("ratio", Number.NaN, { min: 0 })).field).toBe("ratio");
  });

  it("checks patterns, lengths, ARNs, account ids and duplicates", () => {
    expect(
      caught(() => v.matches("name", "Bad Name", /^[a-z-]+$/, "use lowercase letters and dashes")).message,
    ).toContain('name is "Bad Name"; use lowercase letters and dashes');
    expect(caught(() => v.length("name", "x".repeat(33), { max: 32 })).message).toContain(
      "must be at most 32 characters long",
    );
    expect(() => v.arn("key", "arn:aws:kms:us-east-1:123456789012:key/abc", "kms")).not.toThrow();
    expect(caught(() => v.arn("key", "arn:aws:s3:::bucket", "kms")).message).toContain(
      "must be an ARN of kms",
    );
    expect(caught(() => v.accountId("account", "12345")).message).toContain("exactly 12 digits");
    expect(caught(() => v.unique("names", ["a", "b", "a"])).value).toBe("a");
    expect(caught(() => v.required("image", "")).message).toContain('image is ""; it is required');
  });

  it("skips values only known at deployment time", () => {
    expect(() => v.integer("count", pulumi.output(99), { max: 3 })).not.toThrow();
    expect(() => v.oneOf("mode", Promise.resolve("x") as unknown as string, ["a"])).not.toThrow();
  });
});

describe("CIDR helpers", () => {
  it("parse and format IPv4 blocks, rejecting host bits and bad octets", () => {
    expect(formatCidr(parseCidr("10.20.0.0/16")!)).toBe("10.20.0.0/16");
    expect(parseCidr("10.20.1.0/16")).toBeUndefined();
    expect(parseCidr("10.300.0.0/16")).toBeUndefined();
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("vpc")).toBeUndefined();
  });

  it("tell containment and overlap", () => {
    const vpc = parseCidr("10.0.0.0/16")!;
    expect(cidrContains(vpc, parseCidr("10.0.4.0/22")!)).toBe(true);
    expect(cidrContains(vpc, parseCidr("10.1.0.0/24")!)).toBe(false);
    expect(cidrOverlaps(parseCidr("10.0.0.0/23")!, parseCidr("10.0.1.0/24")!)).toBe(true);
    expect(cidrOverlaps(parseCidr("10.0.0.0/24")!, parseCidr("10.0.1.0/24")!)).toBe(false);
    expect(isIpv6Cidr("2001:db8::/32")).toBe(true);
    expect(isIpv6Cidr("10.0.0.0/8")).toBe(false);
  });
});

describe("transforms, tags and IAM", () => {
  it("lets a transform change args in place or return new ones", () => {
    const [a] = transformed(
      (args: { size: number }) => {
        args.size = 2;
      },
      { size: 1 },
      {},
    );
    expect(a.size).toBe(2);
    const [b] = transformed(() => ({ size: 5 }), { size: 1 }, {});
    expect(b.size).toBe(5);
    const [c] = transformed(undefined, { size: 1 }, {});
    expect(c.size).toBe(1);
  });

  it("merges tags left to right and drops undefined values", () => {
    expect(mergeTags({ a: "1", b: "1" }, undefined, { b: "2", c: undefined })).toEqual({ a: "1", b: "2" });
  });

  it("builds a service trust policy, optionally pinned to the source account", () => {
    expect(assumeRolePolicy("ecs-tasks.amazonaws.com", "123456789012")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ],
    });
  });
});

describe("IAM placement for the bootstrap's deploy roles", () => {
  const place = placeIamResources("prod", "aws", "210987654321");
  const opts = {};
  it("puts roles under /berth/<env>/ with the workload boundary", () => {
    expect(place({ type: "aws:iam/role:Role", props: { name: "x" }, opts })?.props).toEqual({
      name: "x",
      path: "/berth/prod/",
      permissionsBoundary: "arn:aws:iam::210987654321:policy/berth-boundaries/berth-workload-prod",
    });
  });
  it("puts managed policies and instance profiles under the path, and leaves everything else alone", () => {
    expect(place({ type: "aws:iam/policy:Policy", props: {}, opts })?.props).toEqual({
      path: "/berth/prod/",
    });
    expect(place({ type: "aws:iam/instanceProfile:InstanceProfile", props: {}, opts })?.props).toEqual({
      path: "/berth/prod/",
    });
    expect(place({ type: "aws:iam/rolePolicy:RolePolicy", props: {}, opts })).toBeUndefined();
    expect(place({ type: "aws:s3/bucket:Bucket", props: {}, opts })).toBeUndefined();
  });
  it.each([
    ["us-east-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
  ])("the partition of %s is %s", (region, partition) => expect(partitionOfRegion(region)).toBe(partition));
});
