import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import {
  Cluster,
  InternalService,
  type InternalServiceArgs,
  WebService,
  WorkerService,
} from "../../src/index.js";
import {
  cluster,
  containers,
  IMAGE,
  INGRESS,
  loadBalancer,
  NAMESPACE_ARN,
  network,
  queue,
  SVC,
  scCluster,
  WEB_SG,
  WORKER_SG,
} from "./fixtures.js";

const internal = (extra: Partial<InternalServiceArgs> = {}): InternalServiceArgs => ({
  cluster: scCluster,
  network,
  image: IMAGE,
  callers: [WEB_SG, WORKER_SG],
  ...extra,
});

describe("InternalService", () => {
  it("publishes http://<name>:<port> through Service Connect and admits exactly its callers on exactly that port", async () => {
    let svc!: InternalService;
    const run = await runComponent(() => {
      svc = new InternalService("orders", internal());
      return { url: svc.url };
    });
    const component = run.one("berth:cluster:InternalService");
    expect(run.outputs.url).toBe("http://orders:8080");

    // Exactly one ingress rule per caller, from its security group, on the service port; nothing else.
    const ingress = run.ofType(INGRESS);
    expect(ingress.map((r) => r.inputs)).toEqual([
      expect.objectContaining({
        referencedSecurityGroupId: WEB_SG,
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
      }),
      expect.objectContaining({
        referencedSecurityGroupId: WORKER_SG,
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
      }),
    ]);
    for (const rule of ingress) {
      expect(rule.inputs.cidrIpv4).toBeUndefined();
      expect(rule.inputs.cidrIpv6).toBeUndefined();
      expect(rule.inputs.prefixListId).toBeUndefined();
      expect(rule.parent).toBe(component.urn);
    }
    expect(ingress.map((r) => r.name)).toEqual(["orders-from-caller-0", "orders-from-caller-1"]);

    // No load balancer pieces.
    expect(run.ofType("aws:lb/targetGroup:TargetGroup")).toEqual([]);
    expect(run.ofType("aws:lb/listenerRule:ListenerRule")).toEqual([]);

    const service = run.one(SVC);
    expect(service.inputs.loadBalancers).toBeUndefined();
    expect(service.inputs.serviceConnectConfiguration).toEqual({
      enabled: true,
      namespace: NAMESPACE_ARN,
      services: [
        { portName: "orders", discoveryName: "orders", clientAlias: [{ port: 8080, dnsName: "orders" }] },
      ],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": "/ecs/platform-dev/orders",
          "awslogs-region": "us-east-1",
          "awslogs-stream-prefix": "service-connect",
        },
      },
    });
    expect(service.inputs.healthCheckGracePeriodSeconds).toBeUndefined();

    // The port mapping Service Connect refers to by name.
    expect(containers(run)[0]!.portMappings).toEqual([
      { containerPort: 8080, protocol: "tcp", name: "orders", appProtocol: "http" },
    ]);
    const sg = run.one("aws:ec2/securityGroup:SecurityGroup");
    expect(sg.inputs.description).toBe("Tasks of orders: Service Connect callers on port 8080");
  });

  it("takes its port and protocol, and no callers (reachable by no one yet)", async () => {
    const run = await runComponent(() => {
      new InternalService("billing", internal({ port: 9000, appProtocol: "grpc", callers: [] }));
    });
    expect(run.ofType(INGRESS)).toEqual([]);
    const sc = run.one(SVC).inputs.serviceConnectConfiguration as {
      services: { clientAlias: { port: number }[] }[];
    };
    expect(sc.services[0]!.clientAlias[0]!.port).toBe(9000);
    expect(containers(run)[0]!.portMappings![0]).toEqual({
      containerPort: 9000,
      protocol: "tcp",
      name: "billing",
      appProtocol: "grpc",
    });
  });

  it.each<[string, Partial<InternalServiceArgs> & Record<string, unknown>, RegExp, string]>([
    ["a load balancer", { loadBalancer }, /loadBalancer is .*applies to kind web/, "loadBalancer"],
    ["a rule", { rule: { priority: 1, paths: ["/*"] } } as never, /rule is .*applies to kind web/, "rule"],
    [
      "a health check of a route",
      { healthCheck: { path: "/" } } as never,
      /healthCheck is .*applies to kind web/,
      "healthCheck",
    ],
    ["a queue", { queue } as never, /queue is .*applies to kind worker/, "queue"],
    [
      "a caller that is not a security group id",
      { callers: ["10.0.0.0/16"] },
      /callers\[0\] is "10\.0\.0\.0\/16"; a security group id/,
      "callers[0]",
    ],
    [
      "the same caller twice",
      { callers: [WEB_SG, WEB_SG] },
      /callers is "sg-0123456789abcdef0"; each value may appear only once/,
      "callers",
    ],
    [
      "an unknown protocol",
      { appProtocol: "tcp" as never },
      /appProtocol is "tcp"; allowed: "http", "http2", "grpc"/,
      "appProtocol",
    ],
    [
      "a cluster without a namespace",
      { cluster },
      /cluster\.serviceConnectNamespaceArn is undefined; Service Connect needs the cluster's Cloud Map namespace/,
      "cluster.serviceConnectNamespaceArn",
    ],
    [
      "calls to itself",
      { calls: ["orders"] },
      /calls\[0\] is "orders"; a service does not call itself/,
      "calls[0]",
    ],
    [
      "blue/green",
      { deployment: { strategy: "BLUE_GREEN" } },
      /deployment\.strategy is "BLUE_GREEN"; BLUE_GREEN shifts load balancer traffic, so it needs a loadBalancer/,
      "deployment.strategy",
    ],
    [
      "requests per target",
      { scaling: { max: 4, requestsPerTarget: 100 } },
      /scaling\.requestsPerTarget is 100; needs a loadBalancer/,
      "scaling.requestsPerTarget",
    ],
  ])("rejects %s before anything exists", async (_title, extra, message, field) => {
    const err = await expectInvalid(
      () => new InternalService("orders", internal(extra as Partial<InternalServiceArgs>)),
      message,
    );
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:InternalService 'orders': /);
  });

  it("rejects a name Service Connect cannot publish", async () => {
    const err = await expectInvalid(
      () => new InternalService("Orders", internal()),
      /name is "Orders"; an internal service's name is its Service Connect name/,
    );
    expect(err.field).toBe("name");
  });
});

describe("Service Connect clients (calls)", () => {
  it("a web service with calls joins the namespace as a client and publishes nothing", async () => {
    const run = await runComponent(() => {
      new WebService("web", {
        cluster: scCluster,
        network,
        loadBalancer,
        image: IMAGE,
        rule: { priority: 100, hosts: ["api.example.com"] },
        calls: ["orders", "billing"],
      });
    });
    const sc = run.one(SVC).inputs.serviceConnectConfiguration as Record<string, unknown>;
    expect(sc.enabled).toBe(true);
    expect(sc.namespace).toBe(NAMESPACE_ARN);
    expect(sc.services).toBeUndefined();
    expect(containers(run)[0]!.portMappings).toEqual([{ containerPort: 8080, protocol: "tcp" }]);
  });

  it("a worker with calls is a client with no ingress", async () => {
    const run = await runComponent(() => {
      new WorkerService("mailer", { cluster: scCluster, network, image: IMAGE, queue, calls: ["orders"] });
    });
    expect(run.ofType(INGRESS)).toEqual([]);
    const sc = run.one(SVC).inputs.serviceConnectConfiguration as Record<string, unknown>;
    expect(sc.services).toBeUndefined();
  });

  it("a web service without calls has no Service Connect", async () => {
    const run = await runComponent(() => {
      new WebService("web", {
        cluster: scCluster,
        network,
        loadBalancer,
        image: IMAGE,
        rule: { priority: 101, hosts: ["www.example.com"] },
      });
    });
    expect(run.one(SVC).inputs.serviceConnectConfiguration).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, RegExp, string]>([
    [
      "a call that is not a service name",
      { calls: ["Orders!"] },
      /calls\[0\] is "Orders!"; an internal service's name/,
      "calls[0]",
    ],
    ["callers on a web service", { callers: [WEB_SG] }, /callers is .*applies to kind internal/, "callers"],
    [
      "calls without a namespace",
      { calls: ["orders"], cluster },
      /cluster\.serviceConnectNamespaceArn is undefined/,
      "cluster.serviceConnectNamespaceArn",
    ],
  ])("rejects %s", async (_title, extra, message, field) => {
    const err = await expectInvalid(
      () =>
        new WebService("web", {
          cluster: scCluster,
          network,
          loadBalancer,
          image: IMAGE,
          rule: { priority: 102, hosts: ["x.example.com"] },
          ...extra,
        } as never),
      message,
    );
    expect(err.field).toBe(field);
  });
});

describe("Cluster serviceConnectNamespace", () => {
  it("creates an HTTP namespace, sets it as the cluster's Service Connect default and puts it in the ref", async () => {
    let c!: Cluster;
    const run = await runComponent(() => {
      c = new Cluster("platform", { serviceConnectNamespace: { name: "dev.internal" } });
      return { ns: c.ref.serviceConnectNamespaceArn, name: c.ref.serviceConnectNamespaceName };
    });
    const ns = run.one("aws:servicediscovery/httpNamespace:HttpNamespace");
    expect(ns.inputs.name).toBe("dev.internal");
    expect(ns.parent).toBe(run.one("berth:cluster:Cluster").urn);
    const ecs = run.one("aws:ecs/cluster:Cluster");
    expect(ecs.inputs.serviceConnectDefaults).toEqual({ namespace: ns.outputs.arn });
    expect(run.outputs.ns).toBe(ns.outputs.arn);
    expect(run.outputs.name).toBe("dev.internal");
  });

  it("uses a namespace the stack has", async () => {
    const run = await runComponent(() => {
      new Cluster("platform", { serviceConnectNamespace: { name: "dev.internal", arn: NAMESPACE_ARN } });
    });
    expect(run.ofType("aws:servicediscovery/httpNamespace:HttpNamespace")).toEqual([]);
    expect(run.one("aws:ecs/cluster:Cluster").inputs.serviceConnectDefaults).toEqual({
      namespace: NAMESPACE_ARN,
    });
  });

  it("has no Service Connect default without it", async () => {
    const run = await runComponent(() => {
      new Cluster("platform");
    });
    expect(run.one("aws:ecs/cluster:Cluster").inputs.serviceConnectDefaults).toBeUndefined();
  });

  it.each<[string, { name: string; arn?: string }, RegExp, string]>([
    [
      "an upper-case name",
      { name: "Dev.Internal" },
      /serviceConnectNamespace\.name is "Dev\.Internal"; a DNS-like name/,
      "serviceConnectNamespace.name",
    ],
    [
      "an ARN of another service",
      { name: "dev.internal", arn: "arn:aws:ecs:us-east-1:123456789012:cluster/x" },
      /serviceConnectNamespace\.arn is .*must be an ARN of servicediscovery/,
      "serviceConnectNamespace.arn",
    ],
  ])("rejects %s", async (_title, sc, message, field) => {
    const err = await expectInvalid(() => new Cluster("platform", { serviceConnectNamespace: sc }), message);
    expect(err.field).toBe(field);
  });
});
