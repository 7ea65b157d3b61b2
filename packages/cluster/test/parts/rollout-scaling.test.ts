import { describe, expect, it } from "vitest";
import {
  deploymentFragment,
  type RolloutArgs,
  resolveRollout,
  resolveScaling,
  type ScalingPartArgs,
} from "../../src/index.js";
import { rejects, validator } from "./helpers.js";

describe("rollout part", () => {
  it("defaults: rolling 100–200 %, circuit breaker and alarm rollback, steady state, AZ rebalancing", () => {
    const r = resolveRollout(validator(), {}, { routed: true });
    expect(r).toMatchObject({
      strategy: "ROLLING",
      minHealthyPercent: 100,
      maxPercent: 200,
      azRebalancing: "ENABLED",
      circuitBreaker: true,
      rollbackOnAlarms: true,
      waitForSteadyState: true,
      gracePeriod: 10,
    });
    expect(resolveRollout(validator(), {}, { routed: false }).gracePeriod).toBe(0);
    expect(deploymentFragment(r, ["a"])).toMatchObject({
      deploymentConfiguration: { strategy: "ROLLING" },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ["a"], enable: true, rollback: true },
    });
  });

  it("canary settings reach the deployment configuration", () => {
    const r = resolveRollout(
      validator(),
      { deployment: { strategy: "CANARY", canary: { percent: 5 }, bakeTimeMinutes: 15 } },
      { routed: true },
    );
    expect(deploymentFragment(r, []).deploymentConfiguration).toEqual({
      strategy: "CANARY",
      bakeTimeInMinutes: "15",
      canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: "5" },
    });
  });

  it.each<[string, RolloutArgs, boolean, RegExp, string]>([
    [
      "an unknown strategy",
      { deployment: { strategy: "RECREATE" as never } },
      true,
      /deployment\.strategy is "RECREATE"/,
      "deployment.strategy",
    ],
    [
      "canary settings on rolling",
      { deployment: { canary: { percent: 5 } } },
      true,
      /deployment\.canary is .*applies to the CANARY strategy only/,
      "deployment.canary",
    ],
    [
      "maxPercent not above minHealthyPercent",
      { deployment: { minHealthyPercent: 100, maxPercent: 100 } },
      true,
      /deployment\.maxPercent is 100; must be greater than minHealthyPercent/,
      "deployment.maxPercent",
    ],
    [
      "a grace period without a route",
      { deployment: { healthCheckGracePeriodSeconds: 5 } },
      false,
      /deployment\.healthCheckGracePeriodSeconds is 5; applies to services with a loadBalancer only/,
      "deployment.healthCheckGracePeriodSeconds",
    ],
  ])("rejects %s", (_t, args, routed, message, field) => {
    expect(rejects((v) => resolveRollout(v, args, { routed }), message).field).toBe(field);
  });
});

describe("scaling part", () => {
  it("defaults to 2 tasks, no autoscaling; the minimum defaults to desiredCount", () => {
    expect(resolveScaling(validator(), {})).toEqual({
      desiredCount: 2,
      scalingMin: undefined,
      scaling: undefined,
    });
    expect(resolveScaling(validator(), { desiredCount: 3, scaling: { max: 6 } }).scalingMin).toBe(3);
    expect(resolveScaling(validator(), {}, 0).desiredCount).toBe(0);
  });

  it.each<[string, ScalingPartArgs, RegExp, string]>([
    [
      "min above desired",
      { desiredCount: 1, scaling: { min: 2, max: 4 } },
      /scaling\.min is 2; must be at most desiredCount \(1\)/,
      "scaling.min",
    ],
    [
      "max below desired",
      { desiredCount: 5, scaling: { max: 4 } },
      /scaling\.max is 4; must be at least desiredCount \(5\)/,
      "scaling.max",
    ],
    [
      "a CPU target of 0",
      { scaling: { max: 4, cpuTarget: 0 } },
      /scaling\.cpuTarget is 0; must be a number from 1 to 100 percent/,
      "scaling.cpuTarget",
    ],
    [
      "a bad schedule",
      { scaling: { max: 4, schedules: [{ name: "n", schedule: "0 20 * * *", min: 1 }] } },
      /scaling\.schedules\[0\]\.schedule is "0 20 \* \* \*"; must be cron/,
      "scaling.schedules[0].schedule",
    ],
  ])("rejects %s", (_t, args, message, field) => {
    expect(rejects((v) => resolveScaling(v, args), message).field).toBe(field);
  });
});
