import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { WebService, type WebServiceArgs } from "../../src/index.js";
import {
  IMAGE,
  INGRESS,
  loadBalancer,
  network,
  queue,
  SVC,
  scCluster,
  testListenerArn,
  WEB_SG,
} from "./fixtures.js";

let priority = 500;
const web = (extra: Partial<WebServiceArgs> = {}): WebServiceArgs => ({
  cluster: scCluster,
  network,
  loadBalancer,
  image: IMAGE,
  rule: { priority: priority++, hosts: [`w${priority}.example.com`] },
  ...extra,
});

describe("WebService", () => {
  it("admits exactly the load balancer's security group on exactly its port", async () => {
    let svc!: WebService;
    const run = await runComponent(() => {
      svc = new WebService("shop", web());
      return { url: svc.url };
    });
    expect(run.one("berth:cluster:WebService").name).toBe("shop");
    expect(run.ofType(INGRESS).map((r) => r.inputs)).toEqual([
      expect.objectContaining({
        referencedSecurityGroupId: loadBalancer.securityGroupId,
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
      }),
    ]);
    expect(run.ofType(INGRESS)[0]!.inputs.cidrIpv4).toBeUndefined();
    expect(run.ofType("aws:lb/targetGroup:TargetGroup")).toHaveLength(1);
    expect((run.one(SVC).inputs.loadBalancers as { containerPort: number }[])[0]!.containerPort).toBe(8080);
    expect(run.outputs.url).toMatch(/^https:\/\/w\d+\.example\.com$/);
  });

  it("shifts traffic with BLUE_GREEN: two target groups, a test rule, the infrastructure role", async () => {
    const run = await runComponent(() => {
      new WebService(
        "shop",
        web({ loadBalancer: { ...loadBalancer, testListenerArn }, deployment: { strategy: "BLUE_GREEN" } }),
      );
    });
    expect(run.ofType("aws:lb/targetGroup:TargetGroup").map((t) => t.name)).toEqual([
      "shop-tg",
      "shop-tg-alt",
    ]);
    expect(run.ofType("aws:lb/listenerRule:ListenerRule").map((t) => t.name)).toEqual([
      "shop-rule",
      "shop-test-rule",
    ]);
    expect(run.one("aws:iam/role:Role", "shop-infrastructure-role")).toBeDefined();
  });

  it.each<[string, Record<string, unknown>, RegExp, string]>([
    [
      "no load balancer",
      { loadBalancer: undefined },
      /loadBalancer is undefined; a web service needs the shared load balancer/,
      "loadBalancer",
    ],
    ["no rule", { rule: undefined }, /rule is undefined; a service with a loadBalancer needs rule/, "rule"],
    ["a queue", { queue }, /queue is .*applies to kind worker/, "queue"],
    ["callers", { callers: [WEB_SG] }, /callers is .*applies to kind internal/, "callers"],
    [
      "requests per target with CANARY",
      { deployment: { strategy: "CANARY" }, scaling: { max: 4, requestsPerTarget: 100 } },
      /scaling\.requestsPerTarget is 100; tracks one target group, so it works with the ROLLING strategy only \(strategy is CANARY\)/,
      "scaling.requestsPerTarget",
    ],
  ])("rejects %s before anything exists", async (_title, extra, message, field) => {
    const err = await expectInvalid(
      () => new WebService("shop", { ...web(), ...extra } as WebServiceArgs),
      message,
    );
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:WebService '/);
  });

  it("rejects a name too long for its target groups", async () => {
    const err = await expectInvalid(
      () => new WebService("a-very-long-shop-name", web({ deployment: { strategy: "LINEAR" } })),
      /name is "a-very-long-shop-name"; .*at most 17 characters with strategy LINEAR/,
    );
    expect(err.field).toBe("name");
  });
});
