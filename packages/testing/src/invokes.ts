import { availabilityZones, type CloudContext, type Props } from "./aws.js";
import { hex } from "./hash.js";

/** Elastic Load Balancing account ids per region (for access-log bucket policies in older regions). */
const ELB_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-central-1": "054676820928",
  "eu-north-1": "897822967062",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-south-1": "718504428378",
  "ca-central-1": "985666609251",
  "sa-east-1": "507241528517",
};

export class UnknownInvokeError extends Error {
  constructor(token: string, detail = "") {
    super(
      `The offline engine has no answer for invoke '${token}'${detail}. ` +
        `Give one in the fixtures file under 'invokes' (keyed by the token), or avoid the invoke.`,
    );
    this.name = "UnknownInvokeError";
  }
}

/** Public SSM parameters whose values AWS computes (AMI ids and the like), matched by pattern. */
function ssmParameter(name: string, ctx: CloudContext): string | undefined {
  if (/^\/aws\/service\/(ecs\/optimized-ami|ami-amazon-linux-latest|bottlerocket)\//.test(name)) {
    const ami = `ami-${hex(17, "ami", name, ctx.region)}`;
    if (name.endsWith("/recommended")) {
      return JSON.stringify({
        image_id: ami,
        image_name: `al2023-ami-ecs-hvm-${hex(6, name)}`,
        os: "Amazon Linux 2023",
      });
    }
    return ami;
  }
  return undefined;
}

/**
 * A release pointer (`<prefix>/<env>/<service>/image`) answered from the fixtures' release
 * registry: that service's repository, pinned by a digest of the environment and the service.
 */
function releasePointer(name: string, registry: string | undefined): string | undefined {
  const m = /^(?:\/[^/]+)+\/([a-z0-9-]+)\/([a-z][a-z0-9-]*)\/image$/.exec(name);
  if (!m || !registry) return undefined;
  return `${registry.replace(/\/+$/, "")}/${m[2]}@sha256:${hex(64, "release", m[1]!, m[2]!)}`;
}

export type InvokeFixtures = Record<string, Props>;

/** Answers the data-source invokes a Pulumi program for AWS typically makes. */
export function answerInvoke(
  token: string,
  inputs: Props,
  ctx: CloudContext,
  fixtures: InvokeFixtures,
): Props {
  const fixture = fixtures[token];
  if (fixture) return fixture;
  switch (token) {
    case "aws:index/getAvailabilityZones:getAvailabilityZones": {
      const zones = availabilityZones(ctx);
      return {
        id: ctx.region,
        names: zones.names,
        zoneIds: zones.zoneIds,
        groupNames: [ctx.region],
        state: "available",
      };
    }
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        id: ctx.account,
        accountId: ctx.account,
        arn: `arn:${ctx.partition}:sts::${ctx.account}:assumed-role/berth-offline/offline`,
        userId: `AROA${hex(17, "caller").toUpperCase()}:offline`,
      };
    case "aws:index/getRegion:getRegion":
      return {
        id: ctx.region,
        name: ctx.region,
        region: ctx.region,
        endpoint: `ec2.${ctx.region}.amazonaws.com`,
        description: ctx.region,
      };
    case "aws:index/getPartition:getPartition":
      return {
        id: ctx.partition,
        partition: ctx.partition,
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
      };
    case "aws:ssm/getParameter:getParameter": {
      const name = String(inputs.name ?? "");
      const fromFixture = (
        fixtures["aws:ssm/getParameter:getParameter#values"] as Record<string, string> | undefined
      )?.[name];
      const registry = (
        fixtures["aws:ssm/getParameter:getParameter#releaseRegistry"] as { host?: string } | undefined
      )?.host;
      const value = fromFixture ?? ssmParameter(name, ctx) ?? releasePointer(name, registry);
      if (value === undefined) throw new UnknownInvokeError(token, ` for parameter '${name}'`);
      return {
        id: name,
        name,
        value,
        insecureValue: value,
        type: "String",
        version: 1,
        arn: `arn:${ctx.partition}:ssm:${ctx.region}::parameter${name}`,
        withDecryption: inputs.withDecryption ?? true,
      };
    }
    case "aws:secretsmanager/getSecret:getSecret": {
      // By name or ARN: the secret's full ARN, with the 6 random characters Secrets Manager appends.
      const given = String(inputs.arn ?? inputs.name ?? "");
      if (!given) throw new UnknownInvokeError(token, " without a name or an ARN");
      const name = given.startsWith("arn:")
        ? given
            .split(":")
            .slice(6)
            .join(":")
            .replace(/-[A-Za-z0-9]{6}$/, "")
        : given;
      const suffix = hex(6, "secret", name, ctx.region, ctx.account);
      const arn =
        given.startsWith("arn:") && /-[A-Za-z0-9]{6}$/.test(given)
          ? given
          : `arn:${ctx.partition}:secretsmanager:${ctx.region}:${ctx.account}:secret:${name}-${suffix}`;
      return { id: arn, arn, name, description: "", kmsKeyId: "", policy: "", tags: {} };
    }
    case "aws:ec2/getAmi:getAmi":
      return {
        id: `ami-${hex(17, "ami", JSON.stringify(inputs.filters ?? []), ctx.region)}`,
        imageId: `ami-${hex(17, "ami", JSON.stringify(inputs.filters ?? []), ctx.region)}`,
        architecture: "arm64",
      };
    case "aws:elb/getServiceAccount:getServiceAccount": {
      const region = String(inputs.region ?? ctx.region);
      const account = ELB_ACCOUNTS[region];
      if (!account) throw new UnknownInvokeError(token, ` for region '${region}'`);
      return { id: account, arn: `arn:${ctx.partition}:iam::${account}:root`, region };
    }
    case "aws:route53/getZone:getZone": {
      const zoneName = String(inputs.name ?? "example.com").replace(/\.$/, "");
      const zoneId = `Z${hex(20, "zone", zoneName).toUpperCase()}`;
      return {
        id: zoneId,
        zoneId,
        name: zoneName,
        arn: `arn:${ctx.partition}:route53:::hostedzone/${zoneId}`,
        privateZone: false,
      };
    }
    default:
      throw new UnknownInvokeError(token);
  }
}
