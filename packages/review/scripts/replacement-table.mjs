#!/usr/bin/env node
// Regenerates src/replacement-data.ts: for every AWS resource type Berth creates, the input
// properties whose change makes the provider replace the resource.
//
// The Pulumi AWS provider is bridged from the Terraform AWS provider and takes its replacement
// decisions from it: `ForceNew: true` on an SDKv2 attribute, `RequiresReplace()` on a Plugin
// Framework attribute. Pulumi's published schema.json does not carry those flags, so this script
// reads them from the provider's Go source:
//
//   node scripts/replacement-table.mjs <terraform-provider-aws checkout> [source label]
//
// It only reads the Go files as text (nothing is built or run) and writes a data table. Property
// names are converted to Pulumi's (snake_case → camelCase) and checked against the installed
// @pulumi/aws SDK's `<Resource>Args` declarations; names the SDK does not declare are dropped and
// reported. Types the checkout does not have are kept from MANUAL below (with their own source).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Pulumi type token → Terraform resource type. Every AWS type Berth's stacks and awsx create. */
export const TYPES = {
  "aws:acm/certificate:Certificate": "aws_acm_certificate",
  "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
  "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
  "aws:appautoscaling/scheduledAction:ScheduledAction": "aws_appautoscaling_scheduled_action",
  "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
  "aws:autoscaling/group:Group": "aws_autoscaling_group",
  "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
  "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
  "aws:codebuild/project:Project": "aws_codebuild_project",
  "aws:codebuild/webhook:Webhook": "aws_codebuild_webhook",
  "aws:codepipeline/pipeline:Pipeline": "aws_codepipeline",
  "aws:codestarnotifications/notificationRule:NotificationRule":
    "aws_codestarnotifications_notification_rule",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "aws_egress_only_internet_gateway",
  "aws:ec2/eip:Eip": "aws_eip",
  "aws:ec2/flowLog:FlowLog": "aws_flow_log",
  "aws:ec2/instance:Instance": "aws_instance",
  "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
  "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
  "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
  "aws:ec2/route:Route": "aws_route",
  "aws:ec2/routeTable:RouteTable": "aws_route_table",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
  "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
  "aws:ec2/subnet:Subnet": "aws_subnet",
  "aws:ec2/vpc:Vpc": "aws_vpc",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
  "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": "aws_ecr_pull_through_cache_rule",
  "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration":
    "aws_ecr_registry_scanning_configuration",
  "aws:ecr/replicationConfiguration:ReplicationConfiguration": "aws_ecr_replication_configuration",
  "aws:ecr/repository:Repository": "aws_ecr_repository",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "aws_ecr_repository_policy",
  "aws:ecs/capacityProvider:CapacityProvider": "aws_ecs_capacity_provider",
  "aws:ecs/cluster:Cluster": "aws_ecs_cluster",
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "aws_ecs_cluster_capacity_providers",
  "aws:ecs/service:Service": "aws_ecs_service",
  "aws:ecs/taskDefinition:TaskDefinition": "aws_ecs_task_definition",
  "aws:efs/accessPoint:AccessPoint": "aws_efs_access_point",
  "aws:efs/fileSystem:FileSystem": "aws_efs_file_system",
  "aws:efs/mountTarget:MountTarget": "aws_efs_mount_target",
  "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
  "aws:elasticache/serverlessCache:ServerlessCache": "aws_elasticache_serverless_cache",
  "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
  "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
  "aws:iam/role:Role": "aws_iam_role",
  "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive":
    "aws_iam_role_policy_attachments_exclusive",
  "aws:kms/alias:Alias": "aws_kms_alias",
  "aws:kms/key:Key": "aws_kms_key",
  "aws:lb/listener:Listener": "aws_lb_listener",
  "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
  "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
  "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
  "aws:rds/cluster:Cluster": "aws_rds_cluster",
  "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
  "aws:rds/instance:Instance": "aws_db_instance",
  "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
  "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
  "aws:route53/record:Record": "aws_route53_record",
  "aws:s3/bucket:Bucket": "aws_s3_bucket",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
  "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
    "aws_s3_bucket_server_side_encryption_configuration",
  // Pulumi's deprecated name of the same Terraform resource (aws.s3.Bucket since @pulumi/aws 7).
  "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
  "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
  "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
  "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
    "aws_service_discovery_private_dns_namespace",
  "aws:servicediscovery/service:Service": "aws_service_discovery_service",
  "aws:sns/topic:Topic": "aws_sns_topic",
  "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
  "aws:sqs/queue:Queue": "aws_sqs_queue",
  "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
};

/**
 * Types the checkout lacks (added to the provider after it), read by hand from the provider's
 * current source; `source` names the file.
 */
export const MANUAL = {
  "aws:elasticache/serverlessCache:ServerlessCache": {
    replace: [
      "engine",
      "kmsKeyId",
      "majorEngineVersion",
      "name",
      "networkType",
      "snapshotArnsToRestores",
      "subnetIds",
    ],
    nested: [],
    source:
      "hashicorp/terraform-provider-aws internal/service/elasticache/serverless_cache.go (aws_elasticache_serverless_cache: engine, kms_key_id, major_engine_version, name, snapshot_arns_to_restore, subnet_ids RequiresReplace; network_type is not a field of ModifyServerlessCache)",
  },
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": {
    replace: ["roleName"],
    nested: [],
    source:
      "hashicorp/terraform-provider-aws internal/service/iam/role_policy_attachments_exclusive.go (role_name: RequiresReplace)",
  },
};

/** Replacements the provider decides in code (CustomizeDiff / ModifyPlan) rather than per attribute. */
export const CONDITIONAL = {
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
    "changing the source kind (cidrIpv4 / cidrIpv6 / prefixListId / referencedSecurityGroupId) replaces",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
    "changing the destination kind (cidrIpv4 / cidrIpv6 / prefixListId / referencedSecurityGroupId) replaces",
};

// ---------------------------------------------------------------------------------------------
// A small Go scanner: enough to walk schema literals (strings, comments, brace depth).

/** Index just past the brace that closes the one at `open`. */
function matchBrace(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (c === "`") {
      i = text.indexOf("`", i + 1);
    } else if (c === "/" && text[i + 1] === "/") {
      i = text.indexOf("\n", i);
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i) + 1;
    } else if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error("unbalanced braces");
}

/** Text of `body` with every nested `{...}` blanked, so a search sees only this level. */
function topLevel(body) {
  let out = "";
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === "{") {
      const end = matchBrace(body, i);
      out += "{}";
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === "\\" ? 2 : 1;
      out += body.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && body[i + 1] === "/") {
      const j = body.indexOf("\n", i);
      i = j === -1 ? body.length : j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** `names.AttrName` → `name` (the constants' values are the snake_case names). */
function keyName(raw) {
  if (raw.startsWith('"')) return raw.slice(1, -1);
  const m = /^names\.Attr(\w+)$/.exec(raw);
  if (!m) return undefined;
  return m[1]
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** Entries `key: { body }` of a map literal body (SDKv2 or Plugin Framework). */
function entries(mapBody) {
  const out = [];
  const re = /("[a-z0-9_]+"|names\.Attr\w+)\s*:\s*(?:schema\.\w+Attribute\s*|schema\.\w+Block\s*)?\{/g;
  for (let m = re.exec(mapBody); m; m = re.exec(mapBody)) {
    const open = m.index + m[0].length - 1;
    // Only keys at this map's own level: everything before must be balanced.
    const before = topLevel(mapBody.slice(0, m.index));
    if ((before.match(/\{/g) ?? []).length !== (before.match(/\}/g) ?? []).length) continue;
    const end = matchBrace(mapBody, open);
    const key = keyName(m[1]);
    if (key) out.push({ key, body: mapBody.slice(open + 1, end - 1) });
    re.lastIndex = end;
  }
  return out;
}

/** Replacement attributes in a schema map body: top-level names and nested dotted paths. */
function forceNewPaths(mapBody, prefix = "") {
  const found = [];
  for (const { key, body } of entries(mapBody)) {
    const level = topLevel(body);
    const path = prefix + key;
    if (/ForceNew:\s*true/.test(level) || /RequiresReplace\(\)/.test(body.split(/Blocks:|Attributes:/)[0])) {
      found.push(path);
    }
    const nested = /Schema:\s*map\[string\]\*schema\.Schema\{/.exec(body);
    if (nested) {
      const open = nested.index + nested[0].length - 1;
      const inner = body.slice(open + 1, matchBrace(body, open) - 1);
      found.push(...forceNewPaths(inner, `${path}.`));
    }
  }
  return found;
}

function goFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...goFiles(p));
    else if (e.name.endsWith(".go") && !e.name.endsWith("_test.go")) out.push(p);
  }
  return out;
}

/** Schema map body of a Terraform resource type in a checkout, or undefined. */
function schemaOf(files, tfType) {
  // SDKv2: `Factory: ResourceX, TypeName: "aws_x"` in the service's service_package_gen.go.
  for (const f of files.filter((p) => p.endsWith("service_package_gen.go"))) {
    const text = readFileSync(f, "utf8");
    const sdk = text.indexOf("SDKResources(");
    const re = new RegExp(`Factory:\\s*(\\w+),\\s*TypeName:\\s*"${tfType}"`, "g");
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m.index < sdk) continue;
      const dir = dirname(f);
      for (const g of files.filter((p) => dirname(p) === dir)) {
        const src = readFileSync(g, "utf8");
        const fn = new RegExp(`func ${m[1]}\\(\\)\\s*\\*schema\\.Resource\\s*\\{`).exec(src);
        if (!fn) continue;
        const body = src.slice(fn.index, matchBrace(src, fn.index + fn[0].length - 1));
        const map =
          /Schema:\s*(?:func\(\)\s*map\[string\]\*schema\.Schema\s*\{\s*return\s*)?map\[string\]\*schema\.Schema\{/.exec(
            body,
          );
        if (!map) {
          // `Schema: queueSchema,` — a package-level variable.
          const ref = /Schema:\s*(\w+),/.exec(body);
          if (ref) {
            for (const h of files.filter((p) => dirname(p) === dir)) {
              const t = readFileSync(h, "utf8");
              const v = new RegExp(`\\b${ref[1]}\\s*=\\s*map\\[string\\]\\*schema\\.Schema\\{`).exec(t);
              if (!v) continue;
              const o = v.index + v[0].length - 1;
              return { file: h, body: t.slice(o + 1, matchBrace(t, o) - 1) };
            }
          }
          return { file: g, body: "" };
        }
        const open = map.index + map[0].length - 1;
        return { file: g, body: body.slice(open + 1, matchBrace(body, open) - 1) };
      }
    }
  }
  // Plugin Framework: `response.TypeName = "aws_x"`; the schema is in that file or its siblings.
  for (const f of files) {
    const src = readFileSync(f, "utf8");
    if (!new RegExp(`TypeName\\s*=\\s*"${tfType}"`).test(src)) continue;
    const candidates = [f, ...files.filter((p) => dirname(p) === dirname(f) && p !== f)];
    for (const g of candidates) {
      const text = readFileSync(g, "utf8");
      const m = /Attributes:\s*map\[string\]schema\.Attribute\{/.exec(text);
      if (!m) continue;
      if (g !== f && !text.includes(SHARED_BASE)) continue;
      const open = m.index + m[0].length - 1;
      return { file: g, body: text.slice(open + 1, matchBrace(text, open) - 1) };
    }
  }
  return undefined;
}

// vpc_security_group_egress_rule.go shares its base schema with ..._ingress_rule.go through
// `resourceSecurityGroupRule`: a sibling file only counts when it defines that base type.
const SHARED_BASE = "resourceSecurityGroupRule";

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** Terraform attributes Pulumi renames beyond camelCase (provider/resources.go overrides). */
const RENAMES = {
  "aws:cloudwatch/metricAlarm:MetricAlarm": { alarmName: "name" },
};

/**
 * The Pulumi name of a Terraform attribute path: camelCase, Pulumi's renames, and the plural
 * Pulumi gives list and set blocks (`volume` → `volumes`) when the SDK declares that instead.
 */
function pulumiPath(token, tfPath, args) {
  const [head, ...rest] = tfPath.split(".").map(camel);
  let top = RENAMES[token]?.[head] ?? head;
  if (args && !args.has(top) && args.has(`${top}s`)) top = `${top}s`;
  return [top, ...rest].join(".");
}

/** Property names the installed @pulumi/aws declares in `<Resource>Args`. */
function sdkArgs(token) {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("@pulumi/aws/package.json"));
  const [, mod, name] = /^aws:([^/]+)\/([^:]+):(\w+)$/.exec(token) ?? [];
  const file = join(root, mod, `${name}.d.ts`);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  const start = text.indexOf(`export interface ${token.split(":").pop()}Args {`);
  if (start < 0) return undefined;
  const body = text.slice(start, text.indexOf("\n}", start));
  return new Set([...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]));
}

function main() {
  const [checkout, label = "terraform-provider-aws (unlabelled checkout)"] = process.argv.slice(2);
  if (!checkout) {
    console.error(
      "usage: node scripts/replacement-table.mjs <terraform-provider-aws checkout> [source label]",
    );
    process.exit(2);
  }
  const files = goFiles(join(checkout, "internal", "service"));
  const table = {};
  const problems = [];
  for (const [token, tfType] of Object.entries(TYPES)) {
    const schema = schemaOf(files, tfType);
    if (!schema) {
      if (MANUAL[token]) table[token] = MANUAL[token];
      else problems.push(`${token}: ${tfType} not found in the checkout`);
      continue;
    }
    const args = sdkArgs(token);
    const paths = forceNewPaths(schema.body).map((p) => pulumiPath(token, p, args));
    const keep = (p) => !args || args.has(p.split(".")[0]);
    const dropped = paths.filter((p) => !keep(p));
    if (dropped.length) problems.push(`${token}: not in the SDK's Args, dropped: ${dropped.join(", ")}`);
    const kept = paths.filter(keep);
    table[token] = {
      replace: kept.filter((p) => !p.includes(".")).sort(),
      nested: kept.filter((p) => p.includes(".")).sort(),
      source: `${label} ${schema.file.slice(checkout.length + 1).replaceAll("\\", "/")} (${tfType})`,
    };
    if (CONDITIONAL[token]) table[token].conditional = CONDITIONAL[token];
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "replacement-data.ts");
  const header =
    "// Generated by scripts/replacement-table.mjs from the Terraform AWS provider's source\n" +
    "// (ForceNew / RequiresReplace); do not edit by hand. Regenerate with the script.\n\n" +
    'import type { ReplacementEntry } from "./replacement-types.js";\n\n' +
    `export const REPLACEMENT_SOURCE = ${JSON.stringify(label)};\n\n` +
    "export const REPLACEMENT_TABLE: Record<string, ReplacementEntry> = ";
  writeFileSync(out, `${header}${JSON.stringify(table, null, 2)};\n`);
  for (const p of problems) console.error(`replacement-table: ${p}`);
  console.log(`replacement-table: ${Object.keys(table).length} types → ${out}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
