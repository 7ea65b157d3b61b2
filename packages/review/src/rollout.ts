import type { RecordedResource, RunRecord } from "@berth/testing";
import { idleTaskCount } from "./cost.js";

/** The inputs of one ECS service's worst-case rollout, as read from a record. */
export interface RolloutInputs {
  strategy: "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR";
  tasks: number;
  minHealthyPercent: number;
  maxPercent: number;
  startupSeconds: number;
  healthCheckIntervalSeconds: number;
  healthyThreshold: number;
  deregistrationDelaySeconds: number;
  stopTimeoutSeconds: number;
  bakeSeconds: number;
  canary?: { percent: number; bakeSeconds: number };
  linear?: { stepPercent: number; stepBakeSeconds: number };
}

export interface ServiceRollout {
  urn: string;
  name: string;
  inputs: RolloutInputs;
  /** Worst case for one batch: start + threshold × interval + drain + stop. */
  batchSeconds: number;
  /** Worst case for the whole deployment. */
  totalSeconds: number;
  /** How the total was composed, for a reader. */
  formula: string;
}

const num = (v: unknown, d: number): number => {
  const n = typeof v === "string" ? Number(v) : typeof v === "number" ? v : Number.NaN;
  return Number.isFinite(n) ? n : d;
};

/**
 * The same reasoning as `worstCaseBatchSeconds` in @berth/cluster, computed from recorded
 * inputs: a new task may take the whole grace period to start, must pass `healthyThreshold`
 * checks `interval` apart, then the old task drains for the deregistration delay and has its
 * `stopTimeout` to exit.
 */
export function batchSeconds(t: RolloutInputs): number {
  return (
    t.startupSeconds +
    t.healthyThreshold * t.healthCheckIntervalSeconds +
    t.deregistrationDelaySeconds +
    t.stopTimeoutSeconds
  );
}

/**
 * The worst-case time of a whole deployment:
 * - ROLLING: `ceil(tasks / batch) × batch time`, the batch size following from maxPercent and
 *   minHealthyPercent (`floor(tasks × (max − min) / 100)`, at least 1);
 * - BLUE_GREEN: one batch (the green set starts at once) + bake time;
 * - CANARY: canary batch + canary bake + the rest + bake time;
 * - LINEAR: `ceil(100 / step)` steps, each a start plus its step bake, + drain, stop and bake.
 */
export function totalSeconds(t: RolloutInputs): { total: number; formula: string } {
  const batch = batchSeconds(t);
  const start = t.startupSeconds + t.healthyThreshold * t.healthCheckIntervalSeconds;
  const drain = t.deregistrationDelaySeconds + t.stopTimeoutSeconds;
  switch (t.strategy) {
    case "ROLLING": {
      const size = Math.max(1, Math.floor((t.tasks * (t.maxPercent - t.minHealthyPercent)) / 100));
      const batches = Math.max(1, Math.ceil(t.tasks / size));
      return { total: batches * batch, formula: `${batches} × ${batch}s` };
    }
    case "BLUE_GREEN":
      return { total: batch + t.bakeSeconds, formula: `${batch}s + bake ${t.bakeSeconds}s` };
    case "CANARY": {
      const c = t.canary ?? { percent: 10, bakeSeconds: 300 };
      const total = start + c.bakeSeconds + start + t.bakeSeconds + drain;
      return {
        total,
        formula: `canary ${start}s + ${c.bakeSeconds}s, rest ${start}s + bake ${t.bakeSeconds}s + drain ${drain}s`,
      };
    }
    case "LINEAR": {
      const l = t.linear ?? { stepPercent: 25, stepBakeSeconds: 120 };
      const steps = Math.ceil(100 / l.stepPercent);
      const total = steps * (start + l.stepBakeSeconds) + t.bakeSeconds + drain;
      return {
        total,
        formula: `${steps} × (${start}s + ${l.stepBakeSeconds}s) + bake ${t.bakeSeconds}s + drain ${drain}s`,
      };
    }
  }
}

function byArn(record: RunRecord, type: string, arn: unknown): RecordedResource | undefined {
  return record.resources.find((r) => r.type === type && (r.outputs.arn === arn || r.id === arn));
}

function taskDefinitionOf(record: RunRecord, ref: unknown): RecordedResource | undefined {
  const defs = record.resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
  return (
    defs.find((d) => d.outputs.arn === ref || d.id === ref) ??
    defs.find((d) => typeof ref === "string" && ref.includes(`/${String(d.inputs.family)}:`))
  );
}

/** The rollout inputs of one ECS service resource of a record. */
export function rolloutInputs(record: RunRecord, service: RecordedResource): RolloutInputs {
  const i = service.inputs;
  const dc = (i.deploymentConfiguration ?? {}) as Record<string, unknown>;
  const controller = (i.deploymentController as { type?: string } | undefined)?.type ?? "ECS";
  const strategy = (String(
    dc.strategy ?? (controller === "CODE_DEPLOY" ? "BLUE_GREEN" : "ROLLING"),
  ).toUpperCase() || "ROLLING") as RolloutInputs["strategy"];
  const lbs = (i.loadBalancers ?? []) as { targetGroupArn?: string }[];
  const tg = lbs.length ? byArn(record, "aws:lb/targetGroup:TargetGroup", lbs[0]!.targetGroupArn) : undefined;
  const def = taskDefinitionOf(record, i.taskDefinition);
  const containers = (() => {
    const c = def?.inputs.containerDefinitions;
    try {
      return (typeof c === "string" ? JSON.parse(c) : (c ?? [])) as Record<string, unknown>[];
    } catch {
      return [];
    }
  })();
  const stop = containers.length ? Math.max(...containers.map((c) => num(c.stopTimeout, 30))) : 30;
  let startup: number;
  let interval: number;
  let threshold: number;
  let drain: number;
  if (lbs.length) {
    const hc = (tg?.inputs.healthCheck ?? {}) as Record<string, unknown>;
    startup = num(i.healthCheckGracePeriodSeconds, 0);
    interval = num(hc.interval, 30);
    threshold = num(hc.healthyThreshold, 5);
    drain = num(tg?.inputs.deregistrationDelay, 300);
  } else {
    const hc = (containers.find((c) => c.healthCheck)?.healthCheck ?? {}) as Record<string, unknown>;
    startup = num(hc.startPeriod, 0);
    interval = containers.some((c) => c.healthCheck) ? num(hc.interval, 30) : 0;
    threshold = 1;
    drain = 0;
  }
  const canary = dc.canaryConfiguration as Record<string, unknown> | undefined;
  const linear = dc.linearConfiguration as Record<string, unknown> | undefined;
  return {
    strategy: ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"].includes(strategy) ? strategy : "ROLLING",
    tasks: idleTaskCount(record, service),
    minHealthyPercent: num(i.deploymentMinimumHealthyPercent, 100),
    maxPercent: num(i.deploymentMaximumPercent, 200),
    startupSeconds: startup,
    healthCheckIntervalSeconds: interval,
    healthyThreshold: threshold,
    deregistrationDelaySeconds: drain,
    stopTimeoutSeconds: stop,
    bakeSeconds: strategy === "ROLLING" ? 0 : num(dc.bakeTimeInMinutes, 0) * 60,
    ...(canary
      ? {
          canary: {
            percent: num(canary.canaryPercent, 10),
            bakeSeconds: num(canary.canaryBakeTimeInMinutes, 0) * 60,
          },
        }
      : {}),
    ...(linear
      ? {
          linear: {
            stepPercent: num(linear.stepPercent, 25),
            stepBakeSeconds: num(linear.stepBakeTimeInMinutes, 0) * 60,
          },
        }
      : {}),
  };
}

/** The worst-case rollout time of every ECS service in a record. */
export function estimateRollouts(record: RunRecord): ServiceRollout[] {
  return record.resources
    .filter((r) => r.type === "aws:ecs/service:Service" && !r.read)
    .map((r) => {
      const inputs = rolloutInputs(record, r);
      const { total, formula } = totalSeconds(inputs);
      return {
        urn: r.urn,
        name: r.name,
        inputs,
        batchSeconds: batchSeconds(inputs),
        totalSeconds: total,
        formula,
      };
    });
}

export interface RolloutDelta {
  urn: string;
  name: string;
  baseSeconds: number | null;
  headSeconds: number | null;
  deltaSeconds: number;
}

/** Per service (matched by URN), the change in worst-case rollout time; unchanged ones left out. */
export function rolloutDelta(base: ServiceRollout[], head: ServiceRollout[]): RolloutDelta[] {
  const a = new Map(base.map((s) => [s.urn, s]));
  const b = new Map(head.map((s) => [s.urn, s]));
  const out: RolloutDelta[] = [];
  for (const urn of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(urn);
    const y = b.get(urn);
    const d = (y?.totalSeconds ?? 0) - (x?.totalSeconds ?? 0);
    if (x && y && d === 0) continue;
    out.push({
      urn,
      name: (y ?? x)!.name,
      baseSeconds: x?.totalSeconds ?? null,
      headSeconds: y?.totalSeconds ?? null,
      deltaSeconds: d,
    });
  }
  return out;
}

/** `95` → `1m 35s`. */
export function formatDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  const m = Math.floor(s / 60);
  const r = s % 60;
  return m ? (r ? `${m}m ${r}s` : `${m}m`) : `${r}s`;
}
