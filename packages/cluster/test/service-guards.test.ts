import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { dashboardBody, Service, type ServiceArgs } from "../src/index.js";
import { cluster, loadBalancer, testListenerArn, web, worker } from "./service-fixtures.js";

const SVC = "aws:ecs/service:Service";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SSM = "arn:aws:ssm:us-east-1:123456789012:parameter/hello/token";

/** Each case: name, arguments, the message it must produce, the field the error names. */
const cases: [string, unknown, ServiceArgs, RegExp, string][] = [
  ["an empty name", "", web(), /give the component a non-empty name/, "name"],
  ["a name with a space", "my web", web(), /name is "my web"; a name starts with a letter or digit/, "name"],
  ["a non-ASCII name", "wéb", web(), /only ASCII letters, digits/, "name"],
  [
    "AWS_SECRET_ACCESS_KEY as a plain variable",
    "web",
    web({ environment: { AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG" } }),
    /environment\.AWS_SECRET_ACCESS_KEY is "AWS_SECRET_ACCESS_KEY"; AWS credentials never go into a task definition.*task role.*secrets/,
    "environment.AWS_SECRET_ACCESS_KEY",
  ],
  [
    "AWS_ACCESS_KEY_ID as a plain variable",
    "web",
    web({ environment: { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" } }),
    /AWS credentials never go into a task definition/,
    "environment.AWS_ACCESS_KEY_ID",
  ],
  [
    "AWS_SESSION_TOKEN in a sidecar",
    "web",
    web({
      sidecars: [
        {
          name: "proxy",
          image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/proxy@sha256:${"b2".repeat(32)}`,
          environment: { AWS_SESSION_TOKEN: "x" },
        },
      ],
    }),
    /AWS credentials never go into a task definition/,
    "sidecars[0].environment.AWS_SESSION_TOKEN",
  ],
  [
    "variables past the 64 KiB task definition limit",
    "web",
    web({
      environment: Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`BLOB_${i}`, "x".repeat(1000)])),
    }),
    /environment is "about 7\d KiB of variables, secrets and commands"; AWS limits a task definition to 64 KiB \(65536 bytes\)/,
    "environment",
  ],
  [
    "a bare * host",
    "web",
    web({ rule: { priority: 5, hosts: ["*"] } }),
    /rule\.hosts\[0\] is "\*"; a bare \* would match every host/,
    "rule.hosts[0]",
  ],
  [
    "a host without a dot",
    "web",
    web({ rule: { priority: 5, hosts: ["localhost"] } }),
    /at least one '\.' and only letters after the last '\.'/,
    "rule.hosts[0]",
  ],
  [
    "a tag key reserved for AWS",
    "web",
    web({ tags: { "aws:cost": "x" } }),
    /tag keys starting with aws: are reserved for AWS/,
    "tags.aws:cost",
  ],
  [
    "more than 10 containers",
    "web",
    web({
      tracing: true,
      sidecars: Array.from({ length: 9 }, (_, i) => ({
        name: `s${i}`,
        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/s@sha256:${"c3".repeat(32)}`,
      })),
    }),
    /sidecars is "11 containers"; ECS allows at most 10 containers per task definition/,
    "sidecars",
  ],
];

describe("Service guards", () => {
  it.each(cases)("rejects %s before creating anything", async (_label, name, args, message, field) => {
    const err = await expectInvalid(() => new Service(name as string, args), message);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:Service '/);
  });

  it("accepts variables just under the limit and secrets for credentials", async () => {
    const run = await runComponent(
      () =>
        new Service(
          "web",
          web({
            environment: Object.fromEntries(
              Array.from({ length: 50 }, (_, i) => [`BLOB_${i}`, "x".repeat(1000)]),
            ),
            secrets: { AWS_SECRET_ACCESS_KEY: SSM },
          }),
        ),
    );
    expect(run.ok).toBe(true);
  });
});

describe("Service listener rules on a shared listener", () => {
  it("refuses a second service with the same priority, naming both", async () => {
    const run = await runComponent(
      () => {
        new Service("api", web({ rule: { priority: 100, hosts: ["api.example.com"] } }));
        new Service("www", web({ rule: { priority: 100, hosts: ["www.example.com"] } }));
      },
      { allowError: true },
    );
    expect(run.error?.message).toMatch(
      /berth:cluster:Service 'www': rule\.priority is 100; Service 'api' already has priority 100 on this listener/,
    );
    // The second service was refused before any of its resources registered.
    expect(run.ofType("berth:cluster:Service").map((r) => r.name)).toEqual(["api"]);
    expect(run.find((r) => r.name.startsWith("www"))).toEqual([]);
  });

  it("refuses the same hosts and paths at another priority, naming both", async () => {
    const run = await runComponent(
      () => {
        new Service("api", web({ rule: { priority: 100, hosts: ["API.example.com"], paths: ["/v1/*"] } }));
        new Service("api2", web({ rule: { priority: 200, hosts: ["api.example.com"], paths: ["/v1/*"] } }));
      },
      { allowError: true },
    );
    expect(run.error?.message).toMatch(
      /berth:cluster:Service 'api2': rule is .*; Service 'api' routes the same hosts and paths on this listener at priority 100/,
    );
  });

  it("allows the same priority on different listeners and forgets the claims after the run", async () => {
    const other = { ...loadBalancer, listenerArn: `${loadBalancer.listenerArn}0` };
    const first = await runComponent(() => {
      new Service("api", web({ rule: { priority: 100, hosts: ["api.example.com"] } }));
      new Service("www", web({ loadBalancer: other, rule: { priority: 100, hosts: ["www.example.com"] } }));
    });
    expect(first.ok).toBe(true);
    // A second run (the next `pulumi up`, or the next test) starts with no claims.
    const second = await runComponent(
      () => new Service("api", web({ rule: { priority: 100, hosts: ["api.example.com"] } })),
    );
    expect(second.ok).toBe(true);
  });
});

describe("Service Availability Zone rebalancing", () => {
  it("turns it on when ECS may start a task before stopping one (maxPercent above 100)", async () => {
    const run = await runComponent(() => new Service("web", web()));
    expect(run.one(SVC).inputs.availabilityZoneRebalancing).toBe("ENABLED");
  });

  it("turns it off with maxPercent 100, which AWS does not rebalance", async () => {
    const run = await runComponent(
      () => new Service("web", web({ deployment: { minHealthyPercent: 50, maxPercent: 100 } })),
    );
    expect(run.one(SVC).inputs).toMatchObject({
      availabilityZoneRebalancing: "DISABLED",
      deploymentMaximumPercent: 100,
    });
  });
});

describe("Service alarms that can fire", () => {
  it("creates no below-desired alarm and no tasks widget on a cluster without Container Insights", async () => {
    const noInsights = { ...cluster, containerInsights: false };
    const run = await runComponent(() => new Service("web", web({ cluster: noInsights })));
    expect(
      run
        .ofType(ALARM)
        .map((a) => a.name)
        .sort(),
    ).toEqual(["web-5xx", "web-cpu", "web-memory", "web-unhealthy"]);
    const body = run.json(run.one("aws:cloudwatch/dashboard:Dashboard"), "dashboardBody") as {
      widgets: { properties: { title: string } }[];
    };
    expect(body.widgets.map((w) => w.properties.title)).not.toContain("Tasks");
  });

  it("counts a hand-built ref without containerInsights as a cluster without it", async () => {
    const { containerInsights: _, ...handBuilt } = cluster;
    const run = await runComponent(() => new Service("jobs", worker({ cluster: handBuilt })));
    expect(
      run
        .ofType(ALARM)
        .map((a) => a.name)
        .sort(),
    ).toEqual(["jobs-cpu", "jobs-memory"]);
  });

  it("keeps the below-desired alarm on Container Insights metrics when the cluster has them", async () => {
    const run = await runComponent(() => new Service("jobs", worker()));
    expect(run.ofType(ALARM).map((a) => a.name)).toContain("jobs-below-desired");
  });

  it("leaves the tasks widget out of a dashboard built without Container Insights", () => {
    const keys = { region: "us-east-1", clusterName: "c", serviceName: "s", targetGroups: [] };
    expect(dashboardBody({ ...keys, containerInsights: false }).widgets).toHaveLength(2);
    expect(dashboardBody(keys).widgets).toHaveLength(3);
  });
});

describe("Service blue/green, canary and linear: later deployments", () => {
  it.each([["BLUE_GREEN"], ["CANARY"], ["LINEAR"]] as const)(
    "%s: leaves the load balancer block and the rules' weights to ECS after creation",
    async (strategy) => {
      const run = await runComponent(
        () =>
          new Service(
            "web",
            web({
              loadBalancer: { ...loadBalancer, testListenerArn },
              deployment: { strategy },
              scaling: { max: 4 },
            }),
          ),
      );
      const svc = run.one(SVC);
      expect(svc.options.ignoreChanges).toEqual(["desiredCount", "loadBalancers"]);
      // Created with the declared pair: primary first, the alternate in advancedConfiguration.
      const [tg, alt] = run.ofType("aws:lb/targetGroup:TargetGroup");
      expect(run.input(svc, "loadBalancers[0].targetGroupArn")).toBe(tg!.outputs.arn);
      expect(run.input(svc, "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn")).toBe(
        alt!.outputs.arn,
      );
      for (const rule of run.ofType("aws:lb/listenerRule:ListenerRule")) {
        expect(rule.options.ignoreChanges).toEqual(["actions"]);
      }
    },
  );

  it("ROLLING: keeps managing the load balancer block", async () => {
    const run = await runComponent(() => new Service("web", web()));
    expect(run.one(SVC).options.ignoreChanges ?? []).not.toContain("loadBalancers");
  });
});
