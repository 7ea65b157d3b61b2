import { runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { aliasRecordTypes, type IpAddressType, LoadBalancer, Service } from "../src/index.js";
import { loadBalancer, network, network6, web } from "./service-fixtures.js";

const RECORD = "aws:route53/record:Record";
const ZONE = "Z0123456789ABCDEFGHIJ";

// An alias record resolves only to the addresses the load balancer's DNS name has: a
// dualstack-without-public-ipv4 load balancer has no public IPv4 address, so an A alias to it
// would answer nothing.
const byType: [IpAddressType, string[]][] = [
  ["ipv4", ["A"]],
  ["dualstack", ["A", "AAAA"]],
  ["dualstack-without-public-ipv4", ["AAAA"]],
];

describe("alias record types by IP address type", () => {
  it.each(byType)("%s → %j", (type, expected) => {
    expect(aliasRecordTypes(type)).toEqual(expected);
  });

  it("counts a ref without ipAddressType as ipv4", () => {
    expect(aliasRecordTypes(undefined)).toEqual(["A"]);
  });
});

describe("LoadBalancer alias records and ref.ipAddressType", () => {
  it.each(byType)("%s: records %j and says so in its ref", async (ipAddressType, expected) => {
    let lb!: LoadBalancer;
    const run = await runComponent(() => {
      lb = new LoadBalancer("web", {
        network: ipAddressType === "ipv4" ? network : network6,
        ipAddressType,
        domain: { name: "app.example.com", hostedZoneId: ZONE },
      });
    });
    const aliases = run.ofType(RECORD).filter((r) => r.inputs.aliases !== undefined);
    expect(aliases.map((r) => r.inputs.type).sort()).toEqual(expected);
    expect(aliases.map((r) => r.name).sort()).toEqual(expected.map((t) => `web-alias-0-${t.toLowerCase()}`));
    for (const r of aliases) expect(r.inputs.name).toBe("app.example.com");
    expect(lb.ref.ipAddressType).toBe(ipAddressType);
  });
});

describe("Service dns records by the load balancer's IP address type", () => {
  async function records(ref: typeof loadBalancer) {
    const run = await runComponent(
      () => new Service("web", web({ loadBalancer: ref, dns: { zoneId: "Z0123456789ABC" } })),
    );
    return run
      .ofType(RECORD)
      .map((r) => ({ name: r.name, type: r.inputs.type, host: r.inputs.name, aliases: r.inputs.aliases }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  const aliases = [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }];

  it("writes an A record for a ref without ipAddressType (built by hand), under its old name", async () => {
    expect(await records(loadBalancer)).toEqual([
      { name: "web-dns", type: "A", host: "api.example.com", aliases },
    ]);
  });

  it("writes an A record for ipv4", async () => {
    expect(await records({ ...loadBalancer, ipAddressType: "ipv4" })).toEqual([
      { name: "web-dns", type: "A", host: "api.example.com", aliases },
    ]);
  });

  it("writes A and AAAA records for dualstack", async () => {
    expect(await records({ ...loadBalancer, ipAddressType: "dualstack" })).toEqual([
      { name: "web-dns", type: "A", host: "api.example.com", aliases },
      { name: "web-dns-aaaa", type: "AAAA", host: "api.example.com", aliases },
    ]);
  });

  it("writes only an AAAA record for dualstack-without-public-ipv4", async () => {
    expect(await records({ ...loadBalancer, ipAddressType: "dualstack-without-public-ipv4" })).toEqual([
      { name: "web-dns-aaaa", type: "AAAA", host: "api.example.com", aliases },
    ]);
  });

  it("writes the records a LoadBalancer's own ref asks for", async () => {
    const run = await runComponent(() => {
      const lb = new LoadBalancer("lb", {
        network: network6,
        ipAddressType: "dualstack-without-public-ipv4",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f8fad5b-d9cb-469f-a165-70867728950e",
      });
      new Service("web", web({ network: network6, loadBalancer: lb.ref, dns: { zoneId: "Z0123456789ABC" } }));
    });
    expect(run.ofType(RECORD).map((r) => [r.name, r.inputs.type])).toEqual([["web-dns-aaaa", "AAAA"]]);
  });
});
