import { runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { Network } from "../src/index.js";
import { decodeUserData, privateRouteTables, vpcInputs, vpcOutput } from "./helpers.js";

const INSTANCE = "aws:ec2/instance:Instance";
const ROUTE = "aws:ec2/route:Route";

describe("NAT modes", () => {
  it("perAz (default): one NAT gateway per zone from awsx, no NAT instance", async () => {
    const run = await runComponent(() => {
      const n = new Network("main");
      return { ips: n.natPublicIps };
    });
    expect(vpcInputs(run).natGateways).toEqual({ strategy: "OnePerAz" });
    expect(vpcOutput<unknown[]>(run, "natGateways")).toHaveLength(3);
    expect(run.outputs.ips).toEqual(vpcOutput<{ publicIp: string }[]>(run, "eips").map((e) => e.publicIp));
    expect(run.outputs.ips).toHaveLength(3);
    expect(run.ofType(INSTANCE)).toHaveLength(0);
    expect(run.ofType(ROUTE)).toHaveLength(0);
  });

  it("single: one NAT gateway for all zones", async () => {
    const run = await runComponent(() => {
      const n = new Network("main", { natMode: "single" });
      return { ips: n.natPublicIps };
    });
    expect(vpcInputs(run).natGateways).toEqual({ strategy: "Single" });
    expect(vpcOutput<unknown[]>(run, "natGateways")).toHaveLength(1);
    expect(run.outputs.ips).toHaveLength(1);
    expect(run.ofType(INSTANCE)).toHaveLength(0);
  });

  it("none (endpoints only): no NAT gateway, no instance, no default route", async () => {
    const run = await runComponent(() => {
      const n = new Network("main", {
        natMode: "none",
        endpointsOnly: true,
        interfaceEndpoints: ["ecr.api", "ecr.dkr", "logs"],
      });
      return { ips: n.natPublicIps };
    });
    expect(vpcInputs(run).natGateways).toEqual({ strategy: "None" });
    expect(vpcOutput<unknown[]>(run, "natGateways")).toHaveLength(0);
    expect(run.outputs.ips).toEqual([]);
    expect(run.ofType(INSTANCE)).toHaveLength(0);
    expect(run.ofType(ROUTE)).toHaveLength(0);
  });

  describe("instance", () => {
    it("creates one hardened t4g.nano NAT instance in the first public subnet, routes every private table to it", async () => {
      const run = await runComponent(() => {
        const n = new Network("main", { cidrBlock: "10.40.0.0/16", natMode: "instance" });
        return { ips: n.natPublicIps };
      });
      expect(vpcInputs(run).natGateways).toEqual({ strategy: "None" });

      const lt = run.one("aws:ec2/launchTemplate:LaunchTemplate");
      expect(lt.inputs.imageId).toBe(
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
      );
      expect(lt.inputs.instanceType).toBe("t4g.nano");
      expect(lt.inputs.metadataOptions).toMatchObject({
        httpTokens: "required",
        httpEndpoint: "enabled",
        httpPutResponseHopLimit: 1,
      });
      expect(lt.inputs.blockDeviceMappings).toEqual([
        {
          deviceName: "/dev/xvda",
          ebs: { encrypted: "true", volumeType: "gp3", deleteOnTermination: "true" },
        },
      ]);
      const userData = decodeUserData(lt);
      expect(userData).toMatch(/^#!\/bin\/bash/);
      expect(userData).toContain("net.ipv4.ip_forward = 1");
      expect(userData).toContain("ip saddr 10.40.0.0/16");
      expect(userData).toContain("masquerade");
      expect(userData).toContain("systemctl enable nftables");

      const [instance, ...others] = run.ofType(INSTANCE);
      expect(others).toHaveLength(0);
      expect(instance!.inputs).toMatchObject({
        sourceDestCheck: false,
        associatePublicIpAddress: true,
        subnetId: vpcOutput<string[]>(run, "publicSubnetIds")[0],
        launchTemplate: { id: lt.outputs.id ?? lt.id },
        metadataOptions: { httpTokens: "required" },
      });

      const sg = run.one("aws:ec2/securityGroup:SecurityGroup", "main-nat");
      expect(instance!.inputs.vpcSecurityGroupIds).toEqual([sg.id]);
      expect(sg.inputs.ingress).toEqual([
        expect.objectContaining({ protocol: "-1", cidrBlocks: ["10.40.0.0/16"] }),
      ]);

      const eip = run.one("aws:ec2/eip:Eip");
      expect(eip.inputs).toMatchObject({ domain: "vpc", instance: instance!.id });
      expect(sg.inputs.tags).toEqual({ Name: "main-nat" });
      expect(instance!.inputs.tags).toEqual({ Name: "main-nat-1" });
      expect(eip.inputs.tags).toEqual({ Name: "main-nat-1" });
      expect(lt.inputs.tagSpecifications).toEqual([
        { resourceType: "instance", tags: { Name: "main-nat" } },
        { resourceType: "volume", tags: { Name: "main-nat" } },
      ]);
      expect(run.outputs.ips).toEqual([eip.outputs.publicIp]);

      const routes = run.ofType(ROUTE);
      expect(routes.map((r) => r.inputs.routeTableId)).toEqual(privateRouteTables(run));
      for (const r of routes) {
        expect(r.inputs).toMatchObject({
          destinationCidrBlock: "0.0.0.0/0",
          networkInterfaceId: instance!.outputs.primaryNetworkInterfaceId,
        });
      }
    });

    it("gives the NAT instance a Session Manager role and nothing more", async () => {
      const run = await runComponent(() => new Network("main", { natMode: "instance" }));
      const role = run.one("aws:iam/role:Role", "main-nat");
      expect(run.json(role, "assumeRolePolicy")).toMatchObject({
        Statement: [
          { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } },
        ],
      });
      expect(run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn).toBe(
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      );
      const profile = run.one("aws:iam/instanceProfile:InstanceProfile");
      expect(run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs.iamInstanceProfile).toEqual({
        arn: profile.outputs.arn,
      });

      const without = await runComponent(
        () => new Network("main", { natMode: "instance", natInstance: { ssmAccess: false } }),
      );
      expect(without.ofType("aws:iam/instanceProfile:InstanceProfile")).toHaveLength(0);
      expect(without.one("aws:ec2/launchTemplate:LaunchTemplate").inputs.iamInstanceProfile).toBeUndefined();
    });

    it.each([
      ["cn-north-1", "aws-cn"],
      ["us-gov-west-1", "aws-us-gov"],
      ["eu-west-1", "aws"],
    ])("attaches the SSM policy of the role's own partition in %s", async (region, partition) => {
      const run = await runComponent(
        () => new Network("main", { natMode: "instance", availabilityZones: 2 }),
        {
          config: { "aws:region": region },
        },
      );
      const role = run.one("aws:iam/role:Role", "main-nat");
      expect(String(role.outputs.arn).startsWith(`arn:${partition}:iam::`)).toBe(true);
      expect(run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn).toBe(
        `arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
      );
    });

    it("perAz: one NAT instance per zone, each zone's private table routes to its own", async () => {
      const run = await runComponent(() => {
        const n = new Network("main", {
          natMode: "instance",
          natInstance: { perAz: true, instanceType: "t4g.micro" },
        });
        return { ips: n.natPublicIps };
      });
      expect(run.one("aws:ec2/launchTemplate:LaunchTemplate").inputs.instanceType).toBe("t4g.micro");
      const instances = run.ofType(INSTANCE);
      expect(instances).toHaveLength(3);
      expect(instances.map((i) => i.inputs.subnetId)).toEqual(vpcOutput<string[]>(run, "publicSubnetIds"));
      const tables = privateRouteTables(run);
      const routes = run.ofType(ROUTE);
      expect(routes).toHaveLength(3);
      routes.forEach((r, i) => {
        expect(r.inputs.routeTableId).toBe(tables[i]);
        expect(r.inputs.networkInterfaceId).toBe(instances[i]!.outputs.primaryNetworkInterfaceId);
      });
      expect(run.ofType("aws:ec2/eip:Eip")).toHaveLength(3);
      expect(instances.map((i) => i.inputs.tags)).toEqual([1, 2, 3].map((n) => ({ Name: `main-nat-${n}` })));
      expect(run.outputs.ips).toHaveLength(3);
    });
  });
});
