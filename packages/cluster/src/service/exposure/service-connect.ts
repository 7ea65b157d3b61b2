import { known, type Transform, transformed, type Validator } from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterRef } from "../../refs.js";
import { childOpts, type PartScope, type TaskContribution } from "../scope.js";

/** ECS Service Connect: publish the service in the cluster's namespace (server) and/or resolve others (client). */
export interface ServiceConnectArgs {
  /**
   * Security groups (ids) whose tasks may call this service, e.g. the `securityGroupId` output of
   * each service that lists it in `calls`. Each gets exactly one ingress rule on the service's port;
   * nothing else can reach it (never the whole VPC). An empty list publishes the service that no
   * one can reach yet.
   * @default []
   * @example callers: [web.securityGroupId, worker.securityGroupId]
   */
  callers?: pulumi.Input<string>[];
  /**
   * Names of the internal services this one calls (each reachable as `http://<name>:<port>`). Any
   * kind with `calls` joins the cluster's Service Connect namespace as a client: the ECS-managed
   * proxy in its tasks resolves those names. The called service must list this service's security
   * group in its `callers`.
   * @default []
   * @example calls: ["orders", "billing"]
   */
  calls?: string[];
  /**
   * Protocol of the published port; Service Connect then reports HTTP or gRPC metrics and retries.
   * @default "http"
   * @example appProtocol: "grpc"
   */
  appProtocol?: "http" | "http2" | "grpc";
}

/** Escape hatches of Service Connect's children. */
export interface ServiceConnectTransforms {
  /** Each ingress rule from a caller's security group (`aws.vpc.SecurityGroupIngressRule`). */
  callerIngressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
}

/** Service Connect with every default applied. */
export interface ResolvedServiceConnect {
  /** Publish `http://<name>:<port>` (internal services); false: client only. */
  server: boolean;
  calls: string[];
  callers: pulumi.Input<string>[];
  appProtocol: "http" | "http2" | "grpc";
}

/** Cloud Map service and port-mapping names: lowercase letters, digits, `_` and `-`, not starting with `-`, at most 64. */
export const DISCOVERY_NAME = /^[a-z0-9_][a-z0-9_-]{0,63}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/**
 * Checks Service Connect: a namespace on the cluster, a name Cloud Map accepts (server), callers
 * that are security group ids, calls that are service names. `server` is true for an internal
 * service; otherwise Service Connect is on only when `calls` is given (client mode).
 */
export function resolveServiceConnect(
  v: Validator,
  name: string,
  args: ServiceConnectArgs,
  ctx: { server: boolean; cluster: ClusterRef },
): ResolvedServiceConnect | undefined {
  const calls = args.calls ?? [];
  v.check(Array.isArray(calls), "calls", calls, "a list of internal service names");
  calls.forEach((c, i) => {
    v.matches(
      `calls[${i}]`,
      c,
      DISCOVERY_NAME,
      "an internal service's name: lowercase letters, digits, _ and -",
    );
    v.check(c !== name, `calls[${i}]`, c, "a service does not call itself through Service Connect");
  });
  v.unique("calls", calls);
  if (!ctx.server && calls.length === 0) return undefined;
  v.check(
    ctx.cluster.serviceConnectNamespaceArn !== undefined,
    "cluster.serviceConnectNamespaceArn",
    undefined,
    "Service Connect needs the cluster's Cloud Map namespace: give Cluster serviceConnectNamespace (its ref then carries it), or set serviceConnectNamespaceArn on a hand-built ClusterRef",
  );
  const callers = args.callers ?? [];
  if (ctx.server) {
    v.matches(
      "name",
      name,
      DISCOVERY_NAME,
      "an internal service's name is its Service Connect name (http://<name>:<port>): lowercase letters, digits, _ and -, not starting with -, at most 64 characters",
    );
    v.check(Array.isArray(callers), "callers", callers, "a list of security group ids");
    callers.forEach((sg, i) => {
      v.matches(
        `callers[${i}]`,
        known(sg),
        SECURITY_GROUP_ID,
        "a security group id (sg- and 8 or 17 hex digits)",
      );
    });
    v.unique(
      "callers",
      callers.filter((c) => typeof c === "string"),
    );
    v.oneOf("appProtocol", args.appProtocol, ["http", "http2", "grpc"] as const);
  } else {
    v.check(
      args.callers === undefined,
      "callers",
      args.callers,
      "applies to kind internal (the services published through Service Connect)",
    );
    v.check(
      args.appProtocol === undefined,
      "appProtocol",
      args.appProtocol,
      "applies to kind internal (the services published through Service Connect)",
    );
  }
  return { server: ctx.server, calls, callers, appProtocol: args.appProtocol ?? "http" };
}

/** What Service Connect adds to the task: the name of the port mapping the proxy publishes. */
export function serviceConnectContribution(
  name: string,
  r: ResolvedServiceConnect | undefined,
): TaskContribution {
  return r?.server ? { portMapping: { name, appProtocol: r.appProtocol } } : {};
}

/**
 * Creates one ingress rule per caller security group on the service's port (server mode) and
 * returns the ECS service's `serviceConnectConfiguration`: the namespace, the published service
 * (`discoveryName` and client alias `<name>:<port>`) in server mode, none in client mode, and the
 * proxy's logs in the task's log group.
 */
export function createServiceConnect(
  scope: PartScope,
  r: ResolvedServiceConnect,
  t: ServiceConnectTransforms,
  ctx: {
    securityGroupId: pulumi.Input<string>;
    port: number | undefined;
    logGroupName: pulumi.Input<string>;
  },
): aws.types.input.ecs.ServiceServiceConnectConfiguration {
  const { name, tags } = scope;
  if (r.server) {
    r.callers.forEach((caller, i) => {
      const [inArgs, inOpts] = transformed(
        t.callerIngressRule,
        {
          securityGroupId: ctx.securityGroupId,
          referencedSecurityGroupId: caller,
          ipProtocol: "tcp",
          fromPort: ctx.port,
          toPort: ctx.port,
          description: `Service Connect callers of ${name}`,
          tags,
        } as aws.vpc.SecurityGroupIngressRuleArgs,
        childOpts(scope),
      );
      new aws.vpc.SecurityGroupIngressRule(`${name}-from-caller-${i}`, inArgs, inOpts);
    });
  }
  return {
    enabled: true,
    namespace: scope.cluster.serviceConnectNamespaceArn,
    ...(r.server
      ? {
          services: [
            { portName: name, discoveryName: name, clientAlias: [{ port: ctx.port!, dnsName: name }] },
          ],
        }
      : {}),
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": ctx.logGroupName,
        "awslogs-region": scope.arn.apply((p) => p.region),
        "awslogs-stream-prefix": "service-connect",
      },
    },
  };
}

/** The URL other services in the namespace call: `http://<name>:<port>`. */
export function serviceConnectUrl(name: string, port: number): pulumi.Output<string> {
  return pulumi.output(`http://${name}:${port}`);
}
