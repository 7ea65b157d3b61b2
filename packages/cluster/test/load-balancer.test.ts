import { expectInvalid, type RecordedResource, type RunResult, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import {
  addListenerRule,
  DEFAULT_SSL_POLICY,
  ELB_LOG_DELIVERY_PRINCIPAL,
  LoadBalancer,
  type LoadBalancerArgs,
} from "../src/load-balancer.js";
import type { LoadBalancerRef } from "../src/refs.js";
import { network, network6 } from "./service-fixtures.js";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f8fad5b-d9cb-469f-a165-70867728950e";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const RECORD = "aws:route53/record:Record";

const NOT_FOUND = {
  type: "fixed-response",
  fixedResponse: { contentType: "text/plain", messageBody: "Not Found", statusCode: "404" },
};

function listener(run: RunResult, port: number): RecordedResource {
  const found = run.ofType(LISTENER).filter((l) => l.inputs.port === port);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("LoadBalancer with a given certificate", () => {
  const args: LoadBalancerArgs = { network, certificateArn: CERT };

  it("is an internet-facing ALB in the public subnets with hardened HTTP handling", async () => {
    const run = await runComponent(() => new LoadBalancer("web", args));
    const lb = run.one(LB);
    expect(lb.inputs).toMatchObject({
      loadBalancerType: "application",
      internal: false,
      subnets: ["subnet-pub1", "subnet-pub2"],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      idleTimeout: 60,
      enableDeletionProtection: true,
    });
    expect(lb.inputs.securityGroups).toEqual([run.one("aws:ec2/securityGroup:SecurityGroup").id]);
    expect(lb.parent).toBe(run.one("berth:cluster:LoadBalancer").urn);
  });

  it("serves HTTPS with a TLS 1.3 policy, redirects HTTP and answers unknown requests with 404", async () => {
    const run = await runComponent(() => new LoadBalancer("web", args));
    const lbArn = run.one(LB).outputs.arn;
    const https = listener(run, 443);
    expect(https.inputs).toMatchObject({
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: CERT,
      loadBalancerArn: lbArn,
    });
    expect(https.inputs.defaultActions).toEqual([NOT_FOUND]);
    const http = listener(run, 80);
    expect(http.inputs.protocol).toBe("HTTP");
    expect(http.inputs.defaultActions).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ]);
    expect(run.ofType(LISTENER)).toHaveLength(2);
    expect(run.ofType("aws:acm/certificate:Certificate")).toHaveLength(0);
  });

  it("opens only 80 and 443 to the world and sends traffic only into the VPC", async () => {
    const run = await runComponent(() => new LoadBalancer("web", args));
    const sgId = run.one("aws:ec2/securityGroup:SecurityGroup").id;
    const rules = run.ofType(INGRESS).map((r) => r.inputs);
    expect(rules.map((r) => [r.fromPort, r.toPort, r.cidrIpv4]).sort()).toEqual([
      [443, 443, "0.0.0.0/0"],
      [80, 80, "0.0.0.0/0"],
    ]);
    for (const r of rules) expect(r).toMatchObject({ ipProtocol: "tcp", securityGroupId: sgId });
    const egress = run.one(EGRESS);
    expect(egress.inputs).toMatchObject({
      cidrIpv4: "10.0.0.0/16",
      ipProtocol: "tcp",
      fromPort: 0,
      toPort: 65535,
    });
  });

  it("takes configurable IPv4 and IPv6 ranges on a dualstack ALB", async () => {
    const run = await runComponent(
      () =>
        new LoadBalancer("web", {
          ...args,
          network: network6,
          ipAddressType: "dualstack",
          allowedCidrs: ["203.0.113.0/24"],
          allowedIpv6Cidrs: ["2001:db8::/32"],
        }),
    );
    expect(run.one(LB).inputs.ipAddressType).toBe("dualstack");
    const rules = run
      .ofType(INGRESS)
      .map((r) => `${r.inputs.fromPort} ${r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6}`);
    expect(rules.sort()).toEqual([
      "443 2001:db8::/32",
      "443 203.0.113.0/24",
      "80 2001:db8::/32",
      "80 203.0.113.0/24",
    ]);
  });

  it("exposes ARN, DNS name, zone id, listeners, security group, URL and a LoadBalancerRef", async () => {
    const run = await runComponent(() => {
      const lb = new LoadBalancer("web", args);
      return {
        ref: lb.ref,
        https: lb.httpsListenerArn,
        http: lb.httpListenerArn,
        test: lb.testListenerArn,
        cert: lb.certificateArn,
      };
    });
    const lb = run.one(LB);
    const ref = run.outputs.ref as Record<string, unknown>;
    expect(ref).toMatchObject({
      arn: lb.outputs.arn,
      arnSuffix: lb.outputs.arnSuffix,
      dnsName: lb.outputs.dnsName,
      zoneId: "Z35SXDOTRQ7X7K",
      securityGroupId: run.one("aws:ec2/securityGroup:SecurityGroup").id,
      listenerArn: listener(run, 443).outputs.arn,
      protocol: "HTTPS",
      url: `https://${lb.outputs.dnsName}`,
    });
    expect(ref.testListenerArn).toBeUndefined();
    expect(run.outputs.https).toBe(listener(run, 443).outputs.arn);
    expect(run.outputs.http).toBe(listener(run, 80).outputs.arn);
    expect(run.outputs.cert).toBe(CERT);
  });

  it("applies settings and transforms", async () => {
    const run = await runComponent(
      () =>
        new LoadBalancer("web", {
          ...args,
          name: "platform-prod",
          idleTimeout: 120,
          desyncMitigationMode: "strictest",
          sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
          tags: { Team: "edge" },
          transform: {
            loadBalancer: (a) => {
              a.preserveHostHeader = true;
            },
          },
        }),
    );
    const lb = run.one(LB);
    expect(lb.inputs).toMatchObject({
      name: "platform-prod",
      idleTimeout: 120,
      desyncMitigationMode: "strictest",
      preserveHostHeader: true,
      tags: { Team: "edge" },
    });
    expect(listener(run, 443).inputs.sslPolicy).toBe("ELBSecurityPolicy-TLS13-1-3-2021-06");
  });
});

describe("LoadBalancer with a certificate it creates", () => {
  it("requests a DNS-validated ACM certificate in the hosted zone and points alias records at the ALB", async () => {
    const run = await runComponent(
      () =>
        new LoadBalancer("web", {
          network,
          domain: {
            name: "app.example.com",
            alternativeNames: ["www.example.com"],
            hostedZoneName: "example.com",
          },
        }),
    );
    const cert = run.one("aws:acm/certificate:Certificate");
    expect(cert.inputs).toMatchObject({
      domainName: "app.example.com",
      subjectAlternativeNames: ["www.example.com"],
      validationMethod: "DNS",
    });
    const records = run.ofType(RECORD);
    const validationRecords = records.filter((r) => r.inputs.type === "CNAME");
    expect(validationRecords).toHaveLength(2);
    const options = cert.outputs.domainValidationOptions as {
      resourceRecordName: string;
      resourceRecordValue: string;
    }[];
    expect(validationRecords.map((r) => r.inputs.name).sort()).toEqual(
      options.map((o) => o.resourceRecordName).sort(),
    );
    const zoneId = validationRecords[0]!.inputs.zoneId;
    expect(zoneId).toMatch(/^Z[0-9A-F]{20}$/);
    const validation = run.one("aws:acm/certificateValidation:CertificateValidation");
    expect(validation.inputs.certificateArn).toBe(cert.outputs.arn);
    expect(validation.inputs.validationRecordFqdns).toHaveLength(2);
    expect(listener(run, 443).inputs.certificateArn).toBe(cert.outputs.arn);
    expect(listener(run, 443).dependencies).toContain(validation.urn);

    const lb = run.one(LB);
    const aliases = records.filter((r) => r.inputs.type === "A");
    expect(aliases.map((r) => r.inputs.name).sort()).toEqual(["app.example.com", "www.example.com"]);
    for (const a of aliases) {
      expect(a.inputs.zoneId).toBe(zoneId);
      expect(a.inputs.aliases).toEqual([
        { name: lb.outputs.dnsName, zoneId: lb.outputs.zoneId, evaluateTargetHealth: true },
      ]);
    }
    expect(run.one("berth:cluster:LoadBalancer").outputs.url).toBe("https://app.example.com");
  });

  it("validates a wildcard together with its apex through one record and adds AAAA records for dualstack", async () => {
    const run = await runComponent(
      () =>
        new LoadBalancer("web", {
          network: network6,
          ipAddressType: "dualstack",
          domain: {
            name: "example.com",
            alternativeNames: ["*.example.com"],
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
          },
        }),
    );
    const records = run.ofType(RECORD);
    expect(records.filter((r) => r.inputs.type === "CNAME")).toHaveLength(1);
    expect(
      records
        .filter((r) => r.inputs.type !== "CNAME")
        .map((r) => `${r.inputs.type} ${r.inputs.name}`)
        .sort(),
    ).toEqual(["A example.com", "AAAA example.com"]);
    for (const r of records) expect(r.inputs.zoneId).toBe("Z0123456789ABCDEFGHIJ");
    const v6 = run.ofType(INGRESS).filter((r) => r.inputs.cidrIpv6 !== undefined);
    expect(v6.map((r) => r.inputs.cidrIpv6)).toEqual(["::/0", "::/0"]);
  });

  it("uses a given certificate with a domain, creating only the alias record", async () => {
    const run = await runComponent(
      () =>
        new LoadBalancer("web", {
          network,
          certificateArn: CERT,
          domain: { name: "app.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
        }),
    );
    expect(run.ofType("aws:acm/certificate:Certificate")).toHaveLength(0);
    expect(run.ofType(RECORD).map((r) => r.inputs.type)).toEqual(["A"]);
    expect(listener(run, 443).inputs.certificateArn).toBe(CERT);
  });
});

describe("LoadBalancer without a certificate", () => {
  it("serves HTTP only, with a 404 default, when the choice is explicit", async () => {
    const run = await runComponent(() => {
      const lb = new LoadBalancer("web", { network, allowHttpOnly: true });
      return { ref: lb.ref, https: lb.httpsListenerArn };
    });
    expect(run.ofType(LISTENER)).toHaveLength(1);
    const http = listener(run, 80);
    expect(http.inputs.defaultActions).toEqual([NOT_FOUND]);
    expect(run.ofType(INGRESS).map((r) => r.inputs.fromPort)).toEqual([80]);
    const ref = run.outputs.ref as Record<string, unknown>;
    expect(ref.protocol).toBe("HTTP");
    expect(ref.listenerArn).toBe(http.outputs.arn);
    expect(ref.url).toBe(`http://${run.one(LB).outputs.dnsName}`);
    expect(run.outputs.https).toBeUndefined();
  });

  it("needs no explicit choice for a dev load balancer without deletion protection", async () => {
    const run = await runComponent(() => new LoadBalancer("web", { network, deletionProtection: false }));
    expect(run.one(LB).inputs.enableDeletionProtection).toBe(false);
    expect(listener(run, 80).inputs.protocol).toBe("HTTP");
  });

  it("is internal in the private subnets, open only to the VPC by default", async () => {
    const run = await runComponent(
      () => new LoadBalancer("web", { network, internal: true, deletionProtection: false }),
    );
    expect(run.one(LB).inputs).toMatchObject({ internal: true, subnets: ["subnet-priv1", "subnet-priv2"] });
    expect(run.ofType(INGRESS).map((r) => r.inputs.cidrIpv4)).toEqual(["10.0.0.0/16"]);
  });
});

describe("LoadBalancer access logs", () => {
  it("creates an encrypted, private, expiring bucket the ELB may write to (legacy region: account + service principal)", async () => {
    const run = await runComponent(
      () => new LoadBalancer("web", { network, certificateArn: CERT, accessLogs: { prefix: "alb" } }),
    );
    const bucket = run.one("aws:s3/bucket:Bucket");
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.options.protect ?? false).toBe(false);
    expect(run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      run.input(
        run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
        "rules[0].applyServerSideEncryptionByDefault",
      ),
    ).toEqual({ sseAlgorithm: "AES256" });
    expect(run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    const lifecycle = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    expect(run.input(lifecycle, "rules[0]")).toMatchObject({ status: "Enabled", expiration: { days: 90 } });

    const policyResource = run.one("aws:s3/bucketPolicy:BucketPolicy");
    const policy = run.json(policyResource, "policy") as { Statement: Record<string, unknown>[] };
    const arn = bucket.outputs.arn as string;
    const objects = `${arn}/alb/AWSLogs/123456789012/*`;
    expect(policy.Statement).toContainEqual({
      Sid: "ElbLogDelivery",
      Effect: "Allow",
      Principal: { Service: ELB_LOG_DELIVERY_PRINCIPAL },
      Action: "s3:PutObject",
      Resource: objects,
    });
    expect(policy.Statement).toContainEqual({
      Sid: "ElbRegionalAccountLogDelivery",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::127311923021:root" },
      Action: "s3:PutObject",
      Resource: objects,
    });
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );

    const lb = run.one(LB);
    expect(lb.inputs.accessLogs).toEqual({ bucket: bucket.outputs.bucket, enabled: true, prefix: "alb" });
    expect(lb.dependencies).toContain(policyResource.urn);
  });

  it("grants only the log-delivery service principal in a region launched after August 2022", async () => {
    const run = await runComponent(
      () => new LoadBalancer("web", { network, certificateArn: CERT, protect: true }),
      {
        config: { "aws:region": "eu-central-2" },
      },
    );
    const policy = run.json(run.one("aws:s3/bucketPolicy:BucketPolicy"), "policy") as {
      Statement: { Principal: unknown }[];
    };
    expect(policy.Statement.map((s) => s.Principal)).toEqual([{ Service: ELB_LOG_DELIVERY_PRINCIPAL }, "*"]);
    expect(run.one("aws:s3/bucket:Bucket").options.protect).toBe(true);
  });

  it("logs into a given bucket without creating one, or not at all", async () => {
    const given = await runComponent(
      () =>
        new LoadBalancer("web", {
          network,
          certificateArn: CERT,
          accessLogs: { bucketName: "org-elb-logs" },
        }),
    );
    expect(given.ofType("aws:s3/bucket:Bucket")).toHaveLength(0);
    expect(given.one(LB).inputs.accessLogs).toEqual({ bucket: "org-elb-logs", enabled: true });
    const off = await runComponent(
      () => new LoadBalancer("web", { network, certificateArn: CERT, accessLogs: false }),
    );
    expect(off.ofType("aws:s3/bucket:Bucket")).toHaveLength(0);
    expect(off.one(LB).inputs.accessLogs).toBeUndefined();
  });
});

describe("LoadBalancer for services", () => {
  it("adds a blue/green test listener with a 404 default, open to the VPC", async () => {
    const run = await runComponent(
      () => new LoadBalancer("web", { network, certificateArn: CERT, testListener: { port: 8443 } }).ref,
    );
    const test = listener(run, 8443);
    expect(test.inputs).toMatchObject({
      protocol: "HTTPS",
      certificateArn: CERT,
      sslPolicy: DEFAULT_SSL_POLICY,
    });
    expect(test.inputs.defaultActions).toEqual([NOT_FOUND]);
    expect(run.outputs.testListenerArn).toBe(test.outputs.arn);
    const rules = run.ofType(INGRESS).filter((r) => r.inputs.fromPort === 8443);
    expect(rules.map((r) => r.inputs.cidrIpv4)).toEqual(["10.0.0.0/16"]);
  });

  it("attaches listener rules with host and path conditions to the main or test listener", async () => {
    const tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef";
    const run = await runComponent(() => {
      const lb = new LoadBalancer("web", { network, certificateArn: CERT, testListener: { port: 8443 } });
      lb.addRule("api", { priority: 100, hosts: ["api.example.com"], paths: ["/v1/*"], targetGroupArn: tg });
      addListenerRule("api-test", lb.ref, {
        priority: 100,
        hosts: ["api.example.com"],
        targetGroupArn: tg,
        listener: "test",
      });
    });
    const [main, test] = ["api", "api-test"].map((n) => run.named(n, "aws:lb/listenerRule:ListenerRule"));
    expect(main!.inputs).toMatchObject({
      listenerArn: listener(run, 443).outputs.arn,
      priority: 100,
      conditions: [{ hostHeader: { values: ["api.example.com"] } }, { pathPattern: { values: ["/v1/*"] } }],
      actions: [{ type: "forward", targetGroupArn: tg }],
    });
    expect(main!.parent).toBe(run.one("berth:cluster:LoadBalancer").urn);
    expect(test!.inputs.listenerArn).toBe(listener(run, 8443).outputs.arn);
  });

  it("accepts ALB's limit of 5 condition values per rule, 3 per condition", async () => {
    const tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef";
    const hosts = ["a.example.com", "b.example.com", "c.example.com"];
    const paths = ["/v1/*", "/v2/*"];
    const run = await runComponent(() => {
      const lb = new LoadBalancer("web", { network, certificateArn: CERT });
      lb.addRule("api", { priority: 100, hosts, paths, targetGroupArn: tg });
    });
    expect(run.named("api", "aws:lb/listenerRule:ListenerRule")!.inputs.conditions).toEqual([
      { hostHeader: { values: hosts } },
      { pathPattern: { values: paths } },
    ]);
  });

  it("rejects listener rules that AWS would refuse or that would catch everything", async () => {
    const ref: LoadBalancerRef = {
      arn: "a",
      arnSuffix: "app/x/1",
      dnsName: "x",
      zoneId: "Z",
      securityGroupId: "sg-1",
      listenerArn: "l",
      protocol: "HTTPS",
      url: "https://x",
    };
    const tg = "tg";
    await expectInvalid(
      () => addListenerRule("r", ref, { priority: 0, hosts: ["a.example.com"], targetGroupArn: tg }),
      /priority is 0/,
    );
    await expectInvalid(
      () => addListenerRule("r", ref, { priority: 1, targetGroupArn: tg }),
      /without conditions/,
    );
    await expectInvalid(
      () => addListenerRule("r", ref, { priority: 1, hosts: ["a", "b", "c", "d"], targetGroupArn: tg }),
      /at most 3 values/,
    );
    await expectInvalid(
      () => addListenerRule("r", ref, { priority: 1, paths: ["api/*"], targetGroupArn: tg }),
      /starting with \//,
    );
    const paths4 = await expectInvalid(
      () => addListenerRule("r", ref, { priority: 1, paths: ["/a", "/b", "/c", "/d"], targetGroupArn: tg }),
      /a condition takes at most 3 values/,
    );
    expect(paths4.field).toBe("paths");
    const six = await expectInvalid(
      () =>
        addListenerRule("r", ref, {
          priority: 1,
          hosts: ["a.example.com", "b.example.com", "c.example.com"],
          paths: ["/a", "/b", "/c"],
          targetGroupArn: tg,
        }),
      /at most 5 host and path values in total/,
    );
    expect(six.field).toBe("paths");
    await expectInvalid(
      () => addListenerRule("r", ref, { priority: 1, hosts: ["-api.example.com"], targetGroupArn: tg }),
      /hosts\[0\] is "-api\.example\.com"; host patterns/,
    );
    await expectInvalid(
      () => addListenerRule("r", ref, { priority: 1, paths: ["/x"], targetGroupArn: tg, listener: "test" }),
      /has no test listener/,
    );
  });
});

describe("LoadBalancer validation", () => {
  const cases: [string, LoadBalancerArgs, RegExp, string][] = [
    [
      "a production ALB without a certificate or an explicit choice",
      { network },
      /allowHttpOnly is undefined; .*set allowHttpOnly: true/,
      "allowHttpOnly",
    ],
    [
      "allowHttpOnly with a certificate",
      { network, certificateArn: CERT, allowHttpOnly: true },
      /remove allowHttpOnly/,
      "allowHttpOnly",
    ],
    [
      "a network without its VPC block",
      { network: { ...network, vpcCidrBlock: undefined }, certificateArn: CERT },
      /egress is limited/,
      "network.vpcCidrBlock",
    ],
    [
      "a single public subnet",
      { network: { ...network, publicSubnetIds: ["subnet-1"] }, certificateArn: CERT },
      /at least two Availability Zones/,
      "network.publicSubnetIds",
    ],
    [
      "a CIDR with host bits set",
      { network, certificateArn: CERT, allowedCidrs: ["10.0.0.1/16"] },
      /allowedCidrs is "10.0.0.1\/16"/,
      "allowedCidrs",
    ],
    [
      "an octet above 255",
      { network, certificateArn: CERT, allowedCidrs: ["300.0.0.0/8"] },
      /a.b.c.d\/n/,
      "allowedCidrs",
    ],
    [
      "a repeated CIDR",
      { network, certificateArn: CERT, allowedCidrs: ["0.0.0.0/0", "0.0.0.0/0"] },
      /only once/,
      "allowedCidrs",
    ],
    [
      "an invalid IPv6 block",
      {
        network: network6,
        certificateArn: CERT,
        ipAddressType: "dualstack",
        allowedIpv6Cidrs: ["2001:db8::/129"],
      },
      /an IPv6 block/,
      "allowedIpv6Cidrs",
    ],
    [
      "IPv6 ranges on an IPv4 ALB",
      { network, certificateArn: CERT, allowedIpv6Cidrs: ["::/0"] },
      /IPv6 ranges need ipAddressType "dualstack" or "dualstack-without-public-ipv4"/,
      "allowedIpv6Cidrs",
    ],
    [
      "a certificate ARN of another service",
      { network, certificateArn: "arn:aws:iam::123456789012:server-certificate/x" },
      /must be an ARN of acm/,
      "certificateArn",
    ],
    [
      "a domain with neither hosted zone nor certificate",
      { network, domain: { name: "app.example.com" } },
      /give domain.hostedZoneId or domain.hostedZoneName, or give certificateArn/,
      "domain.hostedZoneId",
    ],
    [
      "both a zone id and a zone name",
      { network, domain: { name: "app.example.com", hostedZoneId: "Z1", hostedZoneName: "example.com" } },
      /not both/,
      "domain.hostedZoneName",
    ],
    [
      "a domain outside its hosted zone",
      { network, domain: { name: "app.example.org", hostedZoneName: "example.com" } },
      /inside the hosted zone example.com/,
      "domain.name",
    ],
    [
      "an invalid domain name",
      { network, domain: { name: "app_1.example.com", hostedZoneId: "Z1" } },
      /domain.name is "app_1.example.com"/,
      "domain.name",
    ],
    [
      "records without a zone",
      { network, certificateArn: CERT, domain: { name: "app.example.com", createRecords: true } },
      /records need a hosted zone/,
      "domain.createRecords",
    ],
    [
      "a TLS policy without TLS 1.3",
      { network, certificateArn: CERT, sslPolicy: "ELBSecurityPolicy-2016-08" },
      /TLS 1.3 capable/,
      "sslPolicy",
    ],
    [
      "a desync mode of monitor",
      { network, certificateArn: CERT, desyncMitigationMode: "monitor" as never },
      /allowed: "defensive", "strictest"/,
      "desyncMitigationMode",
    ],
    [
      "an idle timeout of 0",
      { network, certificateArn: CERT, idleTimeout: 0 },
      /idleTimeout is 0/,
      "idleTimeout",
    ],
    [
      "an uppercase bucket name",
      { network, certificateArn: CERT, accessLogs: { bucketName: "My-Logs" } },
      /lowercase letters/,
      "accessLogs.bucketName",
    ],
    [
      "a bucket name shaped like an IP address",
      { network, certificateArn: CERT, accessLogs: { bucketName: "192.168.5.4" } },
      /IP address/,
      "accessLogs.bucketName",
    ],
    [
      "a too-short bucket name",
      { network, certificateArn: CERT, accessLogs: { bucketName: "ab" } },
      /3 to 63/,
      "accessLogs.bucketName",
    ],
    [
      "a prefix containing AWSLogs",
      { network, certificateArn: CERT, accessLogs: { prefix: "x/AWSLogs" } },
      /may not contain AWSLogs/,
      "accessLogs.prefix",
    ],
    [
      "a test listener on 443",
      { network, certificateArn: CERT, testListener: { port: 443 } },
      /belong to the main listeners/,
      "testListener.port",
    ],
    [
      "a test listener port above 65535",
      { network, certificateArn: CERT, testListener: { port: 70000 } },
      /testListener.port is 70000/,
      "testListener.port",
    ],
    [
      "a load balancer name over 32 characters",
      { network, certificateArn: CERT, name: "a".repeat(33) },
      /up to 32 letters/,
      "name",
    ],
  ];

  it.each(cases)("rejects %s before creating anything", async (_title, args, message, field) => {
    const err = await expectInvalid(() => new LoadBalancer("web", args), message);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:LoadBalancer 'web': /);
  });
});
