import {
  known,
  type LinkGrant,
  type LinkVolume,
  mergeGrants,
  type PolicyStatement,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { childOpts, type PartScope, type TaskContribution } from "./scope.js";
import { checkEnvAndSecrets, KMS_KEY_ARN, variableBytes } from "./task.js";

/** Escape hatch of what links create. */
export interface LinkTransforms {
  /**
   * Each rule a link opens on a linked resource's security group, from the tasks' security group
   * (`aws.vpc.SecurityGroupIngressRule`).
   */
  linkIngress?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
}

/** Variables Berth itself sets in the main container (a link may not take them). */
export const BERTH_VARIABLES: readonly string[] = [
  "QUEUE_URL",
  "BERTH_TIMEOUT_SECONDS",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_SERVICE_NAME",
];

/** The task's own scratch volume (task.ts); a link's volume may not take its name. */
const SCRATCH_VOLUME = "scratch";
/** ECS volume names: up to 255 letters, numbers, hyphens and underscores (task definition parameters, "volumes"). */
const VOLUME_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CONTAINER_PATH = /^\/[A-Za-z0-9._\-/]*$/;
const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,40}$/;
const ACCESS_POINT_ID = /^fsap-[0-9a-f]{8,40}$/;
/**
 * A security group rule's description: up to 255 characters of a-z, A-Z, 0-9, spaces and
 * `._-:/()#,@[]+=&;{}!$*` (EC2 API reference, "IpRange" / "SecurityGroupRuleRequest").
 */
const RULE_DESCRIPTION = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/;
/**
 * A statement id: ASCII letters and digits only, and unique within the policy (IAM User Guide, "IAM JSON
 * policy elements: Sid": "In IAM, the Sid value must be unique within a JSON policy").
 */
const STATEMENT_ID = /^[A-Za-z0-9]+$/;
/** Bytes a linked EFS volume adds to the task definition (its volume and mount point, ids included). */
const LINK_VOLUME_BYTES = 384;

/** What the task knows when it checks links: the user's variables and what the other parts add. */
export interface LinkContext {
  environment: Record<string, unknown> | undefined;
  secrets: Record<string, unknown> | undefined;
  /** What the other parts add to the main container (tracing, queue, schedule). */
  contributions: TaskContribution[];
  /** The task's scratch mount. */
  scratchPath: string;
}

/** True when one path is the other or lies inside it. */
function nested(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function checkVolume(v: Validator, field: string, vol: LinkVolume, scratchPath: string): void {
  v.check(
    typeof vol.name === "string" && VOLUME_NAME.test(vol.name) && vol.name !== SCRATCH_VOLUME,
    `${field}.name`,
    vol.name,
    `an ECS volume name (letters, digits, - and _, at most 255) other than "${SCRATCH_VOLUME}", the task's own scratch volume`,
  );
  const path = vol.containerPath;
  v.check(
    typeof path === "string" &&
      CONTAINER_PATH.test(path) &&
      path !== "/" &&
      !path.endsWith("/") &&
      path
        .split("/")
        .slice(1)
        .every((p) => p !== "" && p !== "." && p !== ".."),
    `${field}.containerPath`,
    path,
    "an absolute path below / without . or .. parts, e.g. /mnt/files",
  );
  v.check(
    !nested(path, scratchPath),
    `${field}.containerPath`,
    path,
    `the task's scratch volume is mounted at scratchPath (${scratchPath}); mount the volume beside it, not on or inside it`,
  );
  v.matches(`${field}.fileSystemId`, vol.fileSystemId, FILE_SYSTEM_ID, "an EFS file system id (fs-…)");
  v.matches(`${field}.accessPointId`, vol.accessPointId, ACCESS_POINT_ID, "an EFS access point id (fsap-…)");
  v.check(typeof vol.readOnly === "boolean", `${field}.readOnly`, vol.readOnly, "give true or false");
}

/**
 * Checks the links and merges them into one grant. A link's variable may not be set by the user
 * (`environment`, `secrets`), by Berth (`QUEUE_URL`, `BERTH_TIMEOUT_SECONDS`, tracing) or by another
 * link; its secrets are SSM parameter or Secrets Manager ARNs, its keys KMS key ARNs, its statements
 * never on `*` and with statement ids IAM accepts (letters and digits, none used by two links: all
 * land in one task-role policy), its volumes distinct from each other and from the scratch volume,
 * its ingress ports 1 to 65535 with descriptions EC2 accepts. Each error names both sides.
 */
export function resolveLinks(v: Validator, links: LinkGrant[] | undefined, ctx: LinkContext): LinkGrant {
  if (links === undefined) return mergeGrants([]);
  v.check(
    Array.isArray(links),
    "links",
    links,
    "give a list of link grants (what `<resource>.link(access)` returns)",
  );
  const owners = new Map<string, string>();
  for (const key of Object.keys(ctx.environment ?? {})) owners.set(key, `environment.${key}`);
  for (const key of Object.keys(ctx.secrets ?? {})) owners.set(key, `secrets.${key}`);
  for (const c of ctx.contributions) {
    for (const key of Object.keys(c.environment ?? {})) if (!owners.has(key)) owners.set(key, "Berth");
  }
  for (const key of BERTH_VARIABLES) if (!owners.has(key)) owners.set(key, "Berth");
  const volumeOwners: { name: string; path: string; field: string }[] = [];
  const ingressKeys = new Map<string, string>();
  const statementIds = new Map<string, string>();

  links.forEach((g, i) => {
    const f = `links[${i}]`;
    v.check(
      g !== null &&
        typeof g === "object" &&
        ["taskRoleStatements", "environment", "secrets", "secretKmsKeyArns", "ingress", "volumes"].every(
          (k) => k in g,
        ),
      f,
      g,
      "a LinkGrant { taskRoleStatements, environment, secrets, secretKmsKeyArns, ingress, volumes }",
    );
    checkEnvAndSecrets(v, `${f}.`, g.environment, g.secrets);
    for (const [kind, vars] of [
      ["environment", g.environment],
      ["secrets", g.secrets],
    ] as const) {
      for (const key of Object.keys(vars)) {
        const owner = owners.get(key);
        v.check(
          owner === undefined,
          `${f}.${kind}.${key}`,
          key,
          owner === "Berth"
            ? `Berth sets ${key} itself; give the linked resource another envPrefix`
            : `${owner} sets ${key} too, and one would hide the other: rename your variable or give the linked resource another envPrefix`,
        );
        owners.set(key, `${f}.${kind}.${key}`);
      }
    }
    g.secretKmsKeyArns.forEach((k, j) => {
      v.matches(
        `${f}.secretKmsKeyArns[${j}]`,
        k,
        KMS_KEY_ARN,
        "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases cannot scope kms:Decrypt",
      );
    });
    g.taskRoleStatements.forEach((s, j) => {
      const at = `${f}.taskRoleStatements[${j}]`;
      const star = s.Resource.map((r) => known(r)).find((r) => r === "*" || r === "arn:*");
      v.check(
        star === undefined,
        `${at}.Resource`,
        star,
        "a link grants actions on its resource's own ARNs, never on *",
      );
      if (s.Sid === undefined) return;
      v.check(
        typeof s.Sid === "string" && STATEMENT_ID.test(s.Sid),
        `${at}.Sid`,
        s.Sid,
        "a statement id of ASCII letters and digits only (IAM refuses anything else)",
      );
      const other = statementIds.get(s.Sid);
      v.check(
        other === undefined,
        `${at}.Sid`,
        s.Sid,
        `${other} has the same statement id, and IAM refuses a policy with two (both land in the task role's policy): give one of the linked resources another name or envPrefix`,
      );
      statementIds.set(s.Sid, at);
    });
    g.ingress.forEach((ing, j) => {
      const at = `${f}.ingress[${j}]`;
      v.integer(`${at}.port`, ing.port, { min: 1, max: 65535 });
      v.required(
        `${at}.securityGroupId`,
        ing.securityGroupId,
        "the linked resource's security group is required",
      );
      v.matches(
        `${at}.description`,
        ing.description,
        RULE_DESCRIPTION,
        "a security group rule description: at most 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*",
      );
      const key = ingressKey(ing.description, ing.port);
      const other = ingressKeys.get(key);
      v.check(
        other === undefined,
        `${at}.description`,
        ing.description,
        `${other} opens port ${ing.port} with the same description; each rule is named after its description and port, so give them different ones`,
      );
      ingressKeys.set(key, at);
    });
    g.volumes.forEach((vol, j) => {
      const at = `${f}.volumes[${j}]`;
      checkVolume(v, at, vol, ctx.scratchPath);
      const clash = volumeOwners.find((o) => o.name === vol.name || nested(o.path, vol.containerPath));
      v.check(
        clash === undefined,
        at,
        { name: vol.name, containerPath: vol.containerPath },
        `${clash?.field} mounts ${clash?.name} at ${clash?.path}: each linked volume needs its own name and a path not on or inside another's`,
      );
      volumeOwners.push({ name: vol.name, path: vol.containerPath, field: at });
    });
  });
  return mergeGrants(links);
}

/** The task definition bytes a merged grant adds: its variables, secrets and volumes. */
export function linkBytes(grant: LinkGrant): number {
  return (
    variableBytes(grant.environment, "value") +
    variableBytes(grant.secrets, "valueFrom") +
    grant.volumes.length * LINK_VOLUME_BYTES
  );
}

/**
 * What the links add to the task, the way every part adds to it: variables and secrets of the main
 * container, task-role statements (after ECS Exec's and the other parts', before the user's), the
 * secrets' KMS keys for the execution role, and the EFS volumes mounted in the main container.
 */
export function linkContribution(grant: LinkGrant): TaskContribution {
  return {
    environment: grant.environment,
    secrets: grant.secrets,
    secretKmsKeyArns: grant.secretKmsKeyArns,
    statements: grant.taskRoleStatements as unknown as PolicyStatement[],
    volumes: grant.volumes,
    bytes: linkBytes(grant),
  };
}

/** The stable part of a link ingress rule's name: its description, slugged, and its port. */
function ingressKey(description: string, port: number): string {
  const slug = String(description)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${slug || "link"}-${port}`;
}

/**
 * Opens each link's path: a rule on the linked resource's security group admitting TCP on its port
 * from exactly the tasks' security group. Named `<service>-link-<description>-<port>`, so two
 * services (and two resources) never share a rule, and a reordered list renames nothing.
 */
export function createLinkIngress(
  scope: PartScope,
  grant: LinkGrant,
  taskSecurityGroupId: pulumi.Input<string>,
  t: LinkTransforms,
): aws.vpc.SecurityGroupIngressRule[] {
  return grant.ingress.map((ing) => {
    const [args, opts] = transformed(
      t.linkIngress,
      {
        securityGroupId: ing.securityGroupId,
        referencedSecurityGroupId: taskSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: ing.port,
        toPort: ing.port,
        description: `${ing.description} from ${scope.name}`.slice(0, 255),
        tags: scope.tags,
      } as aws.vpc.SecurityGroupIngressRuleArgs,
      childOpts(scope),
    );
    return new aws.vpc.SecurityGroupIngressRule(
      `${scope.name}-link-${ingressKey(ing.description, ing.port)}`,
      args,
      opts,
    );
  });
}
