import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import {
  addListenerRule,
  ELB_LOG_DELIVERY_PRINCIPAL,
  elbAccountArn,
  LoadBalancer,
  type LoadBalancerArgs,
} from "../src/load-balancer.js";
import { loadBalancer, network, network6 } from "./service-fixtures.js";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f8fad5b-d9cb-469f-a165-70867728950e";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const RECORD = "aws:route53/record:Record";

function ingress(run: Awaited<ReturnType<typeof runComponent>>): string[] {
  return run
    .ofType(INGRESS)
    .map((r) => `${r.inputs.fromPort} ${r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6}`)
    .sort();
}

describe("LoadBalancer IP address types", () => {
  it("drops the public IPv4 addresses, opens the listener ports to ::/0 and writes AAAA records only", async () => {
    const run = await runComponent(
      () =>
        new LoadBalancer("web", {
          network: network6,
          ipAddressType: "dualstack-without-public-ipv4",
          domain: { name: "app.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
        }),
    );
    expect(run.one(LB).inputs.ipAddressType).toBe("dualstack-without-public-ipv4");
    expect(ingress(run)).toEqual(["443 0.0.0.0/0", "443 ::/0", "80 0.0.0.0/0", "80 ::/0"]);
    expect(
      run
        .ofType(RECORD)
        .filter((r) => r.inputs.type !== "CNAME")
        .map((r) => r.inputs.type)
        .sort(),
    ).toEqual(["AAAA"]);
  });

  it("opens a dualstack load balancer to ::/0 as well as 0.0.0.0/0", async () => {
    const run = await runComponent(
      () => new LoadBalancer("web", { network: network6, certificateArn: CERT, ipAddressType: "dualstack" }),
    );
    expect(ingress(run)).toEqual(["443 0.0.0.0/0", "443 ::/0", "80 0.0.0.0/0", "80 ::/0"]);
  });

  it("admits the VPC's IPv6 block to an internal dualstack load balancer", async () => {
    const run = await runComponent(
      () =>
        new LoadBalancer("web", {
          network: network6,
          internal: true,
          certificateArn: CERT,
          ipAddressType: "dualstack",
        }),
    );
    expect(ingress(run)).toEqual([
      "443 10.0.0.0/16",
      "443 2600:1f18:abcd:ef00::/56",
      "80 10.0.0.0/16",
      "80 2600:1f18:abcd:ef00::/56",
    ]);
  });

  const cases: [string, unknown, LoadBalancerArgs, RegExp, string][] = [
    [
      "dualstack on a network without IPv6",
      "web",
      { network, certificateArn: CERT, ipAddressType: "dualstack" },
      /ipAddressType is "dualstack"; .*network\.ipv6 is not true: turn IPv6 on in the Network component/,
      "ipAddressType",
    ],
    [
      "dualstack without public IPv4 on a network without IPv6",
      "web",
      { network, certificateArn: CERT, ipAddressType: "dualstack-without-public-ipv4" },
      /needs a VPC and subnets with IPv6 blocks/,
      "ipAddressType",
    ],
    [
      "dualstack without public IPv4 on an internal load balancer",
      "web",
      {
        network: network6,
        internal: true,
        certificateArn: CERT,
        ipAddressType: "dualstack-without-public-ipv4",
      },
      /applies to internet-facing load balancers only/,
      "ipAddressType",
    ],
    ["an empty name", "", { network, certificateArn: CERT }, /give the component a non-empty name/, "name"],
    ["a name with a space", "web lb", { network, certificateArn: CERT }, /name is "web lb"/, "name"],
    ["a non-ASCII name", "wéb", { network, certificateArn: CERT }, /only ASCII letters/, "name"],
    [
      "a tag key over 128 characters",
      "web",
      { network, certificateArn: CERT, tags: { ["k".repeat(129)]: "v" } },
      /a tag key is 1 to 128 characters/,
      `tags.${"k".repeat(129)}`,
    ],
    [
      "a tag value with a character AWS refuses",
      "web",
      { network, certificateArn: CERT, tags: { Owner: "team#1" } },
      /a tag value is at most 256 characters of/,
      "tags.Owner",
    ],
  ];

  it.each(cases)("rejects %s before creating anything", async (_title, name, args, message, field) => {
    const err = await expectInvalid(() => new LoadBalancer(name as string, args), message);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:LoadBalancer '/);
  });
});

describe("LoadBalancer access logs in every Region AWS lists", () => {
  async function principals(region: string) {
    const run = await runComponent(() => new LoadBalancer("web", { network, certificateArn: CERT }), {
      config: { "aws:region": region },
    });
    const policy = run.json(run.one("aws:s3/bucketPolicy:BucketPolicy"), "policy") as {
      Statement: { Principal: unknown }[];
    };
    return policy.Statement.map((s) => s.Principal);
  }

  it("grants Asia Pacific (Jakarta)'s ELB account, a Region launched before August 2022", async () => {
    expect(await principals("ap-southeast-3")).toEqual([
      { Service: ELB_LOG_DELIVERY_PRINCIPAL },
      { AWS: "arn:aws:iam::589379963580:root" },
      "*",
    ]);
  });

  it.each([["ap-southeast-4"], ["mx-central-1"], ["me-central-1"]])(
    "grants only the service principal in %s, launched since August 2022",
    async (region) => {
      expect(await principals(region)).toEqual([{ Service: ELB_LOG_DELIVERY_PRINCIPAL }, "*"]);
    },
  );

  it("names the ELB account in the Region's partition", () => {
    expect(elbAccountArn("us-gov-west-1")).toBe("arn:aws-us-gov:iam::048591011584:root");
    expect(elbAccountArn("cn-north-1")).toBe("arn:aws-cn:iam::638102146993:root");
    expect(elbAccountArn("af-south-1")).toBe("arn:aws:iam::098369216593:root");
    expect(elbAccountArn("eu-central-2")).toBeUndefined();
  });
});

describe("addListenerRule", () => {
  const tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef";

  it("rejects a bare * host, a priority taken on the listener, and tags AWS refuses", async () => {
    await expectInvalid(
      () => addListenerRule("api", loadBalancer, { priority: 5, hosts: ["*"], targetGroupArn: tg }),
      /hosts\[0\] is "\*"; a bare \* would match every host/,
    );
    const clash = await runComponent(
      () => {
        addListenerRule("api", loadBalancer, { priority: 5, hosts: ["api.example.com"], targetGroupArn: tg });
        addListenerRule("web", loadBalancer, { priority: 5, hosts: ["www.example.com"], targetGroupArn: tg });
      },
      { allowError: true },
    );
    expect(clash.error?.message).toMatch(
      /berth:cluster:ListenerRule 'web': priority is 5; ListenerRule 'api' already has priority 5/,
    );
    // The second rule was refused before it registered.
    expect(clash.ofType("aws:lb/listenerRule:ListenerRule").map((r) => r.name)).toEqual(["api"]);
    await expectInvalid(
      () =>
        addListenerRule("api", loadBalancer, {
          priority: 5,
          hosts: ["api.example.com"],
          targetGroupArn: tg,
          tags: { "aws:x": "y" },
        }),
      /reserved for AWS/,
    );
  });

  it("shares a LoadBalancer's listener registry through its ref (an Output)", async () => {
    const run = await runComponent(
      () => {
        const lb = new LoadBalancer("web", { network, certificateArn: CERT });
        lb.addRule("api", { priority: 10, paths: ["/api/*"], targetGroupArn: tg });
        addListenerRule("api2", lb.ref, { priority: 10, paths: ["/v2/*"], targetGroupArn: tg });
      },
      { allowError: true },
    );
    expect(run.error?.message).toMatch(/ListenerRule 'api' already has priority 10/);
  });
});
