import {
  arnParts,
  assumeRolePolicy,
  mergeTags,
  type PolicyStatement,
  policyDocument,
  transformed,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { aliasTo, ruleConditions } from "./listener-rules.js";
import type { ServiceArgs } from "./service-args.js";
import {
  ADOT_XRAY_CONFIG,
  EXEC_STATEMENT,
  execAuditStatements,
  executionPolicy,
  infrastructurePolicyArn,
  XRAY_STATEMENT,
} from "./service-iam.js";
import {
  belowDesiredQueries,
  dashboardBody,
  http5xxRateQueries,
  unhealthyTargetQueries,
} from "./service-observability.js";
import {
  containerHealthCheck,
  SERVICE_TYPE,
  TRACING_CONTAINER,
  validateService,
} from "./service-validate.js";

export { describeFargateMemory, FARGATE_CPU_VALUES, fargateMemoryOptions } from "./fargate.js";
export * from "./service-args.js";
export { dashboardBody, type MetricKeys } from "./service-observability.js";
export { type RolloutTiming, worstCaseBatchSeconds } from "./service-rollout.js";
export { DEFAULT_TRACING_IMAGE } from "./service-validate.js";

const SCRATCH_VOLUME = "scratch";

/**
 * What Pulumi leaves alone on the ECS service after creating it. Autoscaling owns `desiredCount`.
 * With BLUE_GREEN, CANARY and LINEAR, ECS owns the load balancer block: each deployment moves
 * production traffic to the other target group and ECS remembers which one is live, so re-sending
 * the declared pair on a later `pulumi up` (which the provider does whenever its recorded state
 * differs from the program) would tell ECS that the idle group is production
 * (hashicorp/terraform-provider-aws#45678). The listener rules ignore their forward weights for
 * the same reason.
 */
export function serviceIgnoreChanges(scaling: boolean, trafficShifting: boolean): string[] {
  return [...(scaling ? ["desiredCount"] : []), ...(trafficShifting ? ["loadBalancers"] : [])];
}

type Env = Record<string, pulumi.Input<string>>;

function pairs(env: Env | undefined): { name: string; value: pulumi.Input<string> }[] {
  return Object.entries(env ?? {}).map(([name, value]) => ({ name, value }));
}

function secretRefs(secrets: Env | undefined): { name: string; valueFrom: pulumi.Input<string> }[] {
  return Object.entries(secrets ?? {}).map(([name, valueFrom]) => ({ name, valueFrom }));
}

/**
 * A production ECS service for one container image: task definition (Fargate ARM64 by default,
 * read-only root filesystem, digest-pinned image), least-privilege execution and task roles, a task
 * security group that admits only the load balancer, a target group and listener rule on the shared
 * load balancer, rolling or ECS native blue/green, canary and linear deployments with circuit
 * breaker and alarm rollback, autoscaling, alarms, a dashboard and optional X-Ray tracing.
 *
 * @example
 * const web = new Service("web", {
 *   cluster, network, loadBalancer,
 *   image: release.value, // "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:…"
 *   port: 8080,
 *   rule: { priority: 100, hosts: ["app.example.com"] },
 *   secrets: { DATABASE_URL: dbSecret.arn },
 *   scaling: { min: 2, max: 10 },
 * });
 * export const url = web.url;
 */
export class Service extends pulumi.ComponentResource {
  /** Name of the ECS service. */
  readonly serviceName: pulumi.Output<string>;
  /** ARN of the ECS service. */
  readonly serviceArn: pulumi.Output<string>;
  /** Where the service answers (`https://<host><path>`), undefined for a worker. */
  readonly url: pulumi.Output<string | undefined>;
  /** ARN of the current task definition revision. */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** ARN of the role the application runs as. */
  readonly taskRoleArn: pulumi.Output<string>;
  /** ARN of the role ECS uses to pull images, read secrets and write logs. */
  readonly executionRoleArn: pulumi.Output<string>;
  /** The log group of all containers. */
  readonly logGroupName: pulumi.Output<string>;
  /** The tasks' security group. */
  readonly securityGroupId: pulumi.Output<string>;
  /** The (primary) target group; undefined for a worker. */
  readonly targetGroupArn: pulumi.Output<string | undefined>;
  /** All target groups: one for rolling deployments, two (primary, alternate) for blue/green, canary and linear. */
  readonly targetGroupArns: pulumi.Output<string[]>;
  /** The production listener rule; undefined for a worker. */
  readonly listenerRuleArn: pulumi.Output<string | undefined>;
  /** Names of the service's CloudWatch alarms. */
  readonly alarmNames: pulumi.Output<string[]>;
  /** Name of the service's CloudWatch dashboard; undefined when `dashboard: false`. */
  readonly dashboardName: pulumi.Output<string | undefined>;
  /**
   * Worst-case seconds one replacement batch of a rolling deployment takes with the configured
   * settings: startup (grace period) + healthy threshold × interval + deregistration delay + stop
   * timeout. See {@link worstCaseBatchSeconds}.
   */
  readonly worstCaseBatchSeconds: number;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = validateService(name, args);
    super(SERVICE_TYPE, name, {}, opts);
    this.worstCaseBatchSeconds = r.worstCaseBatchSeconds;
    const t = args.transform ?? {};
    const lb = args.loadBalancer;
    const tags = mergeTags(args.tags);
    const parts = pulumi.output(args.cluster.arn).apply(arnParts);
    const routed = lb !== undefined;
    const advanced = r.strategy !== "ROLLING";

    if (args.allowMutableImageTag) {
      pulumi.log.warn(
        `${name}: allowMutableImageTag is on, so image tags are accepted; deployments are not reproducible. Use digests outside throwaway dev stacks.`,
        this,
      );
    }

    // Logs.
    const [lgArgs, lgOpts] = transformed(
      t.logGroup,
      {
        name: pulumi.interpolate`/ecs/${args.cluster.name}/${name}`,
        retentionInDays: r.retentionInDays,
        kmsKeyId: args.logs?.kmsKeyArn,
        tags,
      } as aws.cloudwatch.LogGroupArgs,
      { parent: this, protect: args.protect ?? false } as pulumi.CustomResourceOptions,
    );
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, lgArgs, lgOpts);

    // Roles, trusted only for the cluster's account.
    const trustFor = (principal: string) =>
      parts.apply((p) => JSON.stringify(assumeRolePolicy(principal, p.account || undefined)));
    const trust = trustFor("ecs-tasks.amazonaws.com");
    const [erArgs, erOpts] = transformed(
      t.executionRole,
      { assumeRolePolicy: trust, description: `ECS execution role of ${name}`, tags } as aws.iam.RoleArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const executionRole = new aws.iam.Role(`${name}-execution-role`, erArgs, erOpts);

    const sidecars = args.sidecars ?? [];
    const images: pulumi.Input<string>[] = [args.image, ...sidecars.map((s) => s.image)];
    if (r.tracing) images.push(r.tracing.image);
    const secretArns: pulumi.Input<string>[] = [
      ...Object.values(args.secrets ?? {}),
      ...sidecars.flatMap((s) => Object.values(s.secrets ?? {})),
    ];
    const execPolicy = pulumi
      .all([
        parts,
        logGroup.arn,
        pulumi.all(images),
        pulumi.all(secretArns),
        pulumi.all(args.secretKmsKeyArns ?? []),
      ])
      .apply(([p, logGroupArn, imgs, secrets, keys]) =>
        JSON.stringify(
          executionPolicy({
            partition: p.partition,
            logGroupArn,
            images: imgs,
            secretArns: secrets,
            kmsKeyArns: keys,
          }),
        ),
      );
    const [epArgs, epOpts] = transformed(
      t.executionRolePolicy,
      { role: executionRole.name, policy: execPolicy } as aws.iam.RolePolicyArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const executionRolePolicy = new aws.iam.RolePolicy(`${name}-execution-policy`, epArgs, epOpts);

    const [trArgs, trOpts] = transformed(
      t.taskRole,
      { assumeRolePolicy: trust, description: `ECS task role of ${name}`, tags } as aws.iam.RoleArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const taskRole = new aws.iam.Role(`${name}-task-role`, trArgs, trOpts);
    const taskStatements: PolicyStatement[] = [
      ...(args.enableExecuteCommand ? [EXEC_STATEMENT] : []),
      ...(r.tracing ? [XRAY_STATEMENT] : []),
      ...(args.taskRoleStatements ?? []),
    ];
    // With ECS Exec, the task role may also write the session audit to the cluster's log group.
    const execAudit =
      args.enableExecuteCommand && args.cluster.execLogGroupArn
        ? pulumi
            .all([args.cluster.execLogGroupArn, args.cluster.execKmsKeyArn])
            .apply(([logGroup, key]) => execAuditStatements(logGroup, key))
        : pulumi.output([] as PolicyStatement[]);
    const dependsOn: pulumi.Resource[] = [executionRolePolicy];
    if (taskStatements.length > 0) {
      const [tpArgs, tpOpts] = transformed(
        t.taskRolePolicy,
        {
          role: taskRole.name,
          policy: execAudit.apply((audit) => JSON.stringify(policyDocument([...taskStatements, ...audit]))),
        } as aws.iam.RolePolicyArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      dependsOn.push(new aws.iam.RolePolicy(`${name}-task-policy`, tpArgs, tpOpts));
    }

    // Task definition.
    const logConfig = (prefix: string) => ({
      logDriver: "awslogs",
      options: {
        "awslogs-group": logGroup.name,
        "awslogs-region": parts.apply((p) => p.region),
        "awslogs-stream-prefix": prefix,
      },
    });
    const scratch = [{ sourceVolume: SCRATCH_VOLUME, containerPath: r.scratchPath, readOnly: false }];
    const environment: Env = { ...(args.environment ?? {}) };
    if (r.tracing) {
      environment.OTEL_EXPORTER_OTLP_ENDPOINT ??= "http://localhost:4318";
      environment.OTEL_SERVICE_NAME ??= name;
    }
    const containers: Record<string, unknown>[] = [
      {
        name: r.containerName,
        image: args.image,
        essential: true,
        portMappings: r.port !== undefined ? [{ containerPort: r.port, protocol: "tcp" }] : [],
        environment: pairs(environment),
        secrets: secretRefs(args.secrets),
        command: args.command,
        entryPoint: args.entryPoint,
        healthCheck: r.containerHealthCheck,
        stopTimeout: r.stopTimeout,
        readonlyRootFilesystem: r.readonlyRootFilesystem,
        mountPoints: scratch,
        linuxParameters: args.enableExecuteCommand ? { initProcessEnabled: true } : undefined,
        logConfiguration: logConfig(r.containerName),
        dependsOn: r.tracing ? [{ containerName: TRACING_CONTAINER, condition: "START" }] : undefined,
      },
      ...sidecars.map((s) => ({
        name: s.name,
        image: s.image,
        essential: s.essential ?? false,
        cpu: s.cpu,
        memory: s.memory,
        environment: pairs(s.environment),
        secrets: secretRefs(s.secrets),
        command: s.command,
        healthCheck: containerHealthCheck(s.healthCheck),
        stopTimeout: r.stopTimeout,
        readonlyRootFilesystem: s.readonlyRootFilesystem ?? r.readonlyRootFilesystem,
        mountPoints: scratch,
        logConfiguration: logConfig(s.name),
      })),
    ];
    if (r.tracing) {
      containers.push({
        name: TRACING_CONTAINER,
        image: r.tracing.image,
        essential: false,
        cpu: r.tracing.cpu,
        memoryReservation: r.tracing.memory,
        environment: [{ name: "AOT_CONFIG_CONTENT", value: ADOT_XRAY_CONFIG }],
        healthCheck: {
          command: ["CMD", "/healthcheck"],
          interval: 10,
          timeout: 5,
          retries: 3,
          startPeriod: 5,
        },
        stopTimeout: r.stopTimeout,
        readonlyRootFilesystem: true,
        mountPoints: scratch,
        logConfiguration: logConfig(TRACING_CONTAINER),
      });
    }
    const [tdArgs, tdOpts] = transformed(
      t.taskDefinition,
      {
        family: pulumi.interpolate`${args.cluster.name}-${name}`,
        cpu: String(r.cpu),
        memory: String(r.memory),
        networkMode: "awsvpc",
        requiresCompatibilities: [r.capacity === "EC2" ? "EC2" : "FARGATE"],
        runtimePlatform: { cpuArchitecture: r.architecture, operatingSystemFamily: "LINUX" },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions: pulumi.jsonStringify(pulumi.output(containers)),
        volumes: [{ name: SCRATCH_VOLUME }],
        ephemeralStorage:
          args.ephemeralStorageGiB !== undefined ? { sizeInGib: args.ephemeralStorageGiB } : undefined,
        // Keep old revisions registered so a circuit-breaker or alarm rollback can start them.
        skipDestroy: true,
        tags,
      } as aws.ecs.TaskDefinitionArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const taskDefinition = new aws.ecs.TaskDefinition(`${name}-taskdef`, tdArgs, tdOpts);

    // Security group: only the load balancer may reach the container port.
    const [sgArgs, sgOpts] = transformed(
      t.securityGroup,
      {
        vpcId: args.network.vpcId,
        description: routed
          ? `Tasks of ${name}: the load balancer on port ${r.port}`
          : `Tasks of ${name} (no ingress)`,
        tags,
      } as aws.ec2.SecurityGroupArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, sgArgs, sgOpts);
    const [egArgs, egOpts] = transformed(
      t.egressRule,
      {
        securityGroupId: securityGroup.id,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "Outbound: images, secrets, logs and the services the app calls",
        tags,
      } as aws.vpc.SecurityGroupEgressRuleArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    new aws.vpc.SecurityGroupEgressRule(`${name}-egress`, egArgs, egOpts);

    let targetGroups: aws.lb.TargetGroup[] = [];
    let productionRule: aws.lb.ListenerRule | undefined;
    let testRule: aws.lb.ListenerRule | undefined;
    let infrastructureRole: aws.iam.Role | undefined;
    if (lb) {
      const [inArgs, inOpts] = transformed(
        t.ingressRule,
        {
          securityGroupId: securityGroup.id,
          referencedSecurityGroupId: lb.securityGroupId,
          ipProtocol: "tcp",
          fromPort: r.port,
          toPort: r.port,
          description: "From the load balancer",
          tags,
        } as aws.vpc.SecurityGroupIngressRuleArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      new aws.vpc.SecurityGroupIngressRule(`${name}-from-lb`, inArgs, inOpts);

      // Target groups.
      const hc = r.healthCheck;
      const tgNames = advanced ? [`${name}-tg`, `${name}-tg-alt`] : [`${name}-tg`];
      targetGroups = tgNames.map((tgName) => {
        const [tgArgs, tgOpts] = transformed(
          t.targetGroup,
          {
            vpcId: args.network.vpcId,
            targetType: "ip",
            protocol: "HTTP",
            port: r.port,
            deregistrationDelay: r.deregistrationDelay,
            slowStart: r.slowStart,
            healthCheck: {
              enabled: true,
              protocol: "HTTP",
              port: "traffic-port",
              path: hc.path,
              interval: hc.interval,
              timeout: hc.timeout,
              healthyThreshold: hc.healthyThreshold,
              unhealthyThreshold: hc.unhealthyThreshold,
              matcher: hc.matcher,
            },
            tags,
          } as aws.lb.TargetGroupArgs,
          { parent: this } as pulumi.CustomResourceOptions,
        );
        return new aws.lb.TargetGroup(tgName, tgArgs, tgOpts);
      });

      // Listener rules. With ECS-managed traffic shifting, ECS owns the forward weights.
      const rule = args.rule!;
      const conditions = ruleConditions(rule.hosts, rule.paths);
      const actions = advanced
        ? [
            {
              type: "forward",
              forward: {
                targetGroups: [
                  { arn: targetGroups[0]!.arn, weight: 100 },
                  { arn: targetGroups[1]!.arn, weight: 0 },
                ],
              },
            },
          ]
        : [{ type: "forward", targetGroupArn: targetGroups[0]!.arn }];
      const makeRule = (ruleName: string, listenerArn: pulumi.Input<string>) => {
        const [lrArgs, lrOpts] = transformed(
          t.listenerRule,
          { listenerArn, priority: rule.priority, conditions, actions, tags } as aws.lb.ListenerRuleArgs,
          {
            parent: this,
            ...(advanced ? { ignoreChanges: ["actions"] } : {}),
          } as pulumi.CustomResourceOptions,
        );
        return new aws.lb.ListenerRule(ruleName, lrArgs, lrOpts);
      };
      productionRule = makeRule(`${name}-rule`, lb.listenerArn);
      dependsOn.push(productionRule);
      if (advanced && lb.testListenerArn !== undefined) {
        testRule = makeRule(`${name}-test-rule`, lb.testListenerArn);
        dependsOn.push(testRule);
      }

      if (advanced) {
        const [irArgs, irOpts] = transformed(
          t.infrastructureRole,
          {
            assumeRolePolicy: trustFor("ecs.amazonaws.com"),
            description: `Lets ECS shift load balancer traffic for ${name}'s ${r.strategy} deployments`,
            tags,
          } as aws.iam.RoleArgs,
          { parent: this } as pulumi.CustomResourceOptions,
        );
        infrastructureRole = new aws.iam.Role(`${name}-infrastructure-role`, irArgs, irOpts);
        const [ipArgs, ipOpts] = transformed(
          t.infrastructureRolePolicy,
          {
            role: infrastructureRole.name,
            policyArn: parts.apply((p) => infrastructurePolicyArn(p.partition)),
          } as aws.iam.RolePolicyAttachmentArgs,
          { parent: this } as pulumi.CustomResourceOptions,
        );
        dependsOn.push(new aws.iam.RolePolicyAttachment(`${name}-infrastructure-policy`, ipArgs, ipOpts));
      }
    }

    // Alarms that may roll a deployment back (they only need the load balancer and target groups).
    const topic = r.alarms && args.alarms ? args.alarms.topicArn : undefined;
    const alarms: aws.cloudwatch.MetricAlarm[] = [];
    const alarm = (alarmName: string, a: aws.cloudwatch.MetricAlarmArgs) => {
      const [aArgs, aOpts] = transformed(
        t.alarm,
        {
          ...a,
          treatMissingData: a.treatMissingData ?? "notBreaching",
          alarmActions: topic ? [topic] : [],
          okActions: topic ? [topic] : [],
          tags,
        } as aws.cloudwatch.MetricAlarmArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      const created = new aws.cloudwatch.MetricAlarm(alarmName, aArgs, aOpts);
      alarms.push(created);
      return created;
    };
    const rollbackAlarms: pulumi.Input<string>[] = [];
    if (r.alarms && lb) {
      const suffixes = pulumi.all([lb.arnSuffix, pulumi.all(targetGroups.map((tg) => tg.arnSuffix))]);
      const http5xx = alarm(`${name}-5xx`, {
        alarmDescription: `${name}: more than ${r.alarms.http5xxPercent}% of requests answered 5xx`,
        comparisonOperator: "GreaterThanThreshold",
        threshold: r.alarms.http5xxPercent,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        metricQueries: suffixes.apply(([lbSuffix, tgs]) => http5xxRateQueries(lbSuffix, tgs)),
      });
      const unhealthy = alarm(`${name}-unhealthy`, {
        alarmDescription: `${name}: the load balancer reports unhealthy targets`,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        metricQueries: suffixes.apply(([lbSuffix, tgs]) => unhealthyTargetQueries(lbSuffix, tgs)),
      });
      if (r.rollbackOnAlarms) rollbackAlarms.push(http5xx.name, unhealthy.name);
    }
    rollbackAlarms.push(...(args.deployment?.rollbackAlarmNames ?? []));

    // The service.
    const subnets = r.subnets === "public" ? args.network.publicSubnetIds : args.network.privateSubnetIds;
    const deploymentConfiguration: aws.types.input.ecs.ServiceDeploymentConfiguration = {
      strategy: r.strategy,
    };
    if (advanced) deploymentConfiguration.bakeTimeInMinutes = String(r.bakeTimeMinutes);
    if (r.strategy === "CANARY") {
      deploymentConfiguration.canaryConfiguration = {
        canaryPercent: r.canary.percent,
        canaryBakeTimeInMinutes: String(r.canary.bakeTimeMinutes),
      };
    }
    if (r.strategy === "LINEAR") {
      deploymentConfiguration.linearConfiguration = {
        stepPercent: r.linear.stepPercent,
        stepBakeTimeInMinutes: String(r.linear.stepBakeTimeMinutes),
      };
    }
    const [svcArgs, svcOpts] = transformed(
      t.service,
      {
        cluster: args.cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: r.desiredCount,
        // CLUSTER_DEFAULT sets neither: ECS then applies the cluster's default strategy.
        ...(Array.isArray(r.capacity)
          ? {
              capacityProviderStrategies: r.capacity.map((c) => ({
                capacityProvider: c.capacityProvider,
                weight: c.weight ?? 0,
                base: c.base ?? 0,
              })),
            }
          : r.capacity === "CLUSTER_DEFAULT"
            ? {}
            : r.capacity === "FARGATE"
              ? { launchType: "FARGATE" }
              : {
                  capacityProviderStrategies: [
                    {
                      capacityProvider:
                        r.capacity === "EC2" ? args.cluster.ec2CapacityProviderName! : "FARGATE_SPOT",
                      weight: 1,
                    },
                  ],
                }),
        networkConfiguration: {
          subnets,
          securityGroups: [securityGroup.id, ...(args.securityGroupIds ?? [])],
          assignPublicIp: r.subnets === "public",
        },
        loadBalancers: lb
          ? [
              {
                targetGroupArn: targetGroups[0]!.arn,
                containerName: r.containerName,
                containerPort: r.port!,
                ...(advanced
                  ? {
                      advancedConfiguration: {
                        alternateTargetGroupArn: targetGroups[1]!.arn,
                        productionListenerRule: productionRule!.arn,
                        ...(testRule ? { testListenerRule: testRule.arn } : {}),
                        roleArn: infrastructureRole!.arn,
                      },
                    }
                  : {}),
              },
            ]
          : undefined,
        healthCheckGracePeriodSeconds: lb ? r.gracePeriod : undefined,
        deploymentController: { type: "ECS" },
        deploymentConfiguration,
        deploymentMinimumHealthyPercent: r.minHealthyPercent,
        deploymentMaximumPercent: r.maxPercent,
        deploymentCircuitBreaker: { enable: r.circuitBreaker, rollback: r.circuitBreaker },
        alarms:
          rollbackAlarms.length > 0
            ? { alarmNames: rollbackAlarms, enable: true, rollback: true }
            : undefined,
        waitForSteadyState: r.waitForSteadyState,
        enableExecuteCommand: args.enableExecuteCommand ?? false,
        availabilityZoneRebalancing: r.azRebalancing,
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        tags,
      } as aws.ecs.ServiceArgs,
      {
        parent: this,
        dependsOn,
        ignoreChanges: serviceIgnoreChanges(Boolean(args.scaling), advanced),
      } as pulumi.CustomResourceOptions,
    );
    const service = new aws.ecs.Service(name, svcArgs, svcOpts);

    // Alarms on the service itself.
    if (r.alarms) {
      const ecsDims = { ClusterName: args.cluster.name, ServiceName: service.name };
      for (const [key, metricName, threshold] of [
        ["cpu", "CPUUtilization", r.alarms.cpuPercent],
        ["memory", "MemoryUtilization", r.alarms.memoryPercent],
      ] as const) {
        alarm(`${name}-${key}`, {
          alarmDescription: `${name}: average ${key} above ${threshold}% for 3 minutes`,
          namespace: "AWS/ECS",
          metricName,
          dimensions: ecsDims,
          statistic: "Average",
          period: 60,
          evaluationPeriods: 3,
          comparisonOperator: "GreaterThanThreshold",
          threshold,
        });
      }
      // RunningTaskCount and DesiredTaskCount exist only with Container Insights: without it the
      // alarm could never fire, so it is not created.
      if (args.cluster.containerInsights === true)
        alarm(`${name}-below-desired`, {
          alarmDescription: `${name}: fewer tasks running than desired for 5 minutes (needs Container Insights)`,
          comparisonOperator: "GreaterThanThreshold",
          threshold: 0,
          evaluationPeriods: 5,
          datapointsToAlarm: 5,
          metricQueries: pulumi
            .all([args.cluster.name, service.name])
            .apply(([clusterName, serviceName]) => belowDesiredQueries(clusterName, serviceName)),
        });
    }

    // Autoscaling.
    if (args.scaling) {
      const s = args.scaling;
      const [stArgs, stOpts] = transformed(
        t.scalingTarget,
        {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: pulumi.interpolate`service/${args.cluster.name}/${service.name}`,
          minCapacity: r.scalingMin,
          maxCapacity: s.max,
          tags,
        } as aws.appautoscaling.TargetArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      const target = new aws.appautoscaling.Target(`${name}-scaling`, stArgs, stOpts);
      const policies: [string, number | undefined, string, pulumi.Input<string> | undefined][] = [
        [
          "cpu",
          s.cpuTarget === false ? undefined : (s.cpuTarget ?? 70),
          "ECSServiceAverageCPUUtilization",
          undefined,
        ],
        ["memory", s.memoryTarget, "ECSServiceAverageMemoryUtilization", undefined],
        [
          "requests",
          s.requestsPerTarget,
          "ALBRequestCountPerTarget",
          lb && targetGroups[0]
            ? pulumi.interpolate`${lb.arnSuffix}/${targetGroups[0].arnSuffix}`
            : undefined,
        ],
      ];
      for (const [key, targetValue, metricType, resourceLabel] of policies) {
        if (targetValue === undefined) continue;
        const [pArgs, pOpts] = transformed(
          t.scalingPolicy,
          {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: {
              targetValue,
              predefinedMetricSpecification: {
                predefinedMetricType: metricType,
                ...(resourceLabel ? { resourceLabel } : {}),
              },
              scaleInCooldown: s.scaleInCooldown ?? 300,
              scaleOutCooldown: s.scaleOutCooldown ?? 60,
            },
          } as aws.appautoscaling.PolicyArgs,
          { parent: this, dependsOn: [target] } as pulumi.CustomResourceOptions,
        );
        new aws.appautoscaling.Policy(`${name}-scale-${key}`, pArgs, pOpts);
      }
      for (const sched of s.schedules ?? []) {
        const [saArgs, saOpts] = transformed(
          t.scheduledAction,
          {
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            schedule: sched.schedule,
            timezone: sched.timezone ?? "UTC",
            scalableTargetAction: { minCapacity: sched.min, maxCapacity: sched.max },
          } as aws.appautoscaling.ScheduledActionArgs,
          { parent: this, dependsOn: [target] } as pulumi.CustomResourceOptions,
        );
        new aws.appautoscaling.ScheduledAction(`${name}-schedule-${sched.name}`, saArgs, saOpts);
      }
    }

    // DNS.
    if (lb && args.dns && r.dnsName) {
      const [rcArgs, rcOpts] = transformed(
        t.record,
        {
          zoneId: args.dns.zoneId,
          name: r.dnsName,
          type: "A",
          aliases: aliasTo(lb),
        } as aws.route53.RecordArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      new aws.route53.Record(`${name}-dns`, rcArgs, rcOpts);
    }

    // Dashboard.
    let dashboardName: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (args.dashboard !== false) {
      const body = pulumi
        .all([
          parts,
          args.cluster.name,
          service.name,
          lb ? lb.arnSuffix : "",
          pulumi.all(targetGroups.map((tg) => tg.arnSuffix)),
        ])
        .apply(([p, clusterName, serviceName, lbSuffix, tgs]) =>
          JSON.stringify(
            dashboardBody({
              region: p.region,
              clusterName,
              serviceName,
              ...(lbSuffix ? { loadBalancer: lbSuffix } : {}),
              targetGroups: tgs,
              containerInsights: args.cluster.containerInsights === true,
            }),
          ),
        );
      const [dbArgs, dbOpts] = transformed(
        t.dashboard,
        {
          dashboardName: `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.replace(
            /[^A-Za-z0-9_-]/g,
            "-",
          ),
          dashboardBody: body,
        } as aws.cloudwatch.DashboardArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      dashboardName = new aws.cloudwatch.Dashboard(`${name}-dashboard`, dbArgs, dbOpts).dashboardName;
    }

    // Outputs.
    const rule = args.rule;
    const pathPrefix = rule?.paths?.[0]?.replace(/\*.*$/, "") ?? "";
    const plainHost = r.dnsName ?? rule?.hosts?.find((h) => !/[*?]/.test(h));
    const scheme = lb?.protocol === "HTTPS" ? "https" : "http";
    this.url = !lb
      ? pulumi.output(undefined)
      : plainHost
        ? pulumi.output(`${scheme}://${plainHost}${pathPrefix}`)
        : pulumi.output(lb.url).apply((u) => `${u.replace(/\/$/, "")}${pathPrefix}`);
    this.serviceName = service.name;
    this.serviceArn = service.arn;
    this.taskDefinitionArn = taskDefinition.arn;
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;
    this.logGroupName = logGroup.name;
    this.securityGroupId = securityGroup.id;
    this.targetGroupArns = pulumi.all(targetGroups.map((tg) => tg.arn));
    this.targetGroupArn = targetGroups[0] ? targetGroups[0].arn : pulumi.output(undefined);
    this.listenerRuleArn = productionRule ? productionRule.arn : pulumi.output(undefined);
    this.alarmNames = pulumi.all(alarms.map((a) => a.name));
    this.dashboardName = dashboardName;
    this.registerOutputs({
      serviceName: this.serviceName,
      serviceArn: this.serviceArn,
      url: this.url,
      taskDefinitionArn: this.taskDefinitionArn,
      taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn,
      logGroupName: this.logGroupName,
      securityGroupId: this.securityGroupId,
      targetGroupArn: this.targetGroupArn,
      targetGroupArns: this.targetGroupArns,
      listenerRuleArn: this.listenerRuleArn,
      alarmNames: this.alarmNames,
      dashboardName: this.dashboardName,
      worstCaseBatchSeconds: this.worstCaseBatchSeconds,
    });
  }
}
