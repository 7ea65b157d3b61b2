import { describe, expect, it } from "vitest";
import {
  DEFAULT_TRACING_IMAGE,
  resolveObservability,
  resolvePlacement,
  resolveRelease,
  resolveTask,
  serviceIgnoreChanges,
  type TaskArgs,
  TRACING_CONTAINER,
  tracingContribution,
} from "../../src/index.js";
import { cluster, IMAGE } from "../service-fixtures.js";
import { rejects, validator } from "./helpers.js";

const ctx = (extra: Partial<Parameters<typeof resolveTask>[2]> = {}) => ({
  placement: resolvePlacement(validator(), {}),
  cluster,
  defaultPort: undefined,
  contributions: [],
  ...extra,
});

describe("task part", () => {
  it("defaults: app, 256/512, stop timeout 10, read-only root, /tmp scratch; the kind's port", () => {
    expect(resolveTask(validator(), { image: IMAGE }, ctx({ defaultPort: 8080 }))).toMatchObject({
      containerName: "app",
      port: 8080,
      cpu: 256,
      memory: 512,
      stopTimeout: 10,
      readonlyRootFilesystem: true,
      scratchPath: "/tmp",
    });
    expect(resolveTask(validator(), { image: IMAGE }, ctx()).port).toBeUndefined();
  });

  it("counts contributed containers against ECS's 10", () => {
    const sidecars = Array.from({ length: 9 }, (_, i) => ({ name: `s${i}`, image: IMAGE }));
    const err = rejects(
      (v) =>
        resolveTask(
          v,
          { image: IMAGE, sidecars, tracing: true } as TaskArgs,
          ctx({ contributions: [tracingContribution({ tracing: true })] }),
        ),
      /sidecars is "11 containers"; ECS allows at most 10 containers per task definition/,
    );
    expect(err.field).toBe("sidecars");
  });

  it.each<[string, TaskArgs, RegExp, string]>([
    ["a tag", { image: "repo:latest" }, /image is "repo:latest"; must be pinned by digest/, "image"],
    [
      "AWS keys in plain env",
      { image: IMAGE, environment: { AWS_SECRET_ACCESS_KEY: "x" } },
      /environment\.AWS_SECRET_ACCESS_KEY is "AWS_SECRET_ACCESS_KEY"; AWS credentials never go into a task definition/,
      "environment.AWS_SECRET_ACCESS_KEY",
    ],
    [
      "a Fargate size that does not exist",
      { image: IMAGE, cpu: 300 },
      /cpu is 300; Fargate accepts cpu 256, 512/,
      "cpu",
    ],
  ])("rejects %s", (_t, args, message, field) => {
    expect(rejects((v) => resolveTask(v, args, ctx()), message).field).toBe(field);
  });

  it("release: 15 minutes by default, 1 to 120", () => {
    expect(resolveRelease(validator(), { command: ["m"] })).toEqual({ command: ["m"], timeoutMinutes: 15 });
    expect(resolveRelease(validator(), undefined)).toBeUndefined();
  });
});

describe("observability part", () => {
  it("defaults: all alarms (5 % 5xx, 85 % CPU and memory), dashboard, no tracing", () => {
    expect(resolveObservability(validator(), {}, { allowMutableImageTag: false })).toEqual({
      alarms: { http5xxPercent: 5, cpuPercent: 85, memoryPercent: 85 },
      tracing: undefined,
      dashboard: true,
      topicArn: undefined,
    });
  });
  it("tracing contributes the collector, X-Ray permissions and the OTLP endpoint", () => {
    const r = resolveObservability(validator(), { tracing: true }, { allowMutableImageTag: false });
    expect(r.tracing).toEqual({ image: DEFAULT_TRACING_IMAGE, cpu: 64, memory: 128 });
    const c = tracingContribution({ tracing: true }, r, "web");
    expect(c.containerNames).toEqual([TRACING_CONTAINER]);
    expect(c.environment).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318",
      OTEL_SERVICE_NAME: "web",
    });
    expect(c.statements?.[0]?.Sid).toBe("XRayWrite");
  });
  it("rejects a 5xx threshold of 0", () => {
    expect(
      rejects(
        (v) => resolveObservability(v, { alarms: { http5xxPercent: 0 } }, { allowMutableImageTag: false }),
        /alarms\.http5xxPercent is 0/,
      ).field,
    ).toBe("alarms.http5xxPercent");
  });
});

describe("ecs-service part", () => {
  it("leaves desiredCount to autoscaling and the load balancer block to ECS traffic shifting", () => {
    expect(serviceIgnoreChanges(true, true)).toEqual(["desiredCount", "loadBalancers"]);
    expect(serviceIgnoreChanges(false, false)).toEqual([]);
  });
});
