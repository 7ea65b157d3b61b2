/** A resource as a rule sees it, in the CrossGuard pack and offline alike. */
export interface PolicySubject {
  type: string;
  name: string;
  urn: string;
  /** Inputs (offline) or the resource's properties (CrossGuard). */
  props: Record<string, unknown>;
}

export interface RuleContext {
  /** `dev`, `staging`, `prod`… */
  environment: string;
}

export type Severity = "critical" | "high" | "medium" | "low";
export type Level = "mandatory" | "advisory";

export interface Violation {
  urn: string;
  name: string;
  message: string;
}

export interface Rule {
  name: string;
  description: string;
  /** The AWS Security Hub (CSPM) control it mirrors, when there is one. */
  control?: string;
  severity: Severity;
  level: Level;
  /** Environments the rule applies in; all when absent. */
  environments?: (env: string) => boolean;
  /** Checks one resource (types it does not look at return []). */
  resource?: (r: PolicySubject, ctx: RuleContext) => string[];
  /** Checks the whole stack (relations between resources). */
  stack?: (rs: PolicySubject[], ctx: RuleContext) => Violation[];
}

const json = (v: unknown): unknown => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};
const list = <T = Record<string, unknown>>(v: unknown): T[] =>
  Array.isArray(json(v)) ? (json(v) as T[]) : [];
const obj = (v: unknown): Record<string, unknown> => {
  const j = json(v);
  return typeof j === "object" && j !== null && !Array.isArray(j) ? (j as Record<string, unknown>) : {};
};
const of = (r: PolicySubject, type: string) => r.type === type;

/** The ARN of a Secrets Manager secret or an SSM parameter: where a secret is kept, not its value. */
const SECRET_REFERENCE = /^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:(secret|parameter)[:/]\S+$/;

const SECRET_NAME =
  /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)|^AWS_ACCESS_KEY_ID$|^AWS_SECRET_ACCESS_KEY$|^ECS_ENGINE_AUTH_DATA$/i;

function containers(r: PolicySubject): Record<string, unknown>[] {
  return list(r.props.containerDefinitions);
}

function statements(doc: unknown): Record<string, unknown>[] {
  const d = obj(doc);
  const s = d.Statement;
  return Array.isArray(s) ? (s as Record<string, unknown>[]) : s ? [s as Record<string, unknown>] : [];
}
const arr = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** Policy documents a resource carries (inline role policies, role policies, managed policies). */
function policyDocs(r: PolicySubject): unknown[] {
  if (
    of(r, "aws:iam/rolePolicy:RolePolicy") ||
    of(r, "aws:iam/policy:Policy") ||
    of(r, "aws:iam/userPolicy:UserPolicy")
  )
    return [r.props.policy];
  if (of(r, "aws:iam/role:Role")) return list(r.props.inlinePolicies).map((p) => p.policy);
  return [];
}

const TLS_POLICIES = /^ELBSecurityPolicy-(TLS13-1-[23]-|FS-1-2-Res-)/;

const ECS_TD = "aws:ecs/taskDefinition:TaskDefinition";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const CB = "aws:codebuild/project:Project";

export const RULES: Rule[] = [
  {
    name: "ecs-no-public-ip",
    description: "ECS services do not assign public IP addresses outside dev.",
    control: "ECS.2",
    severity: "high",
    level: "mandatory",
    environments: (e) => e !== "dev",
    resource: (r) =>
      of(r, "aws:ecs/service:Service") && obj(r.props.networkConfiguration).assignPublicIp === true
        ? ["the service assigns public IP addresses to its tasks (networkConfiguration.assignPublicIp)"]
        : [],
  },
  {
    name: "ecs-read-only-root-filesystem",
    description: "ECS containers have a read-only root filesystem.",
    control: "ECS.5",
    severity: "high",
    level: "mandatory",
    resource: (r) =>
      of(r, ECS_TD)
        ? containers(r)
            .filter((c) => c.readonlyRootFilesystem !== true)
            .map(
              (c) => `container '${String(c.name)}' has a writable root filesystem (readonlyRootFilesystem)`,
            )
        : [],
  },
  {
    name: "ecs-not-privileged",
    description: "ECS containers do not run privileged.",
    control: "ECS.4",
    severity: "high",
    level: "mandatory",
    resource: (r) =>
      of(r, ECS_TD)
        ? containers(r)
            .filter((c) => c.privileged === true)
            .map((c) => `container '${String(c.name)}' runs privileged`)
        : [],
  },
  {
    name: "ecs-logging",
    description: "ECS containers have a logging configuration.",
    control: "ECS.9",
    severity: "high",
    level: "mandatory",
    resource: (r) =>
      of(r, ECS_TD)
        ? containers(r)
            .filter((c) => !obj(c.logConfiguration).logDriver)
            .map((c) => `container '${String(c.name)}' has no logConfiguration`)
        : [],
  },
  {
    name: "ecs-no-secrets-in-environment",
    description: "Secrets reach ECS containers through `secrets`, never plain `environment`.",
    control: "ECS.8",
    severity: "high",
    level: "mandatory",
    resource: (r) =>
      of(r, ECS_TD)
        ? containers(r).flatMap((c) =>
            list<{ name?: string; value?: string }>(c.environment)
              // A secret's ARN (where to read it, e.g. after a rotation) is a reference, not the secret.
              .filter(
                (e) => SECRET_NAME.test(String(e.name)) && !SECRET_REFERENCE.test(String(e.value ?? "")),
              )
              .map(
                (e) =>
                  `container '${String(c.name)}' passes '${String(e.name)}' as a plain environment variable`,
              ),
          )
        : [],
  },
  {
    name: "ecs-container-insights",
    description: "ECS clusters have Container Insights on.",
    control: "ECS.12",
    severity: "medium",
    level: "advisory",
    resource: (r) =>
      of(r, "aws:ecs/cluster:Cluster") &&
      !list<{ name?: string; value?: string }>(r.props.settings).some(
        (s) => s.name === "containerInsights" && (s.value === "enabled" || s.value === "enhanced"),
      )
        ? ["Container Insights is off (settings containerInsights)"]
        : [],
  },
  {
    name: "ecr-immutable-tags",
    description: "ECR repositories have immutable tags (exclusions allowed).",
    control: "ECR.2",
    severity: "medium",
    level: "advisory",
    resource: (r) =>
      of(r, "aws:ecr/repository:Repository") &&
      !String(r.props.imageTagMutability ?? "MUTABLE").startsWith("IMMUTABLE")
        ? ["image tags are mutable (imageTagMutability)"]
        : [],
  },
  {
    name: "ecr-scan-on-push",
    description: "ECR images are scanned on push (by the repository or a registry scanning configuration).",
    control: "ECR.1",
    severity: "high",
    level: "mandatory",
    stack: (rs) => {
      if (rs.some((r) => of(r, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")))
        return [];
      return rs
        .filter(
          (r) =>
            of(r, "aws:ecr/repository:Repository") &&
            obj(r.props.imageScanningConfiguration).scanOnPush !== true,
        )
        .map((r) => ({
          urn: r.urn,
          name: r.name,
          message: "images are not scanned on push (imageScanningConfiguration.scanOnPush)",
        }));
    },
  },
  {
    name: "ecr-lifecycle-policy",
    description: "ECR repositories have a lifecycle policy.",
    control: "ECR.3",
    severity: "medium",
    level: "advisory",
    stack: (rs) => {
      const repos = rs.filter((r) => of(r, "aws:ecr/repository:Repository"));
      const covered = new Set(
        rs
          .filter((r) => of(r, "aws:ecr/lifecyclePolicy:LifecyclePolicy"))
          .map((r) => String(r.props.repository)),
      );
      return repos
        .filter((r) => !covered.has(String(r.props.name)) && !covered.has(String(r.props.id ?? "")))
        .map((r) => ({ urn: r.urn, name: r.name, message: "the repository has no lifecycle policy" }));
    },
  },
  {
    name: "ecr-kms",
    description: "ECR repositories are encrypted with KMS.",
    severity: "low",
    level: "advisory",
    resource: (r) =>
      of(r, "aws:ecr/repository:Repository") &&
      !list<{ encryptionType?: string }>(r.props.encryptionConfigurations).some(
        (e) => e.encryptionType === "KMS",
      )
        ? ["the repository is not encrypted with KMS (encryptionConfigurations)"]
        : [],
  },
  {
    name: "alb-http-to-https",
    description: "HTTP listeners redirect to HTTPS.",
    control: "ELB.1",
    severity: "medium",
    level: "mandatory",
    resource: (r) => {
      if (!of(r, "aws:lb/listener:Listener") || r.props.protocol !== "HTTP") return [];
      const redirects = list<{ type?: string; redirect?: { protocol?: string } }>(
        r.props.defaultActions,
      ).some((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS");
      return redirects ? [] : ["the HTTP listener does not redirect to HTTPS"];
    },
  },
  {
    name: "alb-tls-policy",
    description: "HTTPS listeners use a TLS 1.2+/1.3 security policy.",
    control: "ELB.17",
    severity: "medium",
    level: "mandatory",
    resource: (r) =>
      of(r, "aws:lb/listener:Listener") &&
      r.props.protocol === "HTTPS" &&
      !TLS_POLICIES.test(String(r.props.sslPolicy ?? ""))
        ? [
            `the HTTPS listener's sslPolicy '${String(r.props.sslPolicy ?? "(default)")}' is not a recommended TLS 1.2+/1.3 policy`,
          ]
        : [],
  },
  {
    name: "alb-drop-invalid-headers",
    description: "Application load balancers drop invalid header fields.",
    control: "ELB.4",
    severity: "medium",
    level: "mandatory",
    resource: (r) =>
      of(r, LB) &&
      String(r.props.loadBalancerType ?? "application") === "application" &&
      r.props.dropInvalidHeaderFields !== true
        ? ["invalid header fields are not dropped (dropInvalidHeaderFields)"]
        : [],
  },
  {
    name: "alb-desync-mitigation",
    description: "Application load balancers use defensive or strictest desync mitigation.",
    control: "ELB.12",
    severity: "medium",
    level: "mandatory",
    resource: (r) =>
      of(r, LB) &&
      String(r.props.loadBalancerType ?? "application") === "application" &&
      !["defensive", "strictest"].includes(String(r.props.desyncMitigationMode ?? "defensive"))
        ? [`desyncMitigationMode is '${String(r.props.desyncMitigationMode)}'`]
        : [],
  },
  {
    name: "alb-deletion-protection",
    description: "Load balancers in prod have deletion protection.",
    control: "ELB.6",
    severity: "medium",
    level: "mandatory",
    environments: (e) => e === "prod",
    resource: (r) =>
      of(r, LB) && r.props.enableDeletionProtection !== true
        ? ["deletion protection is off (enableDeletionProtection)"]
        : [],
  },
  {
    name: "alb-access-logs",
    description: "Load balancers in prod write access logs.",
    control: "ELB.5",
    severity: "medium",
    level: "mandatory",
    environments: (e) => e === "prod",
    resource: (r) =>
      of(r, LB) && obj(r.props.accessLogs).enabled !== true ? ["access logs are off (accessLogs)"] : [],
  },
  {
    name: "vpc-flow-logs",
    description: "Every VPC has flow logs.",
    control: "EC2.6",
    severity: "medium",
    level: "mandatory",
    stack: (rs) => {
      const logged = new Set(
        rs.filter((r) => of(r, "aws:ec2/flowLog:FlowLog")).map((r) => String(r.props.vpcId)),
      );
      return rs
        .filter((r) => of(r, "aws:ec2/vpc:Vpc") || of(r, "awsx:ec2:Vpc"))
        .filter((r) => !logged.has(String(r.props.vpcId ?? r.props.id ?? "")))
        .map((r) => ({ urn: r.urn, name: r.name, message: "the VPC has no flow log" }));
    },
  },
  {
    name: "vpc-default-security-group-closed",
    description: "The default security group allows no traffic.",
    control: "EC2.2",
    severity: "high",
    level: "mandatory",
    resource: (r) =>
      of(r, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup") &&
      (list(r.props.ingress).length > 0 || list(r.props.egress).length > 0)
        ? ["the default security group has rules"]
        : [],
  },
  {
    name: "codebuild-privileged-only-for-images",
    description: "CodeBuild runs privileged only for image builds.",
    control: "CodeBuild.5",
    severity: "high",
    level: "mandatory",
    resource: (r) => {
      if (!of(r, CB) || obj(r.props.environment).privilegedMode !== true) return [];
      const vars = list<{ name?: string }>(obj(r.props.environment).environmentVariables).map((v) =>
        String(v.name),
      );
      const image =
        vars.includes("DOCKERFILE") ||
        vars.includes("IMAGE_REPO_URI") ||
        /image/i.test(`${r.name} ${String(r.props.description ?? "")}`);
      return image ? [] : ["privileged mode is on for a project that does not build images"];
    },
  },
  {
    name: "codebuild-no-plaintext-secrets",
    description: "CodeBuild environment variables carry no credentials in plain text.",
    control: "CodeBuild.2",
    severity: "critical",
    level: "mandatory",
    resource: (r) =>
      of(r, CB)
        ? list<{ name?: string; type?: string }>(obj(r.props.environment).environmentVariables)
            .filter((v) => (v.type ?? "PLAINTEXT") === "PLAINTEXT" && SECRET_NAME.test(String(v.name)))
            .map(
              (v) =>
                `'${String(v.name)}' is a plain-text environment variable (use PARAMETER_STORE or SECRETS_MANAGER)`,
            )
        : [],
  },
  {
    name: "codebuild-logs",
    description: "CodeBuild projects log to CloudWatch or S3.",
    control: "CodeBuild.4",
    severity: "medium",
    level: "mandatory",
    resource: (r) => {
      if (!of(r, CB)) return [];
      const l = obj(r.props.logsConfig);
      const cw = obj(l.cloudwatchLogs).status;
      const s3 = obj(l.s3Logs).status;
      return (cw ?? "ENABLED") === "ENABLED" || s3 === "ENABLED"
        ? []
        : ["the project's logs are disabled (logsConfig)"];
    },
  },
  {
    name: "iam-no-admin",
    description: "No IAM policy allows `*` on `*`.",
    control: "IAM.1",
    severity: "high",
    level: "mandatory",
    resource: (r) =>
      policyDocs(r).some((d) =>
        statements(d).some(
          (s) => s.Effect === "Allow" && arr(s.Action).includes("*") && arr(s.Resource).includes("*"),
        ),
      )
        ? ["a policy allows every action on every resource"]
        : [],
  },
  {
    name: "iam-no-passrole-star",
    description: "No IAM policy allows iam:PassRole on every role.",
    severity: "high",
    level: "mandatory",
    resource: (r) =>
      policyDocs(r).some((d) =>
        statements(d).some(
          (s) =>
            s.Effect === "Allow" &&
            arr(s.Action).some((a) => /^iam:(PassRole|\*)$/i.test(a)) &&
            arr(s.Resource).includes("*"),
        ),
      )
        ? ['a policy allows iam:PassRole on every role (Resource "*")']
        : [],
  },
  {
    name: "s3-public-access-block",
    description: "Every bucket blocks public access.",
    control: "S3.8",
    severity: "high",
    level: "mandatory",
    stack: (rs) => {
      const blocked = new Set(
        rs
          .filter(
            (r) =>
              of(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock") &&
              ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every(
                (k) => r.props[k] === true,
              ),
          )
          .map((r) => String(r.props.bucket)),
      );
      return rs
        .filter((r) => of(r, "aws:s3/bucket:Bucket") || of(r, "aws:s3/bucketV2:BucketV2"))
        .filter(
          (r) =>
            !blocked.has(String(r.props.bucket ?? r.props.id ?? "")) &&
            !blocked.has(String(r.props.id ?? "")),
        )
        .map((r) => ({
          urn: r.urn,
          name: r.name,
          message: "the bucket has no public access block with all four settings on",
        }));
    },
  },
  {
    name: "s3-tls-only",
    description: "Every bucket policy denies requests without TLS.",
    control: "S3.5",
    severity: "medium",
    level: "mandatory",
    stack: (rs) => {
      const tls = new Set(
        rs
          .filter((r) => of(r, "aws:s3/bucketPolicy:BucketPolicy"))
          .filter((r) =>
            statements(r.props.policy).some(
              (s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes("aws:SecureTransport"),
            ),
          )
          .map((r) => String(r.props.bucket)),
      );
      return rs
        .filter((r) => of(r, "aws:s3/bucket:Bucket") || of(r, "aws:s3/bucketV2:BucketV2"))
        .filter((r) => !tls.has(String(r.props.bucket ?? "")) && !tls.has(String(r.props.id ?? "")))
        .map((r) => ({
          urn: r.urn,
          name: r.name,
          message: "no bucket policy denies requests without TLS (aws:SecureTransport)",
        }));
    },
  },
];
