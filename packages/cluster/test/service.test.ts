import { type RecordedResource, type RunResult, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { fargateMemoryOptions, Service, type ServiceArgs, worstCaseBatchSeconds } from "../src/index.js";
import { cluster, DIGEST, IMAGE, loadBalancer, testListenerArn, web, worker } from "./service-fixtures.js";

interface ContainerDef {
  name: string;
  image: string;
  essential?: boolean;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  portMappings?: { containerPort: number; protocol: string }[];
  environment?: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  command?: string[];
  healthCheck?: {
    command: string[];
    interval: number;
    timeout: number;
    retries: number;
    startPeriod: number;
  };
  stopTimeout?: number;
  readonlyRootFilesystem?: boolean;
  mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  logConfiguration?: { logDriver: string; options: Record<string, string> };
  dependsOn?: { containerName: string; condition: string }[];
  linuxParameters?: { initProcessEnabled?: boolean };
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string>>;
}

const TD = "aws:ecs/taskDefinition:TaskDefinition";
const SVC = "aws:ecs/service:Service";
const TG = "aws:lb/targetGroup:TargetGroup";
const RULE = "aws:lb/listenerRule:ListenerRule";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function containers(run: RunResult): ContainerDef[] {
  return run.json(run.one(TD), "containerDefinitions") as ContainerDef[];
}

function container(run: RunResult, name: string): ContainerDef {
  const found = containers(run).find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

function statements(run: RunResult, policyName: string): Statement[] {
  return (run.json(run.one(ROLE_POLICY, policyName), "policy") as { Statement: Statement[] }).Statement;
}

function sid(stmts: Statement[], id: string): Statement | undefined {
  return stmts.find((s) => s.Sid === id);
}

function svc(run: RunResult): RecordedResource {
  return run.one(SVC);
}

async function create(args: ServiceArgs, name = "web") {
  let service!: Service;
  const run = await runComponent(() => {
    service = new Service(name, args);
    return {
      url: service.url,
      serviceName: service.serviceName,
      alarmNames: service.alarmNames,
      dashboardName: service.dashboardName,
      targetGroupArns: service.targetGroupArns,
      targetGroupArn: service.targetGroupArn,
      logGroupName: service.logGroupName,
      taskRoleArn: service.taskRoleArn,
      executionRoleArn: service.executionRoleArn,
    };
  });
  return { run, service };
}

describe("Service task definition", () => {
  it("runs a digest-pinned image on Fargate ARM64 with a read-only root and a writable scratch volume", async () => {
    const { run } = await create(web());
    const td = run.one(TD);
    expect(td.parent).toBe(run.one("berth:cluster:Service").urn);
    expect(td.inputs.cpu).toBe("256");
    expect(td.inputs.memory).toBe("512");
    expect(td.inputs.networkMode).toBe("awsvpc");
    expect(td.inputs.requiresCompatibilities).toEqual(["FARGATE"]);
    expect(td.inputs.runtimePlatform).toEqual({ cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" });
    expect(td.inputs.volumes).toEqual([{ name: "scratch" }]);
    expect(td.inputs.family).toBe("platform-dev-web");

    const app = container(run, "app");
    expect(app.image).toBe(IMAGE);
    expect(app.essential).toBe(true);
    expect(app.readonlyRootFilesystem).toBe(true);
    expect(app.mountPoints).toEqual([{ sourceVolume: "scratch", containerPath: "/tmp", readOnly: false }]);
    expect(app.portMappings).toEqual([{ containerPort: 8080, protocol: "tcp" }]);
    expect(app.stopTimeout).toBe(10);

    const lg = run.one("aws:cloudwatch/logGroup:LogGroup");
    expect(lg.inputs.name).toBe("/ecs/platform-dev/web");
    expect(lg.inputs.retentionInDays).toBe(30);
    expect(lg.options.protect).toBeFalsy();
    expect(app.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/ecs/platform-dev/web",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "app",
      },
    });
    expect(run.outputs.logGroupName).toBe("/ecs/platform-dev/web");
  });

  it("takes x86, a larger Fargate size, environment, command, a container health check and stopTimeout", async () => {
    const { run } = await create(
      web({
        architecture: "X86_64",
        cpu: 1024,
        memory: 4096,
        port: 3000,
        environment: { NODE_ENV: "production" },
        command: ["node", "server.js"],
        containerHealthCheck: {
          command: ["CMD-SHELL", "wget -qO- localhost:3000/health || exit 1"],
          startPeriod: 15,
        },
        stopTimeout: 30,
        ephemeralStorageGiB: 50,
      }),
    );
    const td = run.one(TD);
    expect(td.inputs.runtimePlatform).toMatchObject({ cpuArchitecture: "X86_64" });
    expect([td.inputs.cpu, td.inputs.memory]).toEqual(["1024", "4096"]);
    expect(td.inputs.ephemeralStorage).toEqual({ sizeInGib: 50 });
    const app = container(run, "app");
    expect(app.environment).toEqual([{ name: "NODE_ENV", value: "production" }]);
    expect(app.command).toEqual(["node", "server.js"]);
    expect(app.portMappings).toEqual([{ containerPort: 3000, protocol: "tcp" }]);
    expect(app.healthCheck).toEqual({
      command: ["CMD-SHELL", "wget -qO- localhost:3000/health || exit 1"],
      interval: 10,
      timeout: 5,
      retries: 3,
      startPeriod: 15,
    });
    expect(app.stopTimeout).toBe(30);
  });

  it("adds sidecars that share the scratch volume and are not essential by default", async () => {
    const { run } = await create(
      web({
        sidecars: [{ name: "proxy", image: `public.ecr.aws/nginx/nginx@${DIGEST}`, cpu: 64, memory: 128 }],
      }),
    );
    const proxy = container(run, "proxy");
    expect(proxy.essential).toBe(false);
    expect(proxy.readonlyRootFilesystem).toBe(true);
    expect(proxy.mountPoints?.[0]?.containerPath).toBe("/tmp");
    expect(proxy.logConfiguration?.options["awslogs-stream-prefix"]).toBe("proxy");
    expect([proxy.cpu, proxy.memory]).toEqual([64, 128]);
  });

  it("runs on the cluster's EC2 capacity provider when asked", async () => {
    const { run } = await create(
      web({
        capacity: "EC2",
        cluster: { ...cluster, ec2CapacityProviderName: "platform-dev-ec2" },
        memory: 700,
      }),
    );
    expect(run.one(TD).inputs.requiresCompatibilities).toEqual(["EC2"]);
    expect(svc(run).inputs.launchType).toBeUndefined();
    expect(svc(run).inputs.capacityProviderStrategies).toEqual([
      { capacityProvider: "platform-dev-ec2", weight: 1 },
    ]);
  });

  it("runs on Fargate Spot through the capacity provider strategy", async () => {
    const { run } = await create(web({ capacity: "FARGATE_SPOT" }));
    expect(run.one(TD).inputs.requiresCompatibilities).toEqual(["FARGATE"]);
    expect(svc(run).inputs.launchType).toBeUndefined();
    expect(svc(run).inputs.capacityProviderStrategies).toEqual([
      { capacityProvider: "FARGATE_SPOT", weight: 1 },
    ]);
  });

  it("logs with a KMS key, a chosen retention and protection when asked", async () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { run } = await create(web({ logs: { retentionInDays: 90, kmsKeyArn: key }, protect: true }));
    const lg = run.one("aws:cloudwatch/logGroup:LogGroup");
    expect(lg.inputs.retentionInDays).toBe(90);
    expect(lg.inputs.kmsKeyId).toBe(key);
    expect(lg.options.protect).toBe(true);
  });
});

describe("Service roles", () => {
  const param = "arn:aws:ssm:us-east-1:123456789012:parameter/hello/api-key";
  const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hello/db-AbCdEf";
  const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  it("lets the execution role read exactly the given secrets, decrypt with exactly the given keys", async () => {
    const { run } = await create(
      web({
        secrets: { API_KEY: param, DB_PASSWORD: `${secret}:password::` },
        secretKmsKeyArns: [key],
      }),
    );
    const stmts = statements(run, "web-execution-policy");
    expect(sid(stmts, "ReadParameters")).toEqual({
      Sid: "ReadParameters",
      Effect: "Allow",
      Action: "ssm:GetParameters",
      Resource: [param],
    });
    expect(sid(stmts, "ReadSecrets")?.Resource).toEqual([secret]);
    expect(sid(stmts, "ReadSecrets")?.Action).toBe("secretsmanager:GetSecretValue");
    expect(sid(stmts, "DecryptSecrets")).toMatchObject({ Action: "kms:Decrypt", Resource: [key] });
    expect(sid(stmts, "EcrPull")?.Resource).toEqual(["arn:aws:ecr:us-east-1:123456789012:repository/hello"]);
    const logsArn = run.one("aws:cloudwatch/logGroup:LogGroup").outputs.arn;
    expect(sid(stmts, "WriteLogs")?.Resource).toEqual([`${logsArn}:log-stream:*`]);
    // Nothing broader: "*" resources only for the one ECR action that has no resource-level permissions.
    const wildcard = stmts.filter(
      (s) => s.Resource === "*" || (Array.isArray(s.Resource) && s.Resource.includes("*")),
    );
    expect(wildcard.map((s) => s.Action)).toEqual(["ecr:GetAuthorizationToken"]);

    const app = container(run, "app");
    expect(app.secrets).toEqual([
      { name: "API_KEY", valueFrom: param },
      { name: "DB_PASSWORD", valueFrom: `${secret}:password::` },
    ]);
  });

  it("grants secret access to nothing when there are no secrets, and only tasks of this account assume the roles", async () => {
    const { run } = await create(web());
    const stmts = statements(run, "web-execution-policy");
    expect(stmts.map((s) => s.Sid)).toEqual(["WriteLogs", "EcrAuth", "EcrPull"]);
    const trust = run.json(run.one(ROLE, "web-execution-role"), "assumeRolePolicy") as {
      Statement: Statement[];
    };
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
    // The task role has no permissions by default.
    expect(run.find((r) => r.type === ROLE_POLICY && r.name === "web-task-policy")).toHaveLength(0);
    const td = run.one(TD);
    expect(td.inputs.taskRoleArn).toBe(run.one(ROLE, "web-task-role").outputs.arn);
    expect(td.inputs.executionRoleArn).toBe(run.one(ROLE, "web-execution-role").outputs.arn);
  });

  it("adds task role statements and the ECS Exec permissions when enabled", async () => {
    const { run } = await create(
      web({
        enableExecuteCommand: true,
        taskRoleStatements: [
          { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::assets/*"] },
        ],
      }),
    );
    const stmts = statements(run, "web-task-policy");
    expect(sid(stmts, "EcsExec")?.Action).toEqual([
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]);
    expect(stmts).toContainEqual({
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::assets/*"],
    });
    expect(svc(run).inputs.enableExecuteCommand).toBe(true);
    // ECS Exec's agent needs a writable root filesystem.
    expect(container(run, "app").readonlyRootFilesystem).toBe(false);
    expect(container(run, "app").linuxParameters).toEqual({ initProcessEnabled: true });
  });
});

describe("Service networking", () => {
  it("admits only the load balancer's security group, on the container port, into private subnets", async () => {
    const { run } = await create(web({ port: 3000 }));
    const sg = run.one("aws:ec2/securityGroup:SecurityGroup");
    expect(sg.inputs.vpcId).toBe("vpc-0abc");
    expect(sg.inputs.ingress).toBeUndefined();
    const ingress = run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(ingress).toHaveLength(1);
    expect(ingress[0]!.inputs).toMatchObject({
      securityGroupId: sg.outputs.id ?? sg.id,
      referencedSecurityGroupId: "sg-0loadbalancer",
      ipProtocol: "tcp",
      fromPort: 3000,
      toPort: 3000,
    });
    expect(ingress[0]!.inputs.cidrIpv4).toBeUndefined();
    expect(svc(run).inputs.networkConfiguration).toEqual({
      subnets: ["subnet-priv1", "subnet-priv2"],
      securityGroups: [sg.id],
      assignPublicIp: false,
    });
  });

  it("puts tasks in public subnets with a public IP in the NAT-less dev mode", async () => {
    const { run } = await create(web({ subnets: "public", securityGroupIds: ["sg-0db"] }));
    expect(svc(run).inputs.networkConfiguration).toMatchObject({
      subnets: ["subnet-pub1", "subnet-pub2"],
      assignPublicIp: true,
    });
    expect((svc(run).inputs.networkConfiguration as { securityGroups: string[] }).securityGroups).toContain(
      "sg-0db",
    );
    // Still nothing but the load balancer may connect.
    expect(run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toHaveLength(1);
  });
});

describe("Service routing", () => {
  it("creates an ip target group with a tuned health check and a short drain", async () => {
    const { run } = await create(web());
    const tg = run.one(TG);
    expect(tg.inputs).toMatchObject({
      targetType: "ip",
      protocol: "HTTP",
      port: 8080,
      vpcId: "vpc-0abc",
      deregistrationDelay: 15,
      slowStart: 0,
    });
    expect(tg.inputs.healthCheck).toEqual({
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: "/health",
      interval: 10,
      timeout: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      matcher: "200-299",
    });
    expect(svc(run).inputs.loadBalancers).toEqual([
      { targetGroupArn: tg.outputs.arn, containerName: "app", containerPort: 8080 },
    ]);
    expect(svc(run).inputs.healthCheckGracePeriodSeconds).toBe(10);
  });

  it("takes health check, drain and slow start settings", async () => {
    const { run } = await create(
      web({
        healthCheck: { path: "/ready", interval: 5, timeout: 3, healthyThreshold: 3, matcher: "200" },
        deregistrationDelaySeconds: 30,
        slowStartSeconds: 60,
      }),
    );
    const tg = run.one(TG);
    expect(tg.inputs.healthCheck).toMatchObject({
      path: "/ready",
      interval: 5,
      timeout: 3,
      healthyThreshold: 3,
      matcher: "200",
    });
    expect(tg.inputs.deregistrationDelay).toBe(30);
    expect(tg.inputs.slowStart).toBe(60);
  });

  it("adds a listener rule by host and path with its priority, and exposes the URL", async () => {
    const { run } = await create(
      web({ rule: { priority: 120, hosts: ["api.example.com"], paths: ["/v1/*"] } }),
    );
    const rule = run.one(RULE);
    expect(rule.inputs.listenerArn).toBe(loadBalancer.listenerArn);
    expect(rule.inputs.priority).toBe(120);
    expect(rule.inputs.conditions).toEqual([
      { hostHeader: { values: ["api.example.com"] } },
      { pathPattern: { values: ["/v1/*"] } },
    ]);
    expect(rule.inputs.actions).toEqual([{ type: "forward", targetGroupArn: run.one(TG).outputs.arn }]);
    expect(rule.options.ignoreChanges ?? []).toEqual([]);
    expect(run.outputs.url).toBe("https://api.example.com/v1/");
  });

  it("accepts ALB's limit of 5 host and path values, 3 per condition", async () => {
    const hosts = ["a.example.com", "b.example.com", "*.c.example.com"];
    const paths = ["/v1/*", "/v2/*"];
    const { run } = await create(web({ rule: { priority: 7, hosts, paths } }));
    expect(run.one(RULE).inputs.conditions).toEqual([
      { hostHeader: { values: hosts } },
      { pathPattern: { values: paths } },
    ]);
  });

  it("routes by path only on the load balancer's own URL", async () => {
    const { run } = await create(web({ rule: { priority: 10, paths: ["/hello/*"] } }));
    expect(run.one(RULE).inputs.conditions).toEqual([{ pathPattern: { values: ["/hello/*"] } }]);
    expect(run.outputs.url).toBe("https://shared.example.com/hello/");
  });

  it("creates a Route 53 alias for the host name", async () => {
    const { run } = await create(web({ dns: { zoneId: "Z0123456789ABC" } }));
    const record = run.one("aws:route53/record:Record");
    expect(record.inputs).toMatchObject({
      zoneId: "Z0123456789ABC",
      name: "api.example.com",
      type: "A",
      aliases: [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }],
    });
    expect(run.outputs.url).toBe("https://api.example.com");
  });

  it("runs a worker without a load balancer: no target group, rule, ingress or URL", async () => {
    const { run } = await create(worker(), "jobs");
    expect(run.ofType(TG)).toHaveLength(0);
    expect(run.ofType(RULE)).toHaveLength(0);
    expect(run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toHaveLength(0);
    expect(run.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")).toHaveLength(1);
    expect(svc(run).inputs.loadBalancers).toBeUndefined();
    expect(svc(run).inputs.healthCheckGracePeriodSeconds).toBeUndefined();
    expect(container(run, "app").portMappings).toEqual([]);
    expect(run.outputs.url).toBeUndefined();
    expect(run.outputs.targetGroupArns).toEqual([]);
    // CPU, memory and running-below-desired alarms; no load balancer alarms, so none rolls back.
    expect(
      run
        .ofType(ALARM)
        .map((a) => a.name)
        .sort(),
    ).toEqual(["jobs-below-desired", "jobs-cpu", "jobs-memory"]);
    expect(svc(run).inputs.alarms).toBeUndefined();
  });
});

describe("Service deployments", () => {
  it("rolls with circuit breaker rollback, alarm rollback and waits for steady state", async () => {
    const { run } = await create(web());
    const s = svc(run);
    expect(s.inputs).toMatchObject({
      cluster: cluster.arn,
      launchType: "FARGATE",
      desiredCount: 2,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentController: { type: "ECS" },
      deploymentConfiguration: { strategy: "ROLLING" },
      waitForSteadyState: true,
      availabilityZoneRebalancing: "ENABLED",
      enableExecuteCommand: false,
    });
    const alarmNames = (s.inputs.alarms as { alarmNames: string[] }).alarmNames;
    expect(s.inputs.alarms).toMatchObject({ enable: true, rollback: true });
    expect(alarmNames).toEqual([
      run.one(ALARM, "web-5xx").outputs.name,
      run.one(ALARM, "web-unhealthy").outputs.name,
    ]);
    expect(s.inputs.taskDefinition).toBe(run.one(TD).outputs.arn);
    // The service waits for its listener rule and the execution role's policy.
    expect(s.dependencies).toContain(run.one(RULE).urn);
    expect(s.dependencies).toContain(run.one(ROLE_POLICY, "web-execution-policy").urn);
    // Never ignore the image: deployments come from the task definition Pulumi manages.
    expect(s.options.ignoreChanges ?? []).toEqual([]);
    expect(run.one(TD).options.ignoreChanges ?? []).toEqual([]);
  });

  it("takes rolling percentages, extra rollback alarms and can turn the safety nets off", async () => {
    const { run } = await create(
      web({
        deployment: {
          minHealthyPercent: 50,
          maxPercent: 150,
          circuitBreaker: false,
          rollbackOnAlarms: false,
          rollbackAlarmNames: ["latency-p99"],
          waitForSteadyState: false,
        },
      }),
    );
    expect(svc(run).inputs).toMatchObject({
      deploymentMinimumHealthyPercent: 50,
      deploymentMaximumPercent: 150,
      deploymentCircuitBreaker: { enable: false, rollback: false },
      alarms: { alarmNames: ["latency-p99"], enable: true, rollback: true },
      waitForSteadyState: false,
    });
  });

  it("wires BLUE_GREEN: alternate target group, production and test rules, infrastructure role", async () => {
    const { run } = await create(
      web({
        loadBalancer: { ...loadBalancer, testListenerArn },
        deployment: { strategy: "BLUE_GREEN", bakeTimeMinutes: 10 },
      }),
    );
    const [blue, green] = run.ofType(TG);
    expect([blue!.name, green!.name]).toEqual(["web-tg", "web-tg-alt"]);
    const prod = run.one(RULE, "web-rule");
    const test = run.one(RULE, "web-test-rule");
    expect(test.inputs.listenerArn).toBe(testListenerArn);
    for (const rule of [prod, test]) {
      expect(rule.inputs.actions).toEqual([
        {
          type: "forward",
          forward: {
            targetGroups: [
              { arn: blue!.outputs.arn, weight: 100 },
              { arn: green!.outputs.arn, weight: 0 },
            ],
          },
        },
      ]);
      // ECS shifts the weights; Pulumi must not reset them.
      expect(rule.options.ignoreChanges).toEqual(["actions"]);
    }
    const infra = run.one(ROLE, "web-infrastructure-role");
    const trust = run.json(infra, "assumeRolePolicy") as { Statement: Statement[] };
    expect(trust.Statement[0]!.Principal).toEqual({ Service: "ecs.amazonaws.com" });
    expect(run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn).toBe(
      "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
    );
    const s = svc(run);
    expect(s.inputs.deploymentConfiguration).toEqual({ strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" });
    expect(s.inputs.loadBalancers).toEqual([
      {
        targetGroupArn: blue!.outputs.arn,
        containerName: "app",
        containerPort: 8080,
        advancedConfiguration: {
          alternateTargetGroupArn: green!.outputs.arn,
          productionListenerRule: prod.outputs.arn,
          testListenerRule: test.outputs.arn,
          roleArn: infra.outputs.arn,
        },
      },
    ]);
    // Alarms watch both target groups, since traffic moves between them.
    const queries = run.one(ALARM, "web-5xx").inputs.metricQueries as {
      metric?: { dimensions: Record<string, string> };
    }[];
    const tgsWatched = new Set(queries.filter((q) => q.metric).map((q) => q.metric!.dimensions.TargetGroup));
    expect(tgsWatched).toEqual(new Set([blue!.outputs.arnSuffix, green!.outputs.arnSuffix]));
    expect(run.outputs.targetGroupArns).toEqual([blue!.outputs.arn, green!.outputs.arn]);
  });

  it("wires CANARY with its percentage and bake times, without a test listener when the load balancer has none", async () => {
    const { run } = await create(
      web({ deployment: { strategy: "CANARY", canary: { percent: 5, bakeTimeMinutes: 10 } } }),
    );
    expect(svc(run).inputs.deploymentConfiguration).toEqual({
      strategy: "CANARY",
      bakeTimeInMinutes: "5",
      canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: "10" },
    });
    expect(run.ofType(RULE)).toHaveLength(1);
    const advanced = (
      svc(run).inputs.loadBalancers as { advancedConfiguration: Record<string, string> }[]
    )[0]!.advancedConfiguration;
    expect(advanced.testListenerRule).toBeUndefined();
    expect(advanced.alternateTargetGroupArn).toBe(run.one(TG, "web-tg-alt").outputs.arn);
  });

  it("wires LINEAR with its step percentage and step bake time", async () => {
    const { run } = await create(web({ deployment: { strategy: "LINEAR", linear: { stepPercent: 10 } } }));
    expect(svc(run).inputs.deploymentConfiguration).toEqual({
      strategy: "LINEAR",
      bakeTimeInMinutes: "5",
      linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: "2" },
    });
    expect(run.ofType(TG)).toHaveLength(2);
    expect(run.one(ROLE, "web-infrastructure-role")).toBeDefined();
  });
});

describe("Service autoscaling", () => {
  it("tracks CPU, memory and requests per target with cooldowns, and lets autoscaling own the count", async () => {
    const { run } = await create(
      web({
        desiredCount: 2,
        scaling: {
          min: 2,
          max: 10,
          cpuTarget: 60,
          memoryTarget: 75,
          requestsPerTarget: 1000,
          scaleInCooldown: 120,
        },
      }),
    );
    const target = run.one("aws:appautoscaling/target:Target");
    const serviceName = svc(run).outputs.name;
    expect(target.inputs).toMatchObject({
      minCapacity: 2,
      maxCapacity: 10,
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/platform-dev/${serviceName}`,
    });
    const policies = run.ofType("aws:appautoscaling/policy:Policy");
    const byName = Object.fromEntries(policies.map((p) => [p.name, p.inputs]));
    expect(Object.keys(byName)).toEqual(["web-scale-cpu", "web-scale-memory", "web-scale-requests"]);
    expect(byName["web-scale-cpu"]).toMatchObject({
      policyType: "TargetTrackingScaling",
      resourceId: `service/platform-dev/${serviceName}`,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: 60,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        scaleInCooldown: 120,
        scaleOutCooldown: 60,
      },
    });
    expect(byName["web-scale-memory"]).toMatchObject({
      targetTrackingScalingPolicyConfiguration: {
        targetValue: 75,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageMemoryUtilization" },
      },
    });
    expect(byName["web-scale-requests"]).toMatchObject({
      targetTrackingScalingPolicyConfiguration: {
        targetValue: 1000,
        predefinedMetricSpecification: {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: `app/shared/0123456789abcdef/${run.one(TG).outputs.arnSuffix}`,
        },
      },
    });
    expect(svc(run).options.ignoreChanges).toEqual(["desiredCount"]);
  });

  it("scales on CPU at 70% by default and adds scheduled actions", async () => {
    const { run } = await create(
      web({
        scaling: {
          max: 4,
          schedules: [
            { name: "night", schedule: "cron(0 20 * * ? *)", min: 1, max: 1, timezone: "Europe/Berlin" },
          ],
        },
        desiredCount: 2,
      }),
    );
    const policies = run.ofType("aws:appautoscaling/policy:Policy");
    expect(policies.map((p) => p.name)).toEqual(["web-scale-cpu"]);
    expect(policies[0]!.inputs).toMatchObject({
      targetTrackingScalingPolicyConfiguration: { targetValue: 70 },
    });
    expect(run.one("aws:appautoscaling/target:Target").inputs.minCapacity).toBe(2);
    const action = run.one("aws:appautoscaling/scheduledAction:ScheduledAction");
    expect(action.inputs).toMatchObject({
      schedule: "cron(0 20 * * ? *)",
      timezone: "Europe/Berlin",
      scalableTargetAction: { minCapacity: 1, maxCapacity: 1 },
    });
  });

  it("creates no autoscaling without scaling and keeps desiredCount managed", async () => {
    const { run } = await create(web({ desiredCount: 3 }));
    expect(run.ofType("aws:appautoscaling/target:Target")).toHaveLength(0);
    expect(svc(run).inputs.desiredCount).toBe(3);
    expect(svc(run).options.ignoreChanges ?? []).toEqual([]);
  });
});

describe("Service observability", () => {
  it("creates 5xx, unhealthy, CPU, memory and below-desired alarms that notify the topic", async () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:alerts";
    const { run } = await create(web({ alarms: { topicArn: topic, http5xxPercent: 2 } }));
    const alarms = run.ofType(ALARM);
    expect(alarms.map((a) => a.name).sort()).toEqual(
      ["web-5xx", "web-unhealthy", "web-cpu", "web-memory", "web-below-desired"].sort(),
    );
    for (const a of alarms) {
      expect(a.inputs.alarmActions).toEqual([topic]);
      expect(a.inputs.okActions).toEqual([topic]);
    }
    const http5xx = run.one(ALARM, "web-5xx");
    expect(http5xx.inputs.threshold).toBe(2);
    const queries = http5xx.inputs.metricQueries as {
      id: string;
      expression?: string;
      returnData?: boolean;
      metric?: { namespace: string; metricName: string; dimensions: Record<string, string> };
    }[];
    const tgSuffix = run.one(TG).outputs.arnSuffix;
    expect(queries.find((q) => q.id === "e0")?.metric).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: { LoadBalancer: "app/shared/0123456789abcdef", TargetGroup: tgSuffix },
    });
    expect(queries.filter((q) => q.returnData).map((q) => q.expression)).toEqual([
      "IF(requests > 10, 100 * errors / requests, 0)",
    ]);
    const cpu = run.one(ALARM, "web-cpu");
    expect(cpu.inputs).toMatchObject({
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      threshold: 85,
      dimensions: { ClusterName: "platform-dev", ServiceName: svc(run).outputs.name },
    });
    expect([...(run.outputs.alarmNames as string[])].sort()).toEqual(
      alarms.map((a) => a.outputs.name).sort(),
    );
  });

  it("creates no alarms with alarms: false", async () => {
    const { run } = await create(web({ alarms: false }));
    expect(run.ofType(ALARM)).toHaveLength(0);
    expect(svc(run).inputs.alarms).toBeUndefined();
    expect(run.outputs.alarmNames).toEqual([]);
  });

  it("builds a dashboard of requests, p50/p99 latency, 5xx, CPU, memory and tasks", async () => {
    const { run } = await create(web());
    const dash = run.one("aws:cloudwatch/dashboard:Dashboard");
    expect(run.outputs.dashboardName).toBe(dash.inputs.dashboardName);
    const body = run.json(dash, "dashboardBody") as {
      widgets: { properties: { title: string; region: string; metrics: (string | { stat: string })[][] } }[];
    };
    const titles = body.widgets.map((w) => w.properties.title);
    expect(titles).toEqual([
      "Requests",
      "Latency p50 / p99 (s)",
      "5xx responses",
      "CPU utilisation (%)",
      "Memory utilisation (%)",
      "Tasks",
    ]);
    expect(body.widgets.every((w) => w.properties.region === "us-east-1")).toBe(true);
    const latency = body.widgets[1]!.properties.metrics;
    expect(latency.map((m) => (m.at(-1) as { stat: string }).stat)).toEqual(["p50", "p99"]);
    expect(latency[0]!.slice(0, 6)).toEqual([
      "AWS/ApplicationELB",
      "TargetResponseTime",
      "LoadBalancer",
      "app/shared/0123456789abcdef",
      "TargetGroup",
      run.one(TG).outputs.arnSuffix,
    ]);
    expect(body.widgets[5]!.properties.metrics[0]!.slice(0, 6)).toEqual([
      "ECS/ContainerInsights",
      "RunningTaskCount",
      "ClusterName",
      "platform-dev",
      "ServiceName",
      svc(run).outputs.name,
    ]);
  });

  it("gives a worker a dashboard without load balancer widgets, and none with dashboard: false", async () => {
    const { run } = await create(worker());
    const body = run.json(run.one("aws:cloudwatch/dashboard:Dashboard"), "dashboardBody") as {
      widgets: { properties: { title: string } }[];
    };
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      "CPU utilisation (%)",
      "Memory utilisation (%)",
      "Tasks",
    ]);
    const off = await create(worker({ dashboard: false }));
    expect(off.run.ofType("aws:cloudwatch/dashboard:Dashboard")).toHaveLength(0);
    expect(off.run.outputs.dashboardName).toBeUndefined();
  });

  it("adds an ADOT collector sidecar for X-Ray traces with only the X-Ray permissions", async () => {
    const { run } = await create(web({ tracing: true }));
    const collector = container(run, "aws-otel-collector");
    expect(collector.image).toBe("public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3");
    expect(collector.essential).toBe(false);
    expect(collector.environment?.[0]?.name).toBe("AOT_CONFIG_CONTENT");
    expect(collector.environment?.[0]?.value).toContain("awsxray");
    const app = container(run, "app");
    expect(app.dependsOn).toEqual([{ containerName: "aws-otel-collector", condition: "START" }]);
    expect(app.environment).toEqual(
      expect.arrayContaining([
        { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://localhost:4318" },
        { name: "OTEL_SERVICE_NAME", value: "web" },
      ]),
    );
    const stmts = statements(run, "web-task-policy");
    expect(stmts.map((s) => s.Sid)).toEqual(["XRayWrite"]);
    expect(stmts[0]!.Action).toContain("xray:PutTraceSegments");
  });
});

describe("Service rollout time", () => {
  it("is about 55 s per batch with the defaults, and AWS's defaults give 480 s", async () => {
    const { service } = await create(web());
    expect(service.worstCaseBatchSeconds).toBe(10 + 2 * 10 + 15 + 10);
    expect(
      worstCaseBatchSeconds({
        startupSeconds: 0,
        healthCheckIntervalSeconds: 30,
        healthyThreshold: 5,
        deregistrationDelaySeconds: 300,
        stopTimeoutSeconds: 30,
      }),
    ).toBe(480);
  });

  it("is 20 s with dev-like settings and under 60 s with prod-like settings", async () => {
    const dev = await create(
      web({
        healthCheck: { interval: 5, timeout: 4 },
        deregistrationDelaySeconds: 5,
        stopTimeout: 5,
        deployment: { healthCheckGracePeriodSeconds: 0 },
      }),
    );
    expect(dev.service.worstCaseBatchSeconds).toBe(20);
    const prod = await create(
      web({
        healthCheck: { interval: 10, healthyThreshold: 2 },
        deregistrationDelaySeconds: 20,
        stopTimeout: 10,
        deployment: { healthCheckGracePeriodSeconds: 5 },
      }),
    );
    expect(prod.service.worstCaseBatchSeconds).toBe(5 + 2 * 10 + 20 + 10);
    expect(prod.service.worstCaseBatchSeconds).toBeLessThan(60);
  });

  it("counts a worker's container health check start period, one interval and the stop timeout", async () => {
    const { service } = await create(
      worker({
        containerHealthCheck: { command: ["CMD", "/bin/true"], startPeriod: 10, interval: 5 },
        stopTimeout: 20,
      }),
    );
    expect(service.worstCaseBatchSeconds).toBe(10 + 5 + 20);
  });
});

describe("Service escape hatches and helpers", () => {
  it("applies transform hooks to its children", async () => {
    const { run } = await create(
      web({
        transform: {
          taskDefinition: (a) => {
            a.pidMode = "task";
          },
          listenerRule: (a) => {
            a.tags = { Route: "api" };
          },
          service: (a, o) => {
            a.propagateTags = "TASK_DEFINITION";
            o.retainOnDelete = true;
          },
          logGroup: (a) => ({ ...a, retentionInDays: 400 }),
        },
      }),
    );
    expect(run.one(TD).inputs.pidMode).toBe("task");
    expect(run.one(RULE).inputs.tags).toEqual({ Route: "api" });
    expect(svc(run).inputs.propagateTags).toBe("TASK_DEFINITION");
    expect(svc(run).options.retainOnDelete).toBe(true);
    expect(run.one("aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays).toBe(400);
  });

  it("tags its children", async () => {
    const { run } = await create(web({ tags: { Team: "payments" } }));
    for (const type of [
      TD,
      SVC,
      TG,
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:ec2/securityGroup:SecurityGroup",
    ]) {
      expect(run.one(type).inputs.tags).toEqual({ Team: "payments" });
    }
  });

  it("accepts a mutable tag only with the explicit dev opt-out, and says so", async () => {
    const { run } = await create(
      web({ image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:dev", allowMutableImageTag: true }),
    );
    expect(container(run, "app").image).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:dev");
    expect(
      run.diagnostics.some((d) => d.severity === "warning" && /allowMutableImageTag/.test(d.message)),
    ).toBe(true);
  });

  it("lists Fargate's memory options per CPU value", () => {
    expect(fargateMemoryOptions(256)).toEqual([512, 1024, 2048]);
    expect(fargateMemoryOptions(512)).toEqual([1024, 2048, 3072, 4096]);
    expect(fargateMemoryOptions(8192)).toEqual([
      16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440,
    ]);
    expect(fargateMemoryOptions(16384).at(0)).toBe(32768);
    expect(fargateMemoryOptions(16384).at(-1)).toBe(122880);
    expect(fargateMemoryOptions(300)).toEqual([]);
  });
});
