import { describe, expect, it } from "vitest";
import { REPLACEMENT_TABLE, replacementFor, STATEFUL_TYPES } from "../src/index.js";

describe("replacement knowledge from the provider's schema", () => {
  it.each([
    ["aws:ec2/subnet:Subnet", "cidrBlock", "replace"],
    ["aws:ec2/subnet:Subnet", "availabilityZone", "replace"],
    ["aws:ec2/subnet:Subnet", "mapPublicIpOnLaunch", "update"],
    ["aws:lb/targetGroup:TargetGroup", "port", "replace"],
    ["aws:lb/targetGroup:TargetGroup", "protocol", "replace"],
    ["aws:lb/targetGroup:TargetGroup", "protocolVersion", "replace"],
    ["aws:lb/targetGroup:TargetGroup", "targetType", "replace"],
    ["aws:lb/targetGroup:TargetGroup", "vpcId", "replace"],
    ["aws:lb/targetGroup:TargetGroup", "healthCheck.interval", "update"],
    ["aws:lb/targetGroup:TargetGroup", "deregistrationDelay", "update"],
    ["aws:ecr/repository:Repository", "name", "replace"],
    ["aws:ecr/repository:Repository", "imageTagMutability", "update"],
    ["aws:cloudwatch/logGroup:LogGroup", "name", "replace"],
    ["aws:cloudwatch/logGroup:LogGroup", "retentionInDays", "update"],
    ["aws:rds/instance:Instance", "engine", "replace"],
    ["aws:rds/instance:Instance", "storageEncrypted", "replace"],
    // The Terraform provider renames an instance in place since v5 (ModifyDBInstance).
    ["aws:rds/instance:Instance", "identifier", "update"],
    ["aws:rds/instance:Instance", "instanceClass", "update"],
    ["aws:rds/clusterInstance:ClusterInstance", "identifier", "replace"],
    ["aws:efs/fileSystem:FileSystem", "encrypted", "replace"],
    ["aws:lb/loadBalancer:LoadBalancer", "name", "replace"],
    ["aws:lb/loadBalancer:LoadBalancer", "internal", "replace"],
    ["aws:lb/loadBalancer:LoadBalancer", "idleTimeout", "update"],
    ["aws:sqs/queue:Queue", "fifoQueue", "replace"],
    ["aws:sqs/queue:Queue", "visibilityTimeoutSeconds", "update"],
    ["aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions[0].image", "replace"],
    ["aws:ecs/service:Service", "desiredCount", "update"],
    ["aws:ecs/service:Service", "capacityProviderStrategies[0].weight", "may-replace"],
    ["aws:ecs/service:Service", "deploymentController.type", "replace"],
    // The data resources of @berth/data.
    ["aws:rds/cluster:Cluster", "engine", "replace"],
    ["aws:rds/cluster:Cluster", "masterUsername", "replace"],
    ["aws:rds/cluster:Cluster", "storageEncrypted", "replace"],
    ["aws:rds/cluster:Cluster", "backupRetentionPeriod", "update"],
    ["aws:rds/clusterInstance:ClusterInstance", "instanceClass", "update"],
    ["aws:rds/subnetGroup:SubnetGroup", "name", "replace"],
    ["aws:rds/subnetGroup:SubnetGroup", "subnetIds", "update"],
    ["aws:elasticache/serverlessCache:ServerlessCache", "engine", "replace"],
    ["aws:elasticache/serverlessCache:ServerlessCache", "majorEngineVersion", "replace"],
    ["aws:elasticache/serverlessCache:ServerlessCache", "subnetIds", "replace"],
    ["aws:elasticache/serverlessCache:ServerlessCache", "kmsKeyId", "replace"],
    ["aws:elasticache/serverlessCache:ServerlessCache", "securityGroupIds", "update"],
    ["aws:elasticache/serverlessCache:ServerlessCache", "cacheUsageLimits.dataStorage.maximum", "update"],
    ["aws:efs/fileSystem:FileSystem", "performanceMode", "replace"],
    ["aws:efs/fileSystem:FileSystem", "throughputMode", "update"],
    ["aws:efs/accessPoint:AccessPoint", "rootDirectory.path", "replace"],
    ["aws:efs/accessPoint:AccessPoint", "posixUser.uid", "replace"],
    ["aws:efs/mountTarget:MountTarget", "subnetId", "replace"],
    ["aws:efs/mountTarget:MountTarget", "securityGroups", "update"],
    ["aws:s3/bucket:Bucket", "bucket", "replace"],
    ["aws:s3/bucketV2:BucketV2", "bucket", "replace"],
    ["aws:s3/bucketV2:BucketV2", "forceDestroy", "update"],
    ["aws:sqs/queue:Queue", "name", "replace"],
    ["aws:sqs/queue:Queue", "messageRetentionSeconds", "update"],
  ])("%s %s → %s", (type, path, decision) => {
    expect(replacementFor(type, [path]).decision).toBe(decision);
  });

  it("reports an unknown stateful type's change as may-replace, an unknown stateless one as update", () => {
    expect(replacementFor("aws:dynamodb/table:Table", ["billingMode"])).toEqual({
      decision: "may-replace",
      because: ["no replacement data for aws:dynamodb/table:Table"],
    });
    expect(replacementFor("aws:sfn/stateMachine:StateMachine", ["definition"]).decision).toBe("update");
  });

  it("honours a resource's replaceOnChanges option", () => {
    expect(
      replacementFor("aws:ecs/service:Service", ["desiredCount"], { replaceOnChanges: ["desiredCount"] }),
    ).toEqual({
      decision: "replace",
      because: ["desiredCount"],
    });
  });

  it("names its source for every entry and lists the stateful types", () => {
    for (const [type, e] of Object.entries(REPLACEMENT_TABLE)) expect(e.source, type).toMatch(/\.go/);
    expect(STATEFUL_TYPES).toContain("aws:lb/targetGroup:TargetGroup");
    expect(STATEFUL_TYPES).toContain("aws:ec2/natGateway:NatGateway");
  });

  it.each([
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:rds/instance:Instance",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:efs/fileSystem:FileSystem",
    "aws:efs/accessPoint:AccessPoint",
    "aws:efs/mountTarget:MountTarget",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:sqs/queue:Queue",
  ])("%s is stateful and has replacement data", (type) => {
    expect(STATEFUL_TYPES).toContain(type);
    expect(REPLACEMENT_TABLE[type]?.replace.length).toBeGreaterThan(0);
  });
});
