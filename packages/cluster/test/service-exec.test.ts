import type { PolicyDocument } from "@berth/core";
import { runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { Cluster, Service } from "../src/index.js";
import { IMAGE, network } from "./service-fixtures.js";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/0b7c1e2d-3f4a-4b5c-8d6e-7f8091a2b3c4";

function taskPolicy(run: Awaited<ReturnType<typeof runComponent>>): PolicyDocument {
  const policy = run.ofType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "worker-task-policy");
  if (!policy) throw new Error("no task role policy");
  return run.json(policy, "policy") as PolicyDocument;
}

describe("ECS Exec audit through the cluster's ref", () => {
  it("lets the task role write sessions to the cluster's exec log group and decrypt with its key", async () => {
    const run = await runComponent(() => {
      const cluster = new Cluster("platform", { execLogs: { kmsKeyArn: KEY } });
      new Service("worker", { cluster: cluster.ref, network, image: IMAGE, enableExecuteCommand: true });
    });
    const logGroupArn = run.one("aws:cloudwatch/logGroup:LogGroup", "platform-exec-logs").outputs
      .arn as string;
    const statements = taskPolicy(run).Statement;
    expect(statements.find((s) => s.Sid === "EcsExecAuditWrite")).toEqual({
      Sid: "EcsExecAuditWrite",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      Resource: `${logGroupArn}:*`,
    });
    expect(statements.find((s) => s.Sid === "EcsExecSessionKey")?.Resource).toBe(KEY);
    expect(statements.find((s) => s.Sid === "EcsExec")).toBeDefined();
  });

  it("adds nothing for the audit when ECS Exec is off", async () => {
    const run = await runComponent(() => {
      const cluster = new Cluster("platform", {});
      new Service("worker", { cluster: cluster.ref, network, image: IMAGE, tracing: true });
    });
    const sids = taskPolicy(run).Statement.map((s) => s.Sid);
    expect(sids).not.toContain("EcsExecAuditWrite");
    expect(sids).not.toContain("EcsExec");
  });
});
