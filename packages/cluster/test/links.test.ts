import { emptyGrant, type LinkGrant } from "@berth/core";
import { expectInvalid, type RunResult, runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  ScheduledJob,
  type ScheduledJobArgs,
  WebService,
  type WebServiceArgs,
  WorkerService,
  type WorkerServiceArgs,
} from "../src/index.js";
import {
  cluster,
  IMAGE,
  INGRESS,
  loadBalancer,
  network,
  queue,
  type Statement,
  SVC,
  scCluster,
  statements,
  TD,
} from "./kinds/fixtures.js";

// Grants as the data components build them (a Postgres with its managed master secret, an EFS
// volume through a service's access point), written out so this package stays independent of them.
const DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-db-master-AbCdEf";
const DB_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const API_KEY = "arn:aws:ssm:us-east-1:123456789012:parameter/berth/dev/orders/api-key";
const DB_SG = "sg-0db0000000000000a";
const FS_SG = "sg-0efs000000000000b";
const FS_ID = "fs-0123456789abcdef0";
const FS_ARN = `arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/${FS_ID}`;
const AP_ID = "fsap-0123456789abcdef0";
const AP_ARN = `arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/${AP_ID}`;
const DB_USER_ARN = "arn:aws:rds-db:us-east-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/app";
const CACHE_ARN = "arn:aws:elasticache:us-east-1:123456789012:serverlesscache:ordersdb-1a2b3c4";

function postgres(): LinkGrant {
  return {
    ...emptyGrant(),
    environment: {
      ORDERS_DB_HOST: "orders-db.cluster-abc.us-east-1.rds.amazonaws.com",
      ORDERS_DB_PORT: "5432",
    },
    secrets: { ORDERS_DB_USER: `${DB_SECRET}:username::`, ORDERS_DB_PASSWORD: `${DB_SECRET}:password::` },
    secretKmsKeyArns: [DB_KEY],
    ingress: [{ securityGroupId: DB_SG, port: 5432, description: "Postgres orders-db" }],
  };
}

function files(access: "readwrite" | "read" = "readwrite", path = "/mnt/files"): LinkGrant {
  return {
    ...emptyGrant(),
    taskRoleStatements: [
      {
        Sid: `FILES${access === "read" ? "Read" : "ReadWrite"}`,
        Effect: "Allow",
        Action:
          access === "read"
            ? ["elasticfilesystem:ClientMount"]
            : ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: [FS_ARN],
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": AP_ARN } },
      },
    ],
    environment: { FILES_PATH: path },
    ingress: [{ securityGroupId: FS_SG, port: 2049, description: "NFS to the files volume" }],
    volumes: [
      {
        name: "files",
        fileSystemId: FS_ID,
        accessPointId: AP_ID,
        containerPath: path,
        readOnly: access === "read",
      },
    ],
  };
}

function apiKey(): LinkGrant {
  return { ...emptyGrant(), secrets: { PAYMENTS_API_KEY: API_KEY } };
}

let priority = 700;
const web = (extra: Partial<WebServiceArgs> = {}): WebServiceArgs => ({
  cluster: scCluster,
  network,
  loadBalancer,
  image: IMAGE,
  rule: { priority: priority++, hosts: [`l${priority}.example.com`] },
  ...extra,
});
const worker = (extra: Partial<WorkerServiceArgs> = {}): WorkerServiceArgs => ({
  cluster: scCluster,
  network,
  image: IMAGE,
  queue,
  ...extra,
});
const job = (extra: Partial<ScheduledJobArgs> = {}): ScheduledJobArgs => ({
  cluster,
  network,
  image: IMAGE,
  command: ["node", "nightly.js"],
  schedule: "cron(0 3 * * ? *)",
  ...extra,
});

interface Container {
  name: string;
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
}

function containerDefs(run: RunResult, name?: string): Container[] {
  return run.json(name ? run.one(TD, name) : run.one(TD), "containerDefinitions") as Container[];
}

const sid = (stmts: Statement[], id: string) => stmts.find((s) => s.Sid === id);

/** The execution role's statements: exactly these secrets (json keys dropped) and this key. */
function expectSecretReads(run: RunResult, policy: string): void {
  const stmts = statements(run, policy);
  expect(sid(stmts, "ReadSecrets")).toEqual({
    Sid: "ReadSecrets",
    Effect: "Allow",
    Action: "secretsmanager:GetSecretValue",
    Resource: [DB_SECRET],
  });
  expect(sid(stmts, "ReadParameters")).toEqual({
    Sid: "ReadParameters",
    Effect: "Allow",
    Action: "ssm:GetParameters",
    Resource: [API_KEY],
  });
  expect(sid(stmts, "DecryptSecrets")).toEqual({
    Sid: "DecryptSecrets",
    Effect: "Allow",
    Action: "kms:Decrypt",
    Resource: [DB_KEY],
  });
  // Nothing broader: "*" only for the one ECR action without resource-level permissions.
  const wildcard = stmts.filter(
    (s) => s.Resource === "*" || (Array.isArray(s.Resource) && s.Resource.includes("*")),
  );
  expect(wildcard.map((s) => s.Action)).toEqual(["ecr:GetAuthorizationToken"]);
}

/** The EFS volume in the task definition and its mount in the main container only. */
function expectFilesVolume(run: RunResult, readOnly: boolean, taskDef?: string): void {
  const td = taskDef ? run.one(TD, taskDef) : run.one(TD);
  expect(td.inputs.volumes).toEqual([
    { name: "scratch" },
    {
      name: "files",
      efsVolumeConfiguration: {
        fileSystemId: FS_ID,
        transitEncryption: "ENABLED",
        authorizationConfig: { accessPointId: AP_ID, iam: "ENABLED" },
      },
    },
  ]);
  const [main, ...others] = containerDefs(run, taskDef);
  expect(main!.mountPoints).toEqual([
    { sourceVolume: "scratch", containerPath: "/tmp", readOnly: false },
    { sourceVolume: "files", containerPath: "/mnt/files", readOnly },
  ]);
  for (const c of others) expect(c.mountPoints.map((m) => m.sourceVolume)).not.toContain("files");
}

/** One rule per linked path, on the resource's security group, from the tasks' security group. */
function expectIngress(run: RunResult, service: string, taskSg: string): void {
  const rules = run.ofType(INGRESS).filter((r) => r.name.startsWith(`${service}-link-`));
  expect(rules.map((r) => [r.name, r.inputs])).toEqual([
    [
      `${service}-link-postgres-orders-db-5432`,
      expect.objectContaining({
        securityGroupId: DB_SG,
        referencedSecurityGroupId: taskSg,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        description: `Postgres orders-db from ${service}`,
      }),
    ],
    [
      `${service}-link-nfs-to-the-files-volume-2049`,
      expect.objectContaining({
        securityGroupId: FS_SG,
        referencedSecurityGroupId: taskSg,
        ipProtocol: "tcp",
        fromPort: 2049,
        toPort: 2049,
        description: `NFS to the files volume from ${service}`,
      }),
    ],
  ]);
}

describe("links on a web service", () => {
  it("injects the variables and secrets into the main container, and the execution role reads exactly those secrets", async () => {
    const run = await runComponent(() => {
      new WebService(
        "shop",
        web({ environment: { NODE_ENV: "production" }, links: [postgres(), files(), apiKey()] }),
      );
    });
    const [main] = containerDefs(run);
    expect(main!.environment).toEqual([
      { name: "NODE_ENV", value: "production" },
      { name: "ORDERS_DB_HOST", value: "orders-db.cluster-abc.us-east-1.rds.amazonaws.com" },
      { name: "ORDERS_DB_PORT", value: "5432" },
      { name: "FILES_PATH", value: "/mnt/files" },
    ]);
    expect(main!.secrets).toEqual([
      { name: "ORDERS_DB_USER", valueFrom: `${DB_SECRET}:username::` },
      { name: "ORDERS_DB_PASSWORD", valueFrom: `${DB_SECRET}:password::` },
      { name: "PAYMENTS_API_KEY", valueFrom: API_KEY },
    ]);
    expectSecretReads(run, "shop-execution-policy");
  });

  it("adds the links' statements to the task role, before the user's", async () => {
    const run = await runComponent(() => {
      new WebService(
        "shop",
        web({
          links: [files()],
          taskRoleStatements: [
            { Sid: "Assets", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::assets/*"] },
          ],
        }),
      );
    });
    expect(statements(run, "shop-task-policy")).toEqual([
      {
        Sid: "FILESReadWrite",
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: [FS_ARN],
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": AP_ARN } },
      },
      { Sid: "Assets", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::assets/*"] },
    ]);
  });

  it("mounts the EFS volume through its access point in the main container, on Fargate's LATEST platform", async () => {
    const run = await runComponent(() => {
      new WebService("shop", web({ links: [files()], tracing: true }));
    });
    expectFilesVolume(run, false);
    // Fargate mounts EFS from platform version 1.4.0; unset is LATEST.
    expect(run.one(SVC).inputs.platformVersion).toBeUndefined();
    expect(run.one(SVC).inputs.launchType).toBe("FARGATE");
  });

  it("opens each linked resource's security group to the tasks' one on its port, before the service starts", async () => {
    const run = await runComponent(() => {
      new WebService("shop", web({ links: [postgres(), files()] }));
    });
    const taskSg = run.one("aws:ec2/securityGroup:SecurityGroup", "shop-sg").id!;
    expectIngress(run, "shop", taskSg);
    // The load balancer's rule is still the only ingress on the tasks' own group.
    expect(run.ofType(INGRESS).filter((r) => r.inputs.securityGroupId === taskSg)).toHaveLength(1);
    const svc = run.one(SVC);
    for (const rule of run.ofType(INGRESS).filter((r) => r.name.startsWith("shop-link-"))) {
      expect(svc.dependencies).toContain(rule.urn);
    }
  });

  it("names each rule after its service, so two services linking one resource each get their own", async () => {
    const run = await runComponent(() => {
      new WebService("shop", web({ links: [files()] }));
      new WorkerService("resizer", worker({ links: [files("read")] }));
    });
    const rules = run.ofType(INGRESS).filter((r) => r.inputs.securityGroupId === FS_SG);
    expect(rules.map((r) => r.name)).toEqual([
      "shop-link-nfs-to-the-files-volume-2049",
      "resizer-link-nfs-to-the-files-volume-2049",
    ]);
    const sgs = run.ofType("aws:ec2/securityGroup:SecurityGroup");
    expect(rules.map((r) => r.inputs.referencedSecurityGroupId)).toEqual([
      sgs.find((s) => s.name === "shop-sg")!.id,
      sgs.find((s) => s.name === "resizer-sg")!.id,
    ]);
  });

  it("lets transform.linkIngress change the rules, and a release task inherits the links", async () => {
    const run = await runComponent(() => {
      new WebService(
        "shop",
        web({
          links: [files()],
          release: { command: ["node", "migrate.js"] },
          transform: { linkIngress: (a) => ({ ...a, tags: { Purpose: "nfs" } }) },
        }),
      );
    });
    expect(run.one(INGRESS, "shop-link-nfs-to-the-files-volume-2049").inputs.tags).toEqual({
      Purpose: "nfs",
    });
    expectFilesVolume(run, false, "shop-release-taskdef");
  });

  it("resolves ids and ARNs known only at deployment (another stack's outputs) in the policy, the volume and the rules", async () => {
    const grant = files();
    const late: LinkGrant = {
      ...grant,
      taskRoleStatements: [
        {
          ...grant.taskRoleStatements[0]!,
          Resource: [pulumi.output(FS_ARN)],
          Condition: {
            StringEquals: { "elasticfilesystem:AccessPointArn": pulumi.output(AP_ARN) as unknown as string },
          },
        },
      ],
      ingress: [{ ...grant.ingress[0]!, securityGroupId: pulumi.output(FS_SG) }],
      volumes: [
        { ...grant.volumes[0]!, fileSystemId: pulumi.output(FS_ID), accessPointId: pulumi.output(AP_ID) },
      ],
      secrets: { ORDERS_DB_PASSWORD: pulumi.interpolate`${pulumi.output(DB_SECRET)}:password::` },
    };
    const run = await runComponent(() => {
      new WebService("shop", web({ links: [late] }));
    });
    expect(statements(run, "shop-task-policy")[0]).toMatchObject({
      Resource: [FS_ARN],
      Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": AP_ARN } },
    });
    expectFilesVolume(run, false);
    expect(run.one(INGRESS, "shop-link-nfs-to-the-files-volume-2049").inputs.securityGroupId).toBe(FS_SG);
    expect(sid(statements(run, "shop-execution-policy"), "ReadSecrets")!.Resource).toEqual([DB_SECRET]);
  });

  it("changes nothing without links", async () => {
    const run = await runComponent(() => {
      new WebService("shop", web({ links: [] }));
    });
    expect(run.one(TD).inputs.volumes).toEqual([{ name: "scratch" }]);
    expect(containerDefs(run)[0]!.secrets).toEqual([]);
    expect(run.ofType(INGRESS).filter((r) => r.name.includes("-link-"))).toEqual([]);
  });
});

describe("links on a worker", () => {
  it("gets the variables, secrets, a read-only volume and the paths, next to its queue", async () => {
    const run = await runComponent(() => {
      new WorkerService("resizer", worker({ links: [postgres(), files("read"), apiKey()] }));
    });
    const [main] = containerDefs(run);
    const vars = Object.fromEntries(main!.environment.map((e) => [e.name, e.value]));
    expect(vars).toMatchObject({ QUEUE_URL: queue.url, FILES_PATH: "/mnt/files", ORDERS_DB_PORT: "5432" });
    expect(main!.secrets.map((s) => s.name)).toEqual([
      "ORDERS_DB_USER",
      "ORDERS_DB_PASSWORD",
      "PAYMENTS_API_KEY",
    ]);
    expectSecretReads(run, "resizer-execution-policy");
    expectFilesVolume(run, true);
    expect(statements(run, "resizer-task-policy").map((s) => [s.Sid, s.Action])).toEqual([
      ["ConsumeQueue", expect.any(Array)],
      ["FILESRead", ["elasticfilesystem:ClientMount"]],
    ]);
    expectIngress(run, "resizer", run.one("aws:ec2/securityGroup:SecurityGroup", "resizer-sg").id!);
  });
});

describe("links on a scheduled job", () => {
  it("gets the variables, secrets and volume, and its own security group is admitted before the first run", async () => {
    const run = await runComponent(() => {
      new ScheduledJob("nightly", job({ links: [postgres(), files(), apiKey()] }));
    });
    const [main] = containerDefs(run);
    const vars = Object.fromEntries(main!.environment.map((e) => [e.name, e.value]));
    expect(vars).toMatchObject({ BERTH_TIMEOUT_SECONDS: "3600", FILES_PATH: "/mnt/files" });
    expect(main!.secrets.map((s) => s.name)).toEqual([
      "ORDERS_DB_USER",
      "ORDERS_DB_PASSWORD",
      "PAYMENTS_API_KEY",
    ]);
    expectSecretReads(run, "nightly-execution-policy");
    expectFilesVolume(run, false);
    expect(statements(run, "nightly-task-policy").map((s) => s.Sid)).toEqual(["FILESReadWrite"]);
    const sg = run.one("aws:ec2/securityGroup:SecurityGroup").id!;
    expectIngress(run, "nightly", sg);
    const schedule = run.one("aws:scheduler/schedule:Schedule");
    for (const rule of run.ofType(INGRESS)) expect(schedule.dependencies).toContain(rule.urn);
    // Scheduler's RunTask leaves the platform version unset: LATEST, which mounts EFS.
    expect(
      (schedule.inputs.target as { ecsParameters: Record<string, unknown> }).ecsParameters.platformVersion,
    ).toBeUndefined();
  });
});

describe("invalid links are refused before anything is created", () => {
  const W = "berth:cluster:WebService 'shop': ";
  const cases: [string, Partial<WebServiceArgs>, string, string][] = [
    [
      "a link variable the user sets in environment",
      { environment: { FILES_PATH: "/data" }, links: [files()] },
      `${W}links[0].environment.FILES_PATH is "FILES_PATH"; environment.FILES_PATH sets FILES_PATH too, and one would hide the other: rename your variable or give the linked resource another envPrefix`,
      "links[0].environment.FILES_PATH",
    ],
    [
      "a link secret the user sets in secrets",
      { secrets: { ORDERS_DB_PASSWORD: `${DB_SECRET}:password::` }, links: [postgres()] },
      `${W}links[0].secrets.ORDERS_DB_PASSWORD is "ORDERS_DB_PASSWORD"; secrets.ORDERS_DB_PASSWORD sets ORDERS_DB_PASSWORD too, and one would hide the other: rename your variable or give the linked resource another envPrefix`,
      "links[0].secrets.ORDERS_DB_PASSWORD",
    ],
    [
      "two links with the same variable",
      { links: [files(), { ...emptyGrant(), environment: { FILES_PATH: "/x" } }] },
      `${W}links[1].environment.FILES_PATH is "FILES_PATH"; links[0].environment.FILES_PATH sets FILES_PATH too, and one would hide the other: rename your variable or give the linked resource another envPrefix`,
      "links[1].environment.FILES_PATH",
    ],
    [
      "a variable Berth sets itself",
      { links: [{ ...emptyGrant(), environment: { QUEUE_URL: "https://example" } }] },
      `${W}links[0].environment.QUEUE_URL is "QUEUE_URL"; Berth sets QUEUE_URL itself; give the linked resource another envPrefix`,
      "links[0].environment.QUEUE_URL",
    ],
    [
      "a secret that is not an SSM or Secrets Manager ARN",
      { links: [{ ...emptyGrant(), secrets: { TOKEN: "my-token" } }] },
      `${W}links[0].secrets.TOKEN is "my-token"; must be the full ARN of an SSM parameter`,
      "links[0].secrets.TOKEN",
    ],
    [
      "a secret key given as an alias",
      { links: [{ ...postgres(), secretKmsKeyArns: ["arn:aws:kms:us-east-1:123456789012:alias/db"] }] },
      `${W}links[0].secretKmsKeyArns[0] is "arn:aws:kms:us-east-1:123456789012:alias/db"; must be a KMS key ARN`,
      "links[0].secretKmsKeyArns[0]",
    ],
    [
      "a statement on *",
      {
        links: [
          {
            ...emptyGrant(),
            taskRoleStatements: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }],
          },
        ],
      },
      `${W}links[0].taskRoleStatements[0].Resource is "*"; a link grants actions on its resource's own ARNs, never on *`,
      "links[0].taskRoleStatements[0].Resource",
    ],
    [
      "two links whose statements share an id (e.g. a database orders-db and a cache ordersdb)",
      {
        links: [
          {
            ...emptyGrant(),
            taskRoleStatements: [
              {
                Sid: "ORDERSDBConnect",
                Effect: "Allow",
                Action: ["rds-db:connect"],
                Resource: [DB_USER_ARN],
              },
            ],
          },
          {
            ...emptyGrant(),
            taskRoleStatements: [
              {
                Sid: "ORDERSDBConnect",
                Effect: "Allow",
                Action: ["elasticache:Connect"],
                Resource: [CACHE_ARN],
              },
            ],
          },
        ],
      },
      `${W}links[1].taskRoleStatements[0].Sid is "ORDERSDBConnect"; links[0].taskRoleStatements[0] has the same statement id, and IAM refuses a policy with two`,
      "links[1].taskRoleStatements[0].Sid",
    ],
    [
      "a statement id IAM refuses",
      {
        links: [
          {
            ...emptyGrant(),
            taskRoleStatements: [
              {
                Sid: "orders_db-connect",
                Effect: "Allow",
                Action: ["rds-db:connect"],
                Resource: [DB_USER_ARN],
              },
            ],
          },
        ],
      },
      `${W}links[0].taskRoleStatements[0].Sid is "orders_db-connect"; a statement id of ASCII letters and digits only`,
      "links[0].taskRoleStatements[0].Sid",
    ],
    [
      "a port of 0",
      { links: [{ ...emptyGrant(), ingress: [{ securityGroupId: DB_SG, port: 0, description: "db" }] }] },
      `${W}links[0].ingress[0].port is 0; must be a whole number from 1 to 65535`,
      "links[0].ingress[0].port",
    ],
    [
      "two rules with one description and port",
      {
        links: [
          { ...emptyGrant(), ingress: [{ securityGroupId: DB_SG, port: 5432, description: "db" }] },
          { ...emptyGrant(), ingress: [{ securityGroupId: FS_SG, port: 5432, description: "db" }] },
        ],
      },
      `${W}links[1].ingress[0].description is "db"; links[0].ingress[0] opens port 5432 with the same description`,
      "links[1].ingress[0].description",
    ],
    [
      "a volume named like the scratch volume",
      { links: [{ ...files(), volumes: [{ ...files().volumes[0]!, name: "scratch" }] }] },
      `${W}links[0].volumes[0].name is "scratch"; an ECS volume name (letters, digits, - and _, at most 255) other than "scratch"`,
      "links[0].volumes[0].name",
    ],
    [
      "a volume mounted inside the scratch path",
      { links: [files("readwrite", "/tmp/files")] },
      `${W}links[0].volumes[0].containerPath is "/tmp/files"; the task's scratch volume is mounted at scratchPath (/tmp)`,
      "links[0].volumes[0].containerPath",
    ],
    [
      "a volume path with ..",
      { links: [files("readwrite", "/mnt/../etc")] },
      `${W}links[0].volumes[0].containerPath is "/mnt/../etc"; an absolute path below / without . or .. parts`,
      "links[0].volumes[0].containerPath",
    ],
    [
      "two volumes on one path",
      {
        links: [
          files(),
          {
            ...emptyGrant(),
            volumes: [{ ...files().volumes[0]!, name: "other", containerPath: "/mnt/files/sub" }],
          },
        ],
      },
      `${W}links[1].volumes[0] is {"name":"other","containerPath":"/mnt/files/sub"}; links[0].volumes[0] mounts files at /mnt/files`,
      "links[1].volumes[0]",
    ],
    [
      "an access point that is not an EFS id",
      { links: [{ ...files(), volumes: [{ ...files().volumes[0]!, accessPointId: "ap-1" }] }] },
      `${W}links[0].volumes[0].accessPointId is "ap-1"; an EFS access point id (fsap-…)`,
      "links[0].volumes[0].accessPointId",
    ],
    [
      "something that is not a grant",
      { links: [{ environment: {} } as unknown as LinkGrant] },
      `${W}links[0] is {"environment":{}}; a LinkGrant { taskRoleStatements, environment, secrets, secretKmsKeyArns, ingress, volumes }`,
      "links[0]",
    ],
  ];
  it.each(cases)("%s", async (_title, extra, message, field) => {
    const err = await expectInvalid(() => new WebService("shop", web(extra)), message);
    expect(err.field).toBe(field);
  });

  it("refuses a conflict in a worker and in a job the same way", async () => {
    await expectInvalid(
      () => new WorkerService("resizer", worker({ environment: { FILES_PATH: "/x" }, links: [files()] })),
      "berth:cluster:WorkerService 'resizer': links[0].environment.FILES_PATH is \"FILES_PATH\"; environment.FILES_PATH sets FILES_PATH too",
    );
    await expectInvalid(
      () =>
        new ScheduledJob(
          "nightly",
          job({ links: [{ ...emptyGrant(), environment: { BERTH_TIMEOUT_SECONDS: "1" } }] }),
        ),
      "berth:cluster:ScheduledJob 'nightly': links[0].environment.BERTH_TIMEOUT_SECONDS is \"BERTH_TIMEOUT_SECONDS\"; Berth sets BERTH_TIMEOUT_SECONDS itself",
    );
  });
});
