/**
 * The AWS services `Network` can reach through an interface VPC endpoint
 * (`com.amazonaws.<region>.<name>`). The list covers what ECS workloads in private subnets
 * usually need: pulling images (`ecr.api`, `ecr.dkr`, plus the S3 gateway endpoint that is
 * always created), logging, secrets, parameters, Session Manager, and the ECS agent.
 */
export const INTERFACE_ENDPOINT_NAMES = [
  "ecr.api",
  "ecr.dkr",
  "logs",
  "monitoring",
  "ssm",
  "ssmmessages",
  "ec2messages",
  "secretsmanager",
  "kms",
  "sts",
  "ecs",
  "ecs-agent",
  "ecs-telemetry",
  "ec2",
  "elasticloadbalancing",
  "autoscaling",
  "application-autoscaling",
  "sqs",
  "sns",
  "events",
  "xray",
  "lambda",
  "execute-api",
] as const;

/**
 * The name of a service `Network` can create an interface endpoint for.
 *
 * @example
 * const endpoints: InterfaceEndpointName[] = ["ecr.api", "ecr.dkr", "logs", "secretsmanager"];
 */
export type InterfaceEndpointName = (typeof INTERFACE_ENDPOINT_NAMES)[number];

/** The interface endpoints a Fargate service in subnets without NAT needs to pull images, log and read secrets. */
export const FARGATE_ENDPOINTS: readonly InterfaceEndpointName[] = [
  "ecr.api",
  "ecr.dkr",
  "logs",
  "secretsmanager",
  "ssm",
];

/** `com.amazonaws.<region>.<name>`, the service name of an AWS endpoint service. */
export function endpointServiceName(region: string, name: string): string {
  return `com.amazonaws.${region}.${name}`;
}
