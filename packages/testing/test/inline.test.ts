import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { expectInvalid, runComponent } from "../src/index.js";

class Pair extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  constructor(name: string, args: { retention: number }, opts?: pulumi.ComponentResourceOptions) {
    if (args.retention < 1) {
      throw Object.assign(new Error(`retention is ${args.retention}; must be at least 1`), {
        field: "retention",
      });
    }
    super("test:index:Pair", name, {}, opts);
    const topic = new aws.sns.Topic(`${name}-topic`, {}, { parent: this });
    new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.retention },
      { parent: this, protect: true },
    );
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}

describe("runComponent", () => {
  it("records a component's children with parent, inputs, outputs and options", async () => {
    const run = await runComponent(() => new Pair("p", { retention: 7 }));
    const pair = run.one("test:index:Pair");
    const logs = run.one("aws:cloudwatch/logGroup:LogGroup");
    expect(logs.parent).toBe(pair.urn);
    expect(logs.urn).toBe(
      "urn:pulumi:test::berth-test::test:index:Pair$aws:cloudwatch/logGroup:LogGroup::p-logs",
    );
    expect(logs.inputs.retentionInDays).toBe(7);
    expect(logs.options.protect).toBe(true);
    expect(logs.outputs.arn).toMatch(/^arn:aws:logs:us-east-1:123456789012:log-group:p-logs-[0-9a-f]{7}$/);
    expect(run.children(pair).map((r) => r.type)).toEqual([
      "aws:sns/topic:Topic",
      "aws:cloudwatch/logGroup:LogGroup",
    ]);
    expect(pair.outputs.topicArn).toMatch(/^arn:aws:sns:us-east-1:123456789012:p-topic-/);
  });

  it("applies config, region and account to what it synthesizes", async () => {
    const run = await runComponent(
      () => {
        const cfg = new pulumi.Config("app");
        return {
          size: cfg.requireNumber("size"),
          secret: cfg.requireSecret("token"),
          topic: new aws.sns.Topic("t").arn,
        };
      },
      {
        config: { "app:size": 3, "app:token": "s3cr3t", "aws:region": "eu-west-1" },
        secretKeys: ["app:token"],
        account: "210987654321",
      },
    );
    expect(run.outputs.size).toBe(3);
    expect(run.outputs.secret).toBe("[secret]");
    expect(run.outputs.topic).toMatch(/^arn:aws:sns:eu-west-1:210987654321:t-/);
    expect(run.record.config["app:token"]).toBe("[secret]");
  });

  it("answers in the region and the single allowed account of a resource's explicit provider", async () => {
    const run = await runComponent(() => {
      const provider = new aws.Provider("prod", {
        region: "eu-central-1",
        allowedAccountIds: ["210987654321"],
      });
      return {
        pinned: new aws.sns.Topic("pinned", {}, { provider }).arn,
        plain: new aws.sns.Topic("plain").arn,
        account: aws.getCallerIdentityOutput({}, { provider }).accountId,
      };
    });
    expect(run.outputs.pinned).toMatch(/^arn:aws:sns:eu-central-1:210987654321:pinned-/);
    expect(run.outputs.plain).toMatch(/^arn:aws:sns:us-east-1:123456789012:plain-/);
    expect(run.outputs.account).toBe("210987654321");
  });

  it("runs one after another without leaking resources between runs", async () => {
    const [a, b] = await Promise.all([
      runComponent(() => new aws.sns.Topic("a")),
      runComponent(() => new aws.sqs.Queue("b")),
    ]);
    expect(a.managed.map((r) => r.type)).toEqual(["aws:sns/topic:Topic"]);
    expect(b.managed.map((r) => r.type)).toEqual(["aws:sqs/queue:Queue"]);
  });
});

describe("expectInvalid", () => {
  it("returns the error when the component rejects its args before creating anything", async () => {
    const err = await expectInvalid(() => new Pair("p", { retention: 0 }), /retention is 0/);
    expect(err.field).toBe("retention");
  });

  it("fails when the component succeeded", async () => {
    await expect(expectInvalid(() => new Pair("p", { retention: 3 }), /retention/)).rejects.toThrow(
      /but it succeeded/,
    );
  });

  it("fails when resources were registered before the error", async () => {
    const late = () => {
      new aws.sns.Topic("early");
      throw new Error("late validation");
    };
    await expect(expectInvalid(late, /late validation/)).rejects.toThrow(
      /1 were registered: aws:sns\/topic:Topic 'early'/,
    );
  });
});

describe("aliases", () => {
  it("records alias specs as the URNs they name (type, name, parent)", async () => {
    const run = await runComponent(() => {
      const parent = new pulumi.ComponentResource("test:index:Parent", "p");
      new pulumi.ComponentResource("test:index:New", "child", {}, { aliases: [{ type: "test:index:Old" }] });
      new pulumi.ComponentResource(
        "test:index:Leaf",
        "leaf",
        {},
        { parent, aliases: [{ name: "old-leaf" }] },
      );
    });
    expect(run.one("test:index:New").options.aliases).toEqual([
      "urn:pulumi:test::berth-test::test:index:Old::child",
    ]);
    expect(run.one("test:index:Leaf").options.aliases).toEqual([
      "urn:pulumi:test::berth-test::test:index:Parent$test:index:Leaf::old-leaf",
    ]);
  });
});
