import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedResource, RunRecord } from "@berth/testing";

export interface Price {
  /** Price in the table's currency, or null when no source was found. */
  usd: number | null;
  source: string;
  confirmed: "aws" | "third-party" | "none";
}

/** A versioned price table (`prices/<region>.json`). */
export interface PriceTable {
  region: string;
  currency: string;
  /** The date the prices were taken. */
  takenOn: string;
  hoursPerMonth: number;
  note?: string;
  prices: Record<string, Price>;
}

/** Regions with a price table in `prices/`. */
export const PRICED_REGIONS = ["us-east-1"] as const;

/** The price table of a region; a region without one is priced at us-east-1, and says so. */
export function loadPrices(region: string): PriceTable & { fallback?: boolean } {
  const known = (PRICED_REGIONS as readonly string[]).includes(region);
  const file = join(__dirname, "..", "prices", `${known ? region : "us-east-1"}.json`);
  const table = JSON.parse(readFileSync(file, "utf8")) as PriceTable;
  return known ? table : { ...table, fallback: true };
}

export interface CostItem {
  urn: string;
  name: string;
  type: string;
  /** What is charged (`NAT gateway`, `Fargate task 0.5 vCPU / 1 GB ARM64`, `public IPv4`). */
  what: string;
  quantity: number;
  /** Monthly price of one unit, or null when the table has no price. */
  unitMonthly: number | null;
  monthly: number | null;
  note?: string;
}

export interface CostReport {
  region: string;
  pricedAs: string;
  takenOn: string;
  items: CostItem[];
  /** Sum of the priced items. */
  totalMonthly: number;
  /** Items without a price (listed, not summed). */
  unpriced: CostItem[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

class Pricer {
  constructor(readonly table: PriceTable) {}
  hourly(key: string): number | null {
    const p = this.table.prices[key]?.usd;
    return p === null || p === undefined ? null : p * this.table.hoursPerMonth;
  }
  monthly(key: string): number | null {
    const p = this.table.prices[key]?.usd;
    return p === null || p === undefined ? null : p;
  }
}

function item(
  r: RecordedResource,
  what: string,
  quantity: number,
  unit: number | null,
  note?: string,
): CostItem {
  return {
    urn: r.urn,
    name: r.name,
    type: r.type,
    what,
    quantity,
    unitMonthly: unit === null ? null : round2(unit),
    monthly: unit === null ? null : round2(unit * quantity),
    ...(note ? { note } : {}),
  };
}

const num = (v: unknown, d: number): number => {
  const n = typeof v === "string" ? Number(v) : typeof v === "number" ? v : Number.NaN;
  return Number.isFinite(n) ? n : d;
};

/** How many of `count` tasks run on Fargate Spot under a capacity provider strategy. */
export function spotTasks(
  count: number,
  strategy: { capacityProvider?: string; base?: number; weight?: number }[] | undefined,
): number {
  if (!strategy?.length) return 0;
  let left = count;
  let spot = 0;
  for (const s of strategy) {
    const base = Math.min(left, num(s.base, 0));
    if (s.capacityProvider === "FARGATE_SPOT") spot += base;
    left -= base;
  }
  const total = strategy.reduce((a, s) => a + num(s.weight, 0), 0);
  if (total > 0 && left > 0) {
    const w = strategy
      .filter((s) => s.capacityProvider === "FARGATE_SPOT")
      .reduce((a, s) => a + num(s.weight, 0), 0);
    spot += Math.round((left * w) / total);
  }
  return spot;
}

function findTaskDefinition(record: RunRecord, ref: unknown): RecordedResource | undefined {
  const defs = record.resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
  return (
    defs.find((d) => d.outputs.arn === ref || d.id === ref) ??
    defs.find((d) => typeof ref === "string" && ref.includes(`/${String(d.inputs.family)}:`)) ??
    defs.find((d) => d.inputs.family === ref)
  );
}

/** The running task count the bill sees at idle: the scaling target's minimum, else desiredCount. */
export function idleTaskCount(record: RunRecord, service: RecordedResource): number {
  const name = String(service.outputs.name ?? service.inputs.name ?? service.name);
  const target = record.resources.find(
    (r) =>
      r.type === "aws:appautoscaling/target:Target" &&
      r.inputs.scalableDimension === "ecs:service:DesiredCount" &&
      typeof r.inputs.resourceId === "string" &&
      r.inputs.resourceId.endsWith(`/${name}`),
  );
  if (target) return num(target.inputs.minCapacity, 0);
  return num(service.inputs.desiredCount, 1);
}

/**
 * The itemized idle monthly cost of a record: what the resources cost while serving no traffic.
 * NAT gateways (awsx's and standalone) and NAT instances, interface endpoints per AZ, load
 * balancers and an internet-facing one's public IPv4 address per AZ, Fargate tasks by CPU,
 * memory, architecture and Spot share, public IPv4 on tasks, dashboards, alarms, KMS keys,
 * Secrets Manager secrets (RDS-managed ones too), Aurora Serverless v2 instances at their minimum
 * capacity (0: paused, free), RDS PostgreSQL by instance class with its gp3 storage, ElastiCache
 * Serverless at its minimum metered data, empty EFS file systems. An item the table has no price
 * for is listed without one. No data transfer, request, LCU, log ingestion or usage storage charges.
 */
export function estimateCost(record: RunRecord, prices: PriceTable = loadPrices(record.region)): CostReport {
  const p = new Pricer(prices);
  const items: CostItem[] = [];
  const ipv4 = p.hourly("publicIpv4.hour");
  // The master user secret RDS keeps for a database with `manageMasterUserPassword`.
  const managedSecret = (r: RecordedResource) =>
    item(r, "Secrets Manager secret (RDS-managed password)", 1, p.monthly("secretsManager.secretMonth"));
  for (const r of record.resources) {
    if (r.read) continue;
    const i = r.inputs;
    switch (r.type) {
      case "awsx:ec2:Vpc": {
        const nats = Array.isArray(r.outputs.natGateways)
          ? r.outputs.natGateways.length
          : natCount(i.natGateways, num(i.numberOfAvailabilityZones, 2));
        if (nats > 0) {
          items.push(item(r, "NAT gateway", nats, p.hourly("natGateway.hour")));
          items.push(item(r, "public IPv4 (NAT gateway Elastic IP)", nats, ipv4));
        }
        break;
      }
      case "aws:ec2/natGateway:NatGateway":
        items.push(item(r, "NAT gateway", 1, p.hourly("natGateway.hour")));
        break;
      case "aws:ec2/eip:Eip":
        items.push(item(r, "public IPv4 (Elastic IP)", 1, ipv4));
        break;
      case "aws:ec2/instance:Instance":
        items.push(
          item(
            r,
            `EC2 instance ${String(i.instanceType ?? "?")}`,
            1,
            p.hourly("ec2.instanceHour"),
            "instance prices not in the table",
          ),
        );
        if (i.associatePublicIpAddress === true) items.push(item(r, "public IPv4 (instance)", 1, ipv4));
        break;
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        if (i.vpcEndpointType === "Interface") {
          const azs = Array.isArray(i.subnetIds) ? i.subnetIds.length : 1;
          items.push(
            item(
              r,
              `interface endpoint ${String(i.serviceName ?? "")} (per AZ)`,
              azs,
              p.hourly("interfaceEndpoint.azHour"),
            ),
          );
        }
        break;
      case "aws:lb/loadBalancer:LoadBalancer": {
        const kind = String(i.loadBalancerType ?? "application");
        if (kind !== "application") {
          items.push(item(r, `${kind} load balancer`, 1, null, "only application load balancers are priced"));
          break;
        }
        items.push(item(r, "application load balancer (hours, no LCUs)", 1, p.hourly("alb.hour")));
        if (i.internal !== true) {
          const azs = Array.isArray(i.subnetMappings)
            ? i.subnetMappings.length
            : Array.isArray(i.subnets)
              ? i.subnets.length
              : 2;
          items.push(item(r, "public IPv4 (load balancer, per AZ)", azs, ipv4));
        }
        break;
      }
      case "aws:ecs/service:Service":
        items.push(...fargateItems(record, r, p, ipv4));
        break;
      case "aws:cloudwatch/dashboard:Dashboard":
        items.push(item(r, "CloudWatch dashboard", 1, p.monthly("cloudwatch.dashboardMonth")));
        break;
      case "aws:cloudwatch/metricAlarm:MetricAlarm":
        items.push(item(r, "CloudWatch alarm", 1, p.monthly("cloudwatch.alarmMonth")));
        break;
      case "aws:kms/key:Key":
        items.push(item(r, "KMS key", 1, p.monthly("kms.keyMonth")));
        break;
      case "aws:secretsmanager/secret:Secret":
        items.push(item(r, "Secrets Manager secret", 1, p.monthly("secretsManager.secretMonth")));
        break;
      case "aws:rds/instance:Instance": {
        const cls = String(i.instanceClass ?? "?");
        const hourly = p.hourly(`rds.postgres.${cls}.hour`);
        const azs = i.multiAz === true ? 2 : 1;
        items.push(
          item(
            r,
            `RDS PostgreSQL ${cls}${azs === 2 ? " (Multi-AZ)" : ""}`,
            azs,
            hourly,
            hourly === null ? "instance class not in the table" : undefined,
          ),
        );
        items.push(
          item(r, "RDS gp3 storage (GB)", num(i.allocatedStorage, 20), p.monthly("rds.gp3.gbMonth")),
        );
        if (i.manageMasterUserPassword === true) items.push(managedSecret(r));
        break;
      }
      case "aws:rds/cluster:Cluster":
        // Storage and I/O are usage; the RDS-managed password is a secret.
        if (i.manageMasterUserPassword === true) items.push(managedSecret(r));
        break;
      case "aws:rds/clusterInstance:ClusterInstance": {
        if (i.instanceClass !== "db.serverless") {
          items.push(
            item(
              r,
              `Aurora instance ${String(i.instanceClass ?? "?")}`,
              1,
              null,
              "provisioned Aurora instances are not priced",
            ),
          );
          break;
        }
        // Idle, a Serverless v2 instance runs at its cluster's minimum capacity (0: paused, free).
        const cluster = record.resources.find(
          (c) =>
            c.type === "aws:rds/cluster:Cluster" &&
            (c.id === i.clusterIdentifier || c.outputs.clusterIdentifier === i.clusterIdentifier),
        );
        const scaling = cluster?.inputs.serverlessv2ScalingConfiguration as
          | { minCapacity?: number }
          | undefined;
        const min = num(scaling?.minCapacity, 0.5);
        items.push(
          item(
            r,
            `Aurora Serverless v2 at its minimum (${min} ACU)`,
            min,
            p.hourly("aurora.serverlessV2.acuHour"),
            min === 0 ? "pauses when idle: storage only" : undefined,
          ),
        );
        break;
      }
      case "aws:elasticache/serverlessCache:ServerlessCache": {
        // ElastiCache Serverless meters at least 100 MB (Valkey) or 1 GB (Redis OSS) of data.
        const valkey = String(i.engine ?? "valkey") === "valkey";
        items.push(
          item(
            r,
            `ElastiCache Serverless ${valkey ? "Valkey" : "Redis OSS"} (minimum data, GB)`,
            valkey ? 0.1 : 1,
            p.hourly(valkey ? "elasticache.serverless.valkey.gbHour" : "elasticache.serverless.redis.gbHour"),
          ),
        );
        break;
      }
      case "aws:elasticache/replicationGroup:ReplicationGroup":
      case "aws:elasticache/cluster:Cluster":
        items.push(item(r, "cache", 1, null, "node-based caches are not priced"));
        break;
      case "aws:efs/fileSystem:FileSystem":
        items.push(item(r, "EFS file system (empty; storage is usage)", 1, 0));
        break;
    }
  }
  const priced = items.filter((x) => x.monthly !== null);
  return {
    region: record.region,
    pricedAs: prices.region,
    takenOn: prices.takenOn,
    items,
    totalMonthly: round2(priced.reduce((a, x) => a + (x.monthly ?? 0), 0)),
    unpriced: items.filter((x) => x.monthly === null),
  };
}

function natCount(natGateways: unknown, azs: number): number {
  const strategy = (natGateways as { strategy?: string } | undefined)?.strategy ?? "OnePerAz";
  return strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
}

function fargateItems(record: RunRecord, r: RecordedResource, p: Pricer, ipv4: number | null): CostItem[] {
  const i = r.inputs;
  const strategy = i.capacityProviderStrategies as
    | { capacityProvider?: string; base?: number; weight?: number }[]
    | undefined;
  const fargate =
    i.launchType === "FARGATE" || strategy?.some((s) => String(s.capacityProvider).startsWith("FARGATE"));
  if (!fargate) return [];
  const def = findTaskDefinition(record, i.taskDefinition);
  if (!def)
    return [
      item(r, "Fargate tasks", idleTaskCount(record, r), null, "task definition not found in the record"),
    ];
  const vcpu = num(def.inputs.cpu, 256) / 1024;
  const gb = num(def.inputs.memory, 512) / 1024;
  const arch =
    (def.inputs.runtimePlatform as { cpuArchitecture?: string } | undefined)?.cpuArchitecture === "ARM64"
      ? "arm64"
      : "x86_64";
  const vcpuH = p.hourly(`fargate.linux.${arch}.vcpuHour`);
  const gbH = p.hourly(`fargate.linux.${arch}.gbHour`);
  const perTask = vcpuH === null || gbH === null ? null : vcpu * vcpuH + gb * gbH;
  const count = idleTaskCount(record, r);
  const spot = spotTasks(count, strategy);
  const discount = p.monthly("fargate.spotDiscount") ?? 0;
  const label = `Fargate task ${vcpu} vCPU / ${gb} GB ${arch === "arm64" ? "ARM64" : "X86_64"}`;
  const out: CostItem[] = [];
  if (count - spot > 0) out.push(item(r, label, count - spot, perTask));
  if (spot > 0)
    out.push(
      item(
        r,
        `${label} on Spot`,
        spot,
        perTask === null ? null : perTask * (1 - discount),
        "Spot prices float",
      ),
    );
  const net = i.networkConfiguration as { assignPublicIp?: boolean } | undefined;
  if (net?.assignPublicIp === true && count > 0) out.push(item(r, "public IPv4 (tasks)", count, ipv4));
  return out;
}

export interface CostDeltaLine {
  what: string;
  name: string;
  base: number;
  head: number;
  delta: number;
}

export interface CostDelta {
  baseMonthly: number;
  headMonthly: number;
  deltaMonthly: number;
  /** Per item (matched by URN and what is charged), only those that changed. */
  lines: CostDeltaLine[];
}

/** The monthly idle-cost change from one cost report to another, itemized. */
export function costDelta(base: CostReport, head: CostReport): CostDelta {
  const key = (x: CostItem) => `${x.urn}\u0000${x.what}`;
  const a = new Map(base.items.map((x) => [key(x), x]));
  const b = new Map(head.items.map((x) => [key(x), x]));
  const lines: CostDeltaLine[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    const va = x?.monthly ?? 0;
    const vb = y?.monthly ?? 0;
    if (round2(vb - va) === 0 && x?.quantity === y?.quantity) continue;
    const ref = (y ?? x)!;
    lines.push({ what: ref.what, name: ref.name, base: va, head: vb, delta: round2(vb - va) });
  }
  return {
    baseMonthly: base.totalMonthly,
    headMonthly: head.totalMonthly,
    deltaMonthly: round2(head.totalMonthly - base.totalMonthly),
    lines,
  };
}
