import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunResult, runStack } from "@berth/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const projectDir = join(__dirname, "..");

/** Runs a node script; resolves with its exit code and output (a failing exit is a result, not an error). */
function execBerth(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const dir = mkdtempSync(join(tmpdir(), "berth-platform-config-"));
const P = "berth-platform";

type Config = Record<string, unknown>;
/** The object under a key of the config (a YAML mapping). */
const at = (c: Config, key: string) => c[key] as Config;
const devConfig = (): Config =>
  (parse(readFileSync(join(projectDir, "Pulumi.dev.yaml"), "utf8")) as { config: Config }).config;

/** Pulumi.dev.yaml with one change, as a variant file for `--config-file`. */
function variant(name: string, change: (c: Config) => void): string {
  const config = devConfig();
  change(config);
  const file = join(dir, `Pulumi.dev.${name}.yaml`);
  writeFileSync(file, stringify({ config }));
  return file;
}

interface Case {
  name: string;
  change: (c: Config) => void;
  /** The key the message names, then what it says is allowed. */
  message: RegExp;
}

const invalid: Case[] = [
  {
    name: "a typo in a key inside an object",
    change: (c) => {
      at(c, `${P}:network`).natMod = "none";
    },
    message: /berth-platform:network\.natMod is not a known key; known keys: .*natMode/,
  },
  {
    name: "a typo in a top-level key",
    change: (c) => {
      c[`${P}:netwrok`] = c[`${P}:network`];
      delete c[`${P}:network`];
    },
    message: /berth-platform:netwrok is not a known key; known keys: accountId, owner, costCenter, .*network/,
  },
  {
    name: "a NAT mode that does not exist",
    change: (c) => {
      at(c, `${P}:network`).natMode = "fast";
    },
    message: /berth-platform:network\.natMode is "fast"; allowed: "none", "single", "perAz", "instance"/,
  },
  {
    name: "a dual-stack load balancer on a network without IPv6",
    change: (c) => {
      at(c, `${P}:loadBalancer`).ipAddressType = "dualstack-without-public-ipv4";
    },
    message:
      /berth-platform:loadBalancer\.ipAddressType is "dualstack-without-public-ipv4"; a dual-stack load balancer needs IPv6 in its subnets: set network\.ipv6: true/,
  },
  {
    name: "private tasks in a network without NAT",
    change: (c) => {
      at(c, `${P}:network`).natMode = "none";
    },
    message:
      /berth-platform:tasks\.subnets is "private"; with network\.natMode "none" the private subnets reach nothing/,
  },
  {
    name: "a task placement that does not exist",
    change: (c) => {
      c[`${P}:tasks`] = { subnets: "dmz" };
    },
    message: /berth-platform:tasks\.subnets is "dmz"; allowed: "private", "public"/,
  },
  {
    name: "a Container Insights mode ECS does not offer",
    change: (c) => {
      at(c, `${P}:cluster`).containerInsights = "on";
    },
    message: /berth-platform:cluster\.containerInsights is "on"; allowed: "enabled", "enhanced", "disabled"/,
  },
  {
    name: "too many availability zones",
    change: (c) => {
      at(c, `${P}:network`).availabilityZones = 7;
    },
    message: /berth-platform:network\.availabilityZones is 7; expected a whole number from 2 to 6/,
  },
  {
    name: "a log retention CloudWatch does not offer",
    change: (c) => {
      at(c, `${P}:cluster`).execLogRetentionInDays = 10;
    },
    message: /berth-platform:cluster\.execLogRetentionInDays is 10; allowed: 1, 3, 5, 7, 14, 30, 60, 90/,
  },
  {
    name: "a missing required key",
    change: (c) => {
      delete c[`${P}:costCenter`];
    },
    message: /berth-platform:costCenter is missing; expected a tag value/,
  },
  {
    name: "a missing required key inside an object",
    change: (c) => {
      delete at(c, `${P}:network`).availabilityZones;
    },
    message: /berth-platform:network\.availabilityZones is missing; expected a whole number from 2 to 6/,
  },
  {
    name: "a value of the wrong type",
    change: (c) => {
      at(c, `${P}:network`).availabilityZones = "two";
    },
    message: /berth-platform:network\.availabilityZones is "two"; expected a whole number from 2 to 6/,
  },
  {
    name: "a boolean given as text",
    change: (c) => {
      at(c, `${P}:loadBalancer`).deletionProtection = "no";
    },
    message: /berth-platform:loadBalancer\.deletionProtection is "no"; expected true or false/,
  },
  {
    name: "a CIDR block with host bits set",
    change: (c) => {
      at(c, `${P}:network`).cidrBlock = "10.10.0.1/16";
    },
    message:
      /berth-platform:network\.cidrBlock is "10\.10\.0\.1\/16"; expected an IPv4 block from \/16 to \/24/,
  },
  {
    name: "a VPC block that is too large",
    change: (c) => {
      at(c, `${P}:network`).cidrBlock = "10.0.0.0/8";
    },
    message:
      /berth-platform:network\.cidrBlock is "10\.0\.0\.0\/8"; expected an IPv4 block from \/16 to \/24/,
  },
  {
    name: "a domain that is not a DNS name",
    change: (c) => {
      at(c, `${P}:loadBalancer`).domain = "Hello_World";
      at(c, `${P}:loadBalancer`).hostedZone = "example.com";
    },
    message: /berth-platform:loadBalancer\.domain is "Hello_World"; expected a lower-case DNS name/,
  },
  {
    name: "a domain outside its hosted zone",
    change: (c) => {
      at(c, `${P}:loadBalancer`).domain = "hello.example.org";
      at(c, `${P}:loadBalancer`).hostedZone = "example.com";
    },
    message:
      /berth-platform:loadBalancer\.domain is "hello\.example\.org"; must be inside loadBalancer\.hostedZone "example\.com"/,
  },
  {
    name: "an owner with a newline (AWS refuses it as a tag value)",
    change: (c) => {
      c[`${P}:owner`] = "platform\nteam";
    },
    message:
      /berth-platform:owner is "platform\\nteam"; a tag value is at most 256 characters of Unicode letters, digits, spaces and _ \. : \/ = \+ - @/,
  },
  {
    name: "an owner of ~ (it would become the tag Owner=null)",
    change: (c) => {
      c[`${P}:owner`] = null;
    },
    message: /berth-platform:owner is ~ \(null\); expected a tag value/,
  },
  {
    name: "a cost center longer than a tag value may be",
    change: (c) => {
      c[`${P}:costCenter`] = "C".repeat(257);
    },
    message: /berth-platform:costCenter is "C{257}"; a tag value is at most 256 characters/,
  },
  {
    name: "an account id that is not 12 digits",
    change: (c) => {
      c[`${P}:accountId`] = "12345";
    },
    message: /berth-platform:accountId is "12345"; expected a 12-digit AWS account id/,
  },
  {
    name: "an aws: key the stack's provider would ignore",
    change: (c) => {
      c["aws:skipMetadataApiCheck"] = true;
    },
    message: /aws:skipMetadataApiCheck is not a known key; known keys: region, profile/,
  },
  {
    name: "no region",
    change: (c) => {
      delete c["aws:region"];
    },
    message: /aws:region is missing; expected a region such as "us-east-1"/,
  },
];

const runs = new Map<string, RunResult>();

beforeAll(async () => {
  const results = await Promise.all(
    invalid.map((c) =>
      runStack(projectDir, "dev", {
        configFile: variant(c.name.replace(/\W+/g, "-"), c.change),
        allowError: true,
      }),
    ),
  );
  invalid.forEach((c, i) => {
    runs.set(c.name, results[i]!);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("invalid Pulumi.<env>.yaml files are rejected when the program starts", () => {
  it.each(invalid.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const run = runs.get(c.name)!;
    expect(run.error?.name).toBe("ConfigError");
    // The message names the file the run read (the engine tells the program): the variant.
    expect(run.error?.message.startsWith(`${dir}/Pulumi.dev.${c.name.replace(/\W+/g, "-")}.yaml: `)).toBe(
      true,
    );
    expect(run.error?.message).toMatch(c.message);
    // Nothing was created: not even the provider.
    expect(run.managed).toEqual([]);
    expect(run.ofType("pulumi:providers:aws")).toEqual([]);
  });
});

/**
 * Through `berth preview`, which tells the program which file it read (BERTH_CONFIG_FILE): the
 * message names that file and what it really holds, not the first key it lacks.
 */
describe("a stack file that is not what Pulumi reads, through berth preview --config-file", () => {
  const berth = join(projectDir, "..", "..", "packages", "cli", "bin", "berth.cjs");
  const withAz = (text: string) =>
    readFileSync(join(projectDir, "Pulumi.dev.yaml"), "utf8").replace(
      /availabilityZones: 2/,
      `availabilityZones: ${text}`,
    );
  const cases: [string, string, string][] = [
    [
      "top-level-list",
      "- berth-platform:owner: platform-team\n",
      // Pulumi cannot load such a file at all, and neither can the engine: it stops before the program.
      "the top level is a list; a stack file is a map with a config: key",
    ],
    [
      "top-level-text",
      "berth-platform:owner platform-team\n",
      'the top level is the string "berth-platform:owner platform-team"; a stack file is a map with a config: key',
    ],
    [
      "config-list",
      "config:\n  - berth-platform:owner: platform-team\n",
      "config is a list; it must be a map of keys to values",
    ],
    [
      "nan",
      withAz(".nan"),
      "berth-platform:network.availabilityZones is .nan, which is not a finite number; expected a whole number from 2 to 6",
    ],
    [
      "inf",
      withAz(".inf"),
      "berth-platform:network.availabilityZones is .inf, which is not a finite number; expected a whole number from 2 to 6",
    ],
    [
      "minus-inf",
      withAz("-.inf"),
      "berth-platform:network.availabilityZones is -.inf, which is not a finite number; expected a whole number from 2 to 6",
    ],
    [
      "owner-null",
      readFileSync(join(projectDir, "Pulumi.dev.yaml"), "utf8").replace(/owner: platform-team/, "owner: ~"),
      "berth-platform:owner is ~ (null); expected a tag value: 1 to 256 characters of Unicode letters, digits, spaces and _ . : / = + - @",
    ],
  ];

  it.each(cases)(
    "%s: exit 1, the file given and what it holds, nothing created",
    async (name, text, message) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, text);
      const result = await execBerth([
        berth,
        "preview",
        "-C",
        projectDir,
        "-s",
        "dev",
        "--config-file",
        file,
        "--json",
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`error: ${file}: ${message}\n`);
      const digest = JSON.parse(result.stdout) as { steps: { newState: { type: string } }[] };
      // A file Pulumi cannot load stops the run before the program (no stack resource at all);
      // a bad value stops the program before anything but the stack.
      const structural = ["top-level-list", "top-level-text", "config-list"].includes(name);
      expect(digest.steps.map((s) => s.newState.type)).toEqual(structural ? [] : ["pulumi:pulumi:Stack"]);
    },
  );
});

describe("IPv6: a dual-stack network and load balancer from config", () => {
  it("gives the VPC an Amazon /56 and the ALB no public IPv4 address", async () => {
    const file = variant("ipv6", (c) => {
      at(c, `${P}:network`).ipv6 = true;
      at(c, `${P}:loadBalancer`).ipAddressType = "dualstack-without-public-ipv4";
    });
    const run = await runStack(projectDir, "dev", { configFile: file });
    expect(run.one("awsx:ec2:Vpc").inputs.assignGeneratedIpv6CidrBlock).toBe(true);
    // Public subnets reach the internet over IPv6 through the internet gateway, private subnets
    // through the egress-only gateway (outbound only).
    const eigw = run.one("aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway");
    const v6Routes = run
      .ofType("aws:ec2/route:Route")
      .filter((r) => r.inputs.destinationIpv6CidrBlock === "::/0");
    expect(v6Routes.map((r) => [r.name, r.inputs.gatewayId ?? r.inputs.egressOnlyGatewayId])).toEqual([
      ["platform-public-ipv6-1", expect.stringMatching(/^igw-/)],
      ["platform-public-ipv6-2", expect.stringMatching(/^igw-/)],
      ["platform-private-ipv6-1", eigw.id],
      ["platform-private-ipv6-2", eigw.id],
    ]);
    expect(run.one("aws:lb/loadBalancer:LoadBalancer").inputs.ipAddressType).toBe(
      "dualstack-without-public-ipv4",
    );
    const ingress = run
      .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.inputs.cidrIpv6 === "::/0");
    expect(ingress.length).toBeGreaterThan(0);
  });
});
