import type { QueueRef } from "@berth/core";
import type { RunResult } from "@berth/testing";
import type { ClusterRef } from "../../src/index.js";
import { cluster } from "../service-fixtures.js";

export { cluster, DIGEST, IMAGE, loadBalancer, network, testListenerArn } from "../service-fixtures.js";

export const NAMESPACE_ARN = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abcdef0123456789";

/** A cluster with a Service Connect namespace (and Container Insights). */
export const scCluster: ClusterRef = {
  ...cluster,
  serviceConnectNamespaceArn: NAMESPACE_ARN,
  serviceConnectNamespaceName: "dev.internal",
};

/** The same cluster without Container Insights. */
export const plainCluster: ClusterRef = { ...scCluster, containerInsights: false };

export const queue: QueueRef = {
  name: "orders",
  arn: "arn:aws:sqs:us-east-1:123456789012:orders",
  url: "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
};

export const WEB_SG = "sg-0123456789abcdef0";
export const WORKER_SG = "sg-0fedcba9876543210";

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export const TD = "aws:ecs/taskDefinition:TaskDefinition";
export const SVC = "aws:ecs/service:Service";
export const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
export const POLICY = "aws:appautoscaling/policy:Policy";

export function statements(run: RunResult, policyName: string): Statement[] {
  return (run.json(run.one(ROLE_POLICY, policyName), "policy") as { Statement: Statement[] }).Statement;
}

export interface ContainerDef {
  name: string;
  command?: string[];
  environment?: { name: string; value: string }[];
  portMappings?: { containerPort: number; protocol: string; name?: string; appProtocol?: string }[];
  healthCheck?: unknown;
  logConfiguration?: { logDriver: string; options: Record<string, string> };
}

export function containers(run: RunResult, name?: string): ContainerDef[] {
  const td = name ? run.one(TD, name) : run.one(TD);
  return run.json(td, "containerDefinitions") as ContainerDef[];
}

export function env(c: ContainerDef): Record<string, string> {
  return Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
}
