import { expectInvalid, runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Service, type ServiceArgs } from "../src/index.js";
import { cluster, IMAGE, web, worker } from "./service-fixtures.js";

/** Each case: arguments, the message it must produce, the field the error names. */
const cases: [string, ServiceArgs, RegExp, string][] = [
  [
    "a tag instead of a digest",
    web({ image: "hello:latest" }),
    /image is "hello:latest".*pinned by digest/,
    "image",
  ],
  [
    "a truncated digest",
    web({ image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:abc" }),
    /pinned by digest/,
    "image",
  ],
  [
    "a sidecar image by tag",
    web({ sidecars: [{ name: "proxy", image: "nginx:1.27" }] }),
    /sidecars\[0\]\.image/,
    "sidecars[0].image",
  ],
  [
    "a CPU value Fargate does not offer",
    web({ cpu: 300, memory: 512 }),
    /cpu is 300; Fargate accepts cpu 256, 512/,
    "cpu",
  ],
  [
    "256 CPU with 4 GiB",
    web({ cpu: 256, memory: 4096 }),
    /memory is 4096; with cpu 256, Fargate accepts memory 512, 1024, 2048/,
    "memory",
  ],
  [
    "1 vCPU with 1 GiB",
    web({ cpu: 1024, memory: 1024 }),
    /with cpu 1024, Fargate accepts memory from 2048 to 8192 MiB in steps of 1024/,
    "memory",
  ],
  ["8 vCPU off the 4 GiB step", web({ cpu: 8192, memory: 18432 }), /steps of 4096/, "memory"],
  ["port 0", web({ port: 0 }), /port is 0; must be a whole number from 1 to 65535/, "port"],
  ["port 70000", worker({ port: 70000 }), /port is 70000/, "port"],
  [
    "min above desired",
    web({ desiredCount: 2, scaling: { min: 3, max: 5 } }),
    /scaling\.min is 3; must be at most desiredCount \(2\)/,
    "scaling.min",
  ],
  [
    "desired above max",
    web({ desiredCount: 6, scaling: { max: 5 } }),
    /scaling\.max is 5; must be at least desiredCount \(6\)/,
    "scaling.max",
  ],
  ["a negative desired count", web({ desiredCount: -1 }), /desiredCount is -1/, "desiredCount"],
  [
    "blue/green without a load balancer",
    worker({ deployment: { strategy: "BLUE_GREEN" } }),
    /BLUE_GREEN shifts load balancer traffic/,
    "deployment.strategy",
  ],
  [
    "canary settings with a rolling strategy",
    web({ deployment: { canary: { percent: 5 } } }),
    /applies to the CANARY strategy only \(strategy is ROLLING\)/,
    "deployment.canary",
  ],
  [
    "linear settings with a canary strategy",
    web({ deployment: { strategy: "CANARY", linear: { stepPercent: 10 } } }),
    /deployment\.linear/,
    "deployment.linear",
  ],
  [
    "bake time with a rolling strategy",
    web({ deployment: { bakeTimeMinutes: 5 } }),
    /applies to BLUE_GREEN, CANARY and LINEAR only/,
    "deployment.bakeTimeMinutes",
  ],
  [
    "a linear step under 3%",
    web({ deployment: { strategy: "LINEAR", linear: { stepPercent: 2 } } }),
    /stepPercent is 2; must be a number from 3 to 100/,
    "deployment.linear.stepPercent",
  ],
  [
    "a canary above 100%",
    web({ deployment: { strategy: "CANARY", canary: { percent: 150 } } }),
    /canary\.percent is 150/,
    "deployment.canary.percent",
  ],
  [
    "a bake time over a day",
    web({ deployment: { strategy: "BLUE_GREEN", bakeTimeMinutes: 2000 } }),
    /from 0 to 1440 minutes/,
    "deployment.bakeTimeMinutes",
  ],
  [
    "max percent not above min healthy",
    web({ deployment: { minHealthyPercent: 100, maxPercent: 100 } }),
    /can neither start nor stop a task/,
    "deployment.maxPercent",
  ],
  [
    "request-count scaling with blue/green",
    web({ deployment: { strategy: "BLUE_GREEN" }, scaling: { max: 4, requestsPerTarget: 100 } }),
    /ROLLING strategy only/,
    "scaling.requestsPerTarget",
  ],
  [
    "request-count scaling on a worker",
    worker({ scaling: { max: 4, requestsPerTarget: 100 } }),
    /needs a loadBalancer/,
    "scaling.requestsPerTarget",
  ],
  [
    "an SSM parameter by name",
    web({ secrets: { API_KEY: "/hello/api-key" } }),
    /secrets\.API_KEY is "\/hello\/api-key"; must be the full ARN/,
    "secrets.API_KEY",
  ],
  [
    "an ARN of another service",
    web({ secrets: { DB: "arn:aws:s3:::bucket/db" } }),
    /full ARN of an SSM parameter/,
    "secrets.DB",
  ],
  [
    "a KMS alias instead of a key",
    web({ secretKmsKeyArns: ["arn:aws:kms:us-east-1:123456789012:alias/app"] }),
    /aliases cannot scope kms:Decrypt/,
    "secretKmsKeyArns[0]",
  ],
  [
    "a variable in both environment and secrets",
    web({
      environment: { TOKEN: "x" },
      secrets: { TOKEN: "arn:aws:ssm:us-east-1:123456789012:parameter/t" },
    }),
    /both in environment and in secrets/,
    "secrets.TOKEN",
  ],
  [
    "a health check interval under 5 s",
    web({ healthCheck: { interval: 3, timeout: 2 } }),
    /healthCheck\.interval is 3; must be a whole number from 5 to 300 seconds/,
    "healthCheck.interval",
  ],
  [
    "a health check timeout not under the interval",
    web({ healthCheck: { interval: 5, timeout: 5 } }),
    /must be less than interval \(5\)/,
    "healthCheck.timeout",
  ],
  [
    "a healthy threshold of 1",
    web({ healthCheck: { healthyThreshold: 1 } }),
    /healthyThreshold is 1; must be a whole number from 2 to 10/,
    "healthCheck.healthyThreshold",
  ],
  [
    "a 5xx matcher",
    web({ healthCheck: { matcher: "200-599" } }),
    /HTTP codes from 200 to 499/,
    "healthCheck.matcher",
  ],
  [
    "a container health check without CMD",
    web({ containerHealthCheck: { command: ["curl localhost"] } }),
    /must start with "CMD" or "CMD-SHELL"/,
    "containerHealthCheck.command",
  ],
  [
    "a container health check retry count of 20",
    web({ containerHealthCheck: { command: ["CMD", "true"], retries: 20 } }),
    /retries is 20/,
    "containerHealthCheck.retries",
  ],
  ["a name with an underscore", web(), /name is "my_service"; must start with a letter/, "name"],
  [
    "a rule without priority range",
    web({ rule: { priority: 0, hosts: ["a.example.com"] } }),
    /rule\.priority is 0; must be a whole number from 1 to 50000/,
    "rule.priority",
  ],
  [
    "a load balancer without a rule",
    web({ rule: undefined }),
    /needs rule: \{ priority, hosts and\/or paths \}/,
    "rule",
  ],
  [
    "a rule without conditions",
    web({ rule: { priority: 5 } }),
    /needs at least one of hosts and paths/,
    "rule",
  ],
  [
    "a path without a leading slash",
    web({ rule: { priority: 5, paths: ["api/*"] } }),
    /rule\.paths\[0\] is "api\/\*"/,
    "rule.paths[0]",
  ],
  [
    "a rule with four hosts",
    web({
      rule: { priority: 5, hosts: ["a.example.com", "b.example.com", "c.example.com", "d.example.com"] },
    }),
    /rule\.hosts is .*; a condition takes at most 3 values/,
    "rule.hosts",
  ],
  [
    "a rule with four paths",
    web({ rule: { priority: 5, paths: ["/a", "/b", "/c", "/d"] } }),
    /a condition takes at most 3 values/,
    "rule.paths",
  ],
  [
    "a rule with six host and path values",
    web({
      rule: {
        priority: 5,
        hosts: ["a.example.com", "b.example.com", "c.example.com"],
        paths: ["/a", "/b", "/c"],
      },
    }),
    /at most 5 host and path values in total/,
    "rule",
  ],
  [
    "a host pattern with a space",
    web({ rule: { priority: 5, hosts: ["api example.com"] } }),
    /rule\.hosts\[0\] is "api example\.com"; host patterns are letters, digits/,
    "rule.hosts[0]",
  ],
  [
    "a log retention CloudWatch does not offer",
    web({ logs: { retentionInDays: 2 } }),
    /logs\.retentionInDays is 2; allowed: 1, 3, 5/,
    "logs.retentionInDays",
  ],
  [
    "a deregistration delay over an hour",
    web({ deregistrationDelaySeconds: 4000 }),
    /from 0 to 3600 seconds/,
    "deregistrationDelaySeconds",
  ],
  [
    "a slow start of 10 s",
    web({ slowStartSeconds: 10 }),
    /must be 0 \(off\) or from 30 to 900 seconds/,
    "slowStartSeconds",
  ],
  [
    "a stop timeout beyond Fargate's 120 s",
    web({ stopTimeout: 300 }),
    /stopTimeout is 300; must be a whole number from 2 to 120 seconds/,
    "stopTimeout",
  ],
  [
    "ECS Exec with a read-only root",
    web({ enableExecuteCommand: true, readonlyRootFilesystem: true }),
    /ECS Exec needs a writable root filesystem/,
    "readonlyRootFilesystem",
  ],
  [
    "EC2 capacity on a cluster without it",
    web({ capacity: "EC2" }),
    /needs a cluster with an EC2 capacity provider/,
    "cluster.ec2CapacityProviderName",
  ],
  [
    "public subnets on EC2",
    web({ capacity: "EC2", subnets: "public", cluster: { ...cluster, ec2CapacityProviderName: "cp" } }),
    /public IPs are a Fargate feature/,
    "subnets",
  ],
  [
    "routing settings on a worker",
    worker({ rule: { priority: 1, hosts: ["a.example.com"] } }),
    /needs a loadBalancer \(a service without one is a worker\)/,
    "rule",
  ],
  [
    "a DNS alias without a host name",
    web({ rule: { priority: 5, paths: ["/x"] }, dns: { zoneId: "Z1" } }),
    /give dns\.name or at least one rule\.hosts entry/,
    "dns.name",
  ],
  [
    "a wildcard DNS name",
    web({ rule: { priority: 5, hosts: ["*.example.com"] }, dns: { zoneId: "Z1" } }),
    /must be a host name without wildcards/,
    "dns.name",
  ],
  [
    "duplicate container names",
    web({ sidecars: [{ name: "app", image: IMAGE }] }),
    /sidecars\.name is "app"; each value may appear only once/,
    "sidecars.name",
  ],
  [
    "a cluster ARN of another service",
    web({ cluster: { name: "dev", arn: "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1" } }),
    /cluster\.arn.*must be an ARN of ecs/,
    "cluster.arn",
  ],
  [
    "an invalid scaling schedule",
    web({ scaling: { max: 3, schedules: [{ name: "night", schedule: "0 20 * * *", min: 1 }] } }),
    /must be cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\)/,
    "scaling.schedules[0].schedule",
  ],
  [
    "ephemeral storage under 21 GiB",
    web({ ephemeralStorageGiB: 10 }),
    /ephemeralStorageGiB is 10; must be a whole number from 21 to 200 GiB/,
    "ephemeralStorageGiB",
  ],
];

describe("Service validation", () => {
  it.each(cases)("rejects %s before creating anything", async (label, args, message, field) => {
    const name = label === "a name with an underscore" ? "my_service" : "web";
    const err = await expectInvalid(() => new Service(name, args), message);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:Service '/);
  });

  it("skips values that are only known at deployment time", async () => {
    const run = await runComponent(
      () => new Service("web", web({ image: pulumi.output(IMAGE).apply((i) => i) })),
    );
    expect(run.ok).toBe(true);
  });
});
