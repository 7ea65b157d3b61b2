import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// scripts/bootstrap-backend.sh creates the state bucket and secrets key this stack's config names.
const script = join(__dirname, "..", "..", "..", "scripts", "bootstrap-backend.sh");
const run = (...args: string[]) => spawnSync("bash", [script, ...args], { encoding: "utf8" });

describe("scripts/bootstrap-backend.sh", () => {
  it("passes shellcheck", () => {
    const r = spawnSync("shellcheck", [script], { encoding: "utf8" });
    if (r.error) throw new Error("shellcheck is not installed (Debian: apt-get install shellcheck)");
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("creates a versioned, KMS-encrypted, private, TLS-only bucket and a rotating key (dry run)", () => {
    const r = run("--bucket", "acme-berth-state", "--region", "eu-west-1", "--dry-run");
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toContain("kms create-key");
    expect(out).toContain("kms create-alias --alias-name alias/berth-pulumi-secrets");
    expect(out).toContain("kms enable-key-rotation");
    expect(out).toContain(
      "create-bucket --bucket acme-berth-state --create-bucket-configuration LocationConstraint=eu-west-1",
    );
    expect(out).toContain(
      "put-bucket-versioning --bucket acme-berth-state --versioning-configuration Status=Enabled",
    );
    expect(out).toMatch(
      /put-public-access-block .*BlockPublicAcls=true\\,IgnorePublicAcls=true\\,BlockPublicPolicy=true\\,RestrictPublicBuckets=true/,
    );
    expect(out).toMatch(/put-bucket-encryption .*aws:kms.*BucketKeyEnabled/);
    expect(out).toMatch(/put-bucket-policy .*aws:SecureTransport.*false/);
    expect(out).toContain('pulumi login "s3://acme-berth-state?region=eu-west-1"');
    expect(out).toContain('--secrets-provider "awskms://alias/berth-pulumi-secrets?region=eu-west-1"');
  });

  it("creates the bucket without a location constraint in us-east-1, as S3 requires", () => {
    const out = run("--bucket", "acme-berth-state", "--region", "us-east-1", "--dry-run").stdout;
    expect(out).toContain("create-bucket --bucket acme-berth-state\n");
    expect(out).not.toContain("LocationConstraint");
  });

  it("rejects bad arguments with the value and what is allowed", () => {
    const bucket = run("--bucket", "Acme_State", "--region", "us-east-1", "--dry-run");
    expect(bucket.status).toBe(2);
    expect(bucket.stderr).toContain("--bucket 'Acme_State' is not a valid S3 bucket name");
    const region = run("--bucket", "acme-state", "--region", "useast1", "--dry-run");
    expect(region.stderr).toContain("--region 'useast1' is not an AWS region name");
    const alias = run(
      "--bucket",
      "acme-state",
      "--region",
      "us-east-1",
      "--kms-alias",
      "alias/aws/s3",
      "--dry-run",
    );
    expect(alias.stderr).toContain("is reserved for AWS managed keys");
    expect(run("--region", "us-east-1").stderr).toContain("--bucket is required");
  });
});
