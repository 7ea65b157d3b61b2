import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { InternalService, type ReleaseTaskRun, WebService, WorkerService } from "../../src/index.js";
import { containers, env, IMAGE, loadBalancer, network, queue, scCluster, TD, WEB_SG } from "./fixtures.js";

describe("release tasks", () => {
  it("a second task definition: same image, roles, size and network mode, the release command, no port or health check", async () => {
    let web!: WebService;
    const run = await runComponent(() => {
      web = new WebService("web", {
        cluster: scCluster,
        network,
        loadBalancer,
        image: IMAGE,
        rule: { priority: 300, hosts: ["rel.example.com"] },
        containerHealthCheck: { command: ["CMD", "/health"] },
        environment: { LOG_LEVEL: "info" },
        release: { command: ["node", "migrate.js"], timeoutMinutes: 10 },
      });
      return { arn: web.releaseTaskDefinitionArn, run: web.releaseTask };
    });
    const main = run.one(TD, "web-taskdef");
    const release = run.one(TD, "web-release-taskdef");
    expect(release.inputs.family).toBe("platform-dev-web-release");
    for (const key of [
      "cpu",
      "memory",
      "networkMode",
      "requiresCompatibilities",
      "runtimePlatform",
      "executionRoleArn",
      "taskRoleArn",
      "volumes",
    ]) {
      expect(release.inputs[key]).toEqual(main.inputs[key]);
    }
    const [app] = containers(run, "web-release-taskdef");
    expect(app!.command).toEqual(["node", "migrate.js"]);
    expect(app!.portMappings).toEqual([]);
    expect(app!.healthCheck).toBeUndefined();
    expect(env(app!)).toEqual({ LOG_LEVEL: "info", BERTH_TIMEOUT_SECONDS: "600" });
    expect(app!.logConfiguration!.options["awslogs-stream-prefix"]).toBe("release-app");
    // The service's own task definition is unchanged.
    expect(containers(run, "web-taskdef")[0]!.portMappings).toEqual([
      { containerPort: 8080, protocol: "tcp" },
    ]);

    const sg = run.one("aws:ec2/securityGroup:SecurityGroup");
    expect(run.outputs.arn).toBe(release.outputs.arn);
    expect(run.outputs.run as ReleaseTaskRun).toEqual({
      taskDefinitionArn: release.outputs.arn,
      cluster: scCluster.arn,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-priv1", "subnet-priv2"],
          securityGroups: [sg.id],
          assignPublicIp: "DISABLED",
        },
      },
      launchType: "FARGATE",
      containerName: "app",
      timeoutMinutes: 10,
    });
  });

  it("internal services and workers take one too; a capacity mix is passed as a strategy", async () => {
    let worker!: WorkerService;
    const run = await runComponent(() => {
      new InternalService("orders", {
        cluster: scCluster,
        network,
        image: IMAGE,
        callers: [WEB_SG],
        release: { command: ["./migrate"] },
      });
      worker = new WorkerService("mailer", {
        cluster: scCluster,
        network,
        image: IMAGE,
        queue,
        subnets: "public",
        capacity: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
        release: { command: ["./prepare"] },
      });
      return { run: worker.releaseTask };
    });
    expect(run.one(TD, "orders-release-taskdef").inputs.family).toBe("platform-dev-orders-release");
    // The release task does not publish the Service Connect port.
    expect(containers(run, "orders-release-taskdef")[0]!.portMappings).toEqual([]);
    expect(env(containers(run, "orders-release-taskdef")[0]!).BERTH_TIMEOUT_SECONDS).toBe("900");
    const out = run.outputs.run as ReleaseTaskRun;
    expect(out.capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }]);
    expect(out.launchType).toBeUndefined();
    expect(out.networkConfiguration.awsvpcConfiguration.assignPublicIp).toBe("ENABLED");
    // A worker's release task gets its QUEUE_URL too (same environment).
    expect(env(containers(run, "mailer-release-taskdef")[0]!).QUEUE_URL).toBe(queue.url);
  });

  it("without release: no second task definition, undefined outputs", async () => {
    const run = await runComponent(() => {
      const w = new WorkerService("mailer", { cluster: scCluster, network, image: IMAGE, queue });
      return { arn: w.releaseTaskDefinitionArn };
    });
    expect(run.ofType(TD)).toHaveLength(1);
    expect(run.outputs.arn).toBeUndefined();
  });

  it.each<[string, unknown, RegExp, string]>([
    [
      "an empty command",
      { command: [] },
      /release\.command is \[\]; a command as a list of words/,
      "release.command",
    ],
    [
      "a command string",
      { command: "node migrate.js" },
      /release\.command is "node migrate\.js"; a command as a list of words/,
      "release.command",
    ],
    [
      "a timeout of 0",
      { command: ["x"], timeoutMinutes: 0 },
      /release\.timeoutMinutes is 0; must be a whole number from 1 to 120 minutes/,
      "release.timeoutMinutes",
    ],
    [
      "a timeout of 121",
      { command: ["x"], timeoutMinutes: 121 },
      /release\.timeoutMinutes is 121/,
      "release.timeoutMinutes",
    ],
  ])("rejects %s", async (_title, release, message, field) => {
    const err = await expectInvalid(
      () =>
        new WorkerService("mailer", { cluster: scCluster, network, image: IMAGE, queue, release } as never),
      message,
    );
    expect(err.field).toBe(field);
  });
});
