import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseCidr } from "@berth/core";
import { beforeAll, describe, expect, it } from "vitest";
import { type RunRecord, RunResult, runProgram } from "../src/index.js";

const exec = promisify(execFile);
const fixture = (name: string) => join(__dirname, "..", "fixtures", name);

let app: RunResult;
let raw: RunRecord;

beforeAll(async () => {
  raw = await runProgram({ projectDir: fixture("app"), stack: "dev" });
  app = new RunResult(raw);
});

describe("a program run offline from its Pulumi.yaml", () => {
  it("runs the TypeScript entry of the project without errors", () => {
    expect(app.error).toBeUndefined();
    expect(raw.project).toBe("berth-fixture-app");
    expect(raw.stack).toBe("dev");
    expect(app.one("pulumi:pulumi:Stack").urn).toBe(
      "urn:pulumi:dev::berth-fixture-app::pulumi:pulumi:Stack::berth-fixture-app-dev",
    );
  });

  it("applies Pulumi.yaml defaults, overridden by the stack file", () => {
    expect(app.one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).toBe(14);
    expect(raw.region).toBe("us-east-1");
    expect(raw.config["aws:region"]).toBe("us-east-1");
  });

  it("passes nested objects, lists and numbers from the stack file", () => {
    expect(app.one("awsx:ec2:Vpc").inputs.cidrBlock).toBe("10.20.0.0/16");
    expect(app.outputs.serviceNames).toEqual(["web", "worker"]);
    expect(app.outputs.replicaCount).toBe(3);
    expect(JSON.parse(raw.config["berth-fixture-app:network"]!)).toEqual({
      cidrBlock: "10.20.0.0/16",
      azCount: 3,
    });
  });

  it("turns secure values into secrets that are never printed", () => {
    expect(raw.secretKeys.sort()).toEqual(["berth-fixture-app:dbPassword", "berth-fixture-app:tokens"]);
    expect(raw.config["berth-fixture-app:dbPassword"]).toBe("[secret]");
    expect(raw.config["berth-fixture-app:tokens"]).toBe("[secret]");
    expect(app.outputs.password).toBe("[secret]");
    expect(app.outputs.githubToken).toBe("[secret]");
    expect(app.one("aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString).toBe("[secret]");
    const text = JSON.stringify(raw);
    expect(text).not.toContain("v1:9aGN0Lk2x7d3c1fM");
    expect(text).not.toContain("QWxzbyBub3QgYSByZWFsIHRva2Vu");
  });

  it("records parents, real-format URNs, options and dependencies", () => {
    const widget = app.one("fixture:index:Widget");
    const topic = app.one("aws:sns/topic:Topic");
    expect(topic.parent).toBe(widget.urn);
    expect(topic.urn).toBe(
      "urn:pulumi:dev::berth-fixture-app::fixture:index:Widget$aws:sns/topic:Topic::widget-alerts",
    );
    const bucket = app.one("aws:s3/bucket:Bucket");
    expect(bucket.options).toMatchObject({ protect: true, retainOnDelete: true });
    const sg = app.one("aws:ec2/securityGroup:SecurityGroup");
    expect(sg.dependencies).toContain(app.one("aws:lb/loadBalancer:LoadBalancer").urn);
    expect(sg.provider).toMatch(/^urn:pulumi:dev::berth-fixture-app::pulumi:providers:aws::default::/);
    expect(widget.outputs.topicArn).toBe(topic.outputs.arn);
  });

  it("captures what the program logs as diagnostics", () => {
    expect(app.diagnostics).toContainEqual({
      severity: "warning",
      message: "fixture warning from the program",
    });
  });
});

describe("what AWS would compute", () => {
  it("gives ECR, ECS, IAM, logs, S3 and Secrets Manager ARNs and URLs in AWS's formats", () => {
    expect(app.outputs.repositoryUrl).toMatch(
      /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/app-[0-9a-f]{7}$/,
    );
    expect(app.outputs.clusterArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:cluster\/main-[0-9a-f]{7}$/);
    expect(app.outputs.roleArn).toMatch(/^arn:aws:iam::123456789012:role\/task-[0-9a-f]{7}$/);
    expect(app.outputs.logGroupArn).toMatch(
      /^arn:aws:logs:us-east-1:123456789012:log-group:app-[0-9a-f]{7}$/,
    );
    expect(app.outputs.bucketArn).toMatch(/^arn:aws:s3:::logs-[0-9a-f]{7}$/);
    expect(app.outputs.secretArn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:db-[0-9a-f]{7}-[0-9a-f]{6}$/,
    );
  });

  it("gives load balancers DNS names, zone ids and ARN suffixes that listeners and target groups agree with", () => {
    const lb = app.one("aws:lb/loadBalancer:LoadBalancer");
    expect(lb.outputs.dnsName).toMatch(/^web-[0-9a-f]{7}-\d{10}\.us-east-1\.elb\.amazonaws\.com$/);
    expect(app.outputs.lbZoneId).toBe("Z35SXDOTRQ7X7K");
    expect(lb.outputs.arnSuffix).toMatch(/^app\/web-[0-9a-f]{7}\/[0-9a-f]{16}$/);
    expect(lb.outputs.arn).toBe(
      `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/${lb.outputs.arnSuffix}`,
    );
    expect(String(app.outputs.listenerArn)).toContain(`:listener/${lb.outputs.arnSuffix}/`);
    expect(app.outputs.targetGroupArnSuffix).toMatch(/^targetgroup\/web-[0-9a-f]{7}\/[0-9a-f]{16}$/);
  });

  it("answers the usual invokes from region and account", () => {
    expect(app.outputs.accountId).toBe("123456789012");
    expect(app.outputs.zoneNames).toEqual(["a", "b", "c", "d", "e", "f"].map((l) => `us-east-1${l}`));
    expect(app.outputs.regionName).toBe("us-east-1");
    expect(app.outputs.partitionName).toBe("aws");
    expect(app.outputs.amiId).toMatch(/^ami-[0-9a-f]{17}$/);
  });

  it("is deterministic: the same program gives the same record", async () => {
    const again = await runProgram({ projectDir: fixture("app"), stack: "dev" });
    expect({ ...again, durationMs: 0 }).toEqual({ ...raw, durationMs: 0 });
  });
});

describe("awsx:ec2:Vpc outputs", () => {
  it("synthesizes one subnet per AZ and spec, inside the VPC, aligned and not overlapping", () => {
    const vpc = app.one("awsx:ec2:Vpc");
    const subnets = vpc.outputs.subnets as {
      cidrBlock: string;
      availabilityZone: string;
      tags: { SubnetType: string };
    }[];
    expect(subnets).toHaveLength(9);
    expect(app.outputs.publicSubnetIds).toHaveLength(3);
    expect(app.outputs.privateSubnetIds).toHaveLength(3);
    expect(app.outputs.isolatedSubnetIds).toHaveLength(3);
    const blocks = subnets.map((s) => parseCidr(s.cidrBlock)!);
    const vpcBlock = parseCidr("10.20.0.0/16")!;
    for (const [i, b] of blocks.entries()) {
      expect(b.base).toBeGreaterThanOrEqual(vpcBlock.base);
      expect(b.base + 2 ** (32 - b.mask)).toBeLessThanOrEqual(vpcBlock.base + 2 ** 16);
      const expected = { Public: 24, Private: 22, Isolated: 26 }[subnets[i]!.tags.SubnetType];
      expect(b.mask).toBe(expected);
      for (const other of blocks.slice(i + 1)) {
        const overlap =
          b.base < other.base + 2 ** (32 - other.mask) && other.base < b.base + 2 ** (32 - b.mask);
        expect(overlap).toBe(false);
      }
    }
    expect(new Set(subnets.map((s) => s.availabilityZone))).toEqual(
      new Set(["us-east-1a", "us-east-1b", "us-east-1c"]),
    );
  });

  it("follows the NAT strategy: one NAT gateway and Elastic IP, private routes through it", () => {
    const vpc = app.one("awsx:ec2:Vpc");
    expect(vpc.outputs.natGateways).toHaveLength(1);
    expect(app.outputs.natPublicIps).toHaveLength(1);
    const nat = (vpc.outputs.natGateways as { id: string }[])[0]!;
    const routes = vpc.outputs.routes as { natGatewayId?: string; gatewayId?: string }[];
    expect(routes.filter((r) => r.natGatewayId === nat.id)).toHaveLength(3);
    expect(routes.filter((r) => r.gatewayId?.startsWith("igw-"))).toHaveLength(3);
    expect(vpc.outputs.routeTables).toHaveLength(9);
  });
});

describe("stack references", () => {
  it("resolve from the referenced project's own offline run, recorded as a read", () => {
    expect(app.outputs.baseBucket).toBe("berth-fixture-shared");
    const ref = app.one("pulumi:pulumi:StackReference");
    expect(ref.read).toBe(true);
    expect(ref.name).toBe("organization/berth-fixture-base/dev");
  });

  it("resolve from the fixtures when the project is not in the repository", async () => {
    const run = new RunResult(
      await runProgram({
        projectDir: fixture("ref-missing"),
        stack: "dev",
        fixtures: { stackReferences: { "organization/no-such-project/dev": { anything: 42 } } },
      }),
    );
    expect(run.error).toBeUndefined();
    expect(run.outputs.value).toBe(42);
  });

  it("fail clearly when neither the project nor a fixture exists", async () => {
    const run = await runProgram({ projectDir: fixture("ref-missing"), stack: "dev" });
    expect(run.error?.message).toMatch(
      /stack reference 'organization\/no-such-project\/dev': no Pulumi project named 'no-such-project'.*no entry for it under 'stackReferences'/,
    );
  });

  it("detect cycles between projects", async () => {
    const run = await runProgram({ projectDir: fixture("cycle-a"), stack: "dev" });
    expect(run.error?.message).toMatch(/forms a cycle/);
    expect(run.error?.message).toContain(
      "berth-fixture-cycle-a/dev -> organization/berth-fixture-cycle-b/dev",
    );
  });
});

describe("programs and failures", () => {
  it("runs a JavaScript main named in Pulumi.yaml that exports an async function", async () => {
    const run = new RunResult(await runProgram({ projectDir: fixture("js-main"), stack: "prod" }));
    expect(run.error).toBeUndefined();
    expect(run.outputs.firstZone).toBe("eu-central-1a");
    expect(run.outputs.topicArn).toMatch(/^arn:aws:sns:eu-central-1:123456789012:events-/);
  });

  it("reports missing config with the key to set and creates nothing", async () => {
    const run = new RunResult(await runProgram({ projectDir: fixture("missing-config"), stack: "dev" }));
    expect(run.error?.message).toMatch(
      /Missing required configuration variable 'berth-fixture-missing-config:clusterName'/,
    );
    expect(run.managed).toHaveLength(0);
  });

  it("reports a validation error with its field", async () => {
    const run = await runProgram({ projectDir: fixture("invalid-args"), stack: "dev" });
    expect(run.error).toMatchObject({ name: "ValidationError", field: "cpu" });
    expect(run.error?.message).toBe("cpu: 300 is not a Fargate CPU size; use 256, 512, 1024, 2048 or 4096");
  });

  it("fails, instead of never finishing, when an apply that resources wait on throws", async () => {
    const run = new RunResult(await runProgram({ projectDir: fixture("apply-throws"), stack: "dev" }));
    expect(run.error?.message).toMatch(
      /release pointer is "berth-fixture-shared"; expected a digest-pinned image/,
    );
    expect(run.ofType("aws:ecs/service:Service")).toHaveLength(0);
  });

  it("names the token of an invoke it cannot answer", async () => {
    const run = await runProgram({ projectDir: fixture("unknown-invoke"), stack: "dev" });
    expect(run.error?.message).toMatch(
      /no answer for invoke 'aws:ec2\/getVpc:getVpc'.*fixtures file under 'invokes'/,
    );
  });

  it("answers an unknown invoke from the fixtures", async () => {
    const run = new RunResult(
      await runProgram({
        projectDir: fixture("unknown-invoke"),
        stack: "dev",
        fixtures: { invokes: { "aws:ec2/getVpc:getVpc": { id: "vpc-0fixture" } } },
      }),
    );
    expect(run.outputs.vpcId).toBe("vpc-0fixture");
  });

  it("fails when the stack has no config file, naming the file", async () => {
    const run = await runProgram({ projectDir: fixture("app"), stack: "qa" });
    expect(run.error?.message).toMatch(/no stack 'qa' in .*fixtures\/app: .*Pulumi\.qa\.yaml does not exist/);
  });

  it("fails when the folder is not a Pulumi project", async () => {
    const run = await runProgram({ projectDir: join(__dirname), stack: "dev" });
    expect(run.error?.message).toMatch(/no Pulumi\.yaml in .*: not a Pulumi project/);
  });
});

describe("the pool of reused child processes", () => {
  it("gives a run after one that failed midway the same record as a fresh process would", async () => {
    const failed = await runProgram({ projectDir: fixture("apply-throws"), stack: "dev" });
    expect(failed.error).toBeDefined();
    const after = await runProgram({ projectDir: fixture("app"), stack: "dev" });
    expect({ ...after, durationMs: 0 }).toEqual({ ...raw, durationMs: 0 });
  });

  it("gives many runs started at once the records they get one at a time", async () => {
    const [a, bad, b, invalid, c] = await Promise.all([
      runProgram({ projectDir: fixture("app"), stack: "dev" }),
      runProgram({ projectDir: fixture("apply-throws"), stack: "dev" }),
      runProgram({ projectDir: fixture("app"), stack: "dev" }),
      runProgram({ projectDir: fixture("invalid-args"), stack: "dev" }),
      runProgram({ projectDir: fixture("app"), stack: "dev" }),
    ]);
    for (const r of [a, b, c]) expect({ ...r!, durationMs: 0 }).toEqual({ ...raw, durationMs: 0 });
    expect(bad!.error?.message).toMatch(/release pointer/);
    expect(invalid!.error?.field).toBe("cpu");
  });

  it("lets the parent process exit once its runs are done (idle children end with it)", async () => {
    const script = `require(${JSON.stringify(join(__dirname, "..", "dist", "index.js"))})
      .runProgram({ projectDir: ${JSON.stringify(fixture("app"))}, stack: "dev" })
      .then((r) => console.log(r.error ? "error" : "ran " + r.resources.length));`;
    const { stdout } = await exec(process.execPath, ["-e", script], { timeout: 40_000 });
    expect(stdout.trim()).toBe(`ran ${raw.resources.length}`);
  });
});

describe("run options", () => {
  it("gives the program the environment variables of its run only, in a reused process too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-env-"));
    writeFileSync(
      join(dir, "Pulumi.yaml"),
      "name: env-fixture\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
    );
    writeFileSync(join(dir, "Pulumi.dev.yaml"), "config: {}\n");
    writeFileSync(
      join(dir, "index.js"),
      'module.exports = { value: process.env.BERTH_TEST_VAR ?? "unset" };\n',
    );
    const withVar = await runProgram({
      projectDir: dir,
      stack: "dev",
      environment: { BERTH_TEST_VAR: "one" },
    });
    expect(withVar.outputs.value).toBe("one");
    const without = await runProgram({ projectDir: dir, stack: "dev" });
    expect(without.outputs.value).toBe("unset");
  });

  it("never leaves a run's variables in a process a stack reference started, for the runs after it", async () => {
    // Two projects under this package's node_modules, so @pulumi/pulumi resolves: `outer` reads
    // `inner` through a StackReference, which the engine runs in a process of its own.
    const root = mkdtempSync(join(__dirname, "..", "node_modules", ".berth-env-ref-"));
    const project = (name: string, main: string) => {
      mkdirSync(join(root, name));
      writeFileSync(
        join(root, name, "Pulumi.yaml"),
        `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`,
      );
      writeFileSync(join(root, name, "Pulumi.dev.yaml"), "config: {}\n");
      writeFileSync(join(root, name, "index.js"), main);
    };
    project("inner", 'module.exports = { value: process.env.BERTH_TEST_VAR ?? "unset" };\n');
    project(
      "outer",
      'const pulumi = require("@pulumi/pulumi");\n' +
        'module.exports = { value: new pulumi.StackReference("organization/inner/dev").getOutput("value") };\n',
    );
    try {
      const withVar = await runProgram({
        projectDir: join(root, "outer"),
        stack: "dev",
        environment: { BERTH_TEST_VAR: "one" },
      });
      expect(withVar.error?.message).toBeUndefined();
      expect(withVar.outputs.value).toBe("one");
      const without = await runProgram({ projectDir: join(root, "outer"), stack: "dev" });
      expect(without.outputs.value).toBe("unset");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
