import type * as pulumi from "@pulumi/pulumi";

/**
 * One IAM statement a link adds to a service's task role: exact actions on the linked resource's
 * own ARNs (Outputs allowed), never `*`.
 */
export interface GrantStatement {
  Sid?: string;
  Effect: "Allow";
  Action: string[];
  Resource: pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[] | boolean>>;
}

/** A network path a link opens: the resource's security group admits the service on a port. */
export interface LinkIngress {
  /** The security group in front of the resource (database, cache, file system). */
  securityGroupId: pulumi.Input<string>;
  /** The TCP port the service connects to. */
  port: number;
  description: string;
}

/**
 * An EFS volume a link mounts into the service's main container: the task definition gets the
 * volume (transit encryption and IAM authorization on, through the access point) and the mount point.
 */
export interface LinkVolume {
  /** The task definition's volume name (unique in the task). @example "files" */
  name: string;
  /** The file system's id. @example "fs-0123456789abcdef0" */
  fileSystemId: pulumi.Input<string>;
  /** The service's own access point (its POSIX user and root directory). @example "fsap-0123456789abcdef0" */
  accessPointId: pulumi.Input<string>;
  /** Where the main container sees it. @example "/mnt/files" */
  containerPath: string;
  /** Mounted read-only. @default false */
  readOnly: boolean;
}

/**
 * What a service gets from a linked resource: permissions, network paths and connection details.
 * A data component builds it for an access level; the service's task applies it (one mechanism
 * for every resource type).
 *
 * @example
 * const grant = queue.link("consume");
 * // grant.taskRoleStatements: sqs:ReceiveMessage, sqs:DeleteMessage, … on the queue's ARN
 * // grant.environment: { JOBS_QUEUE_URL: queue.url }
 */
export interface LinkGrant {
  /** Statements for the task role (what the application may do with the resource). */
  taskRoleStatements: GrantStatement[];
  /** Plain environment variables: hosts, ports, names, URLs. Never a credential. */
  environment: Record<string, pulumi.Input<string>>;
  /**
   * Secret environment variables, injected by ECS: name → the ARN of an SSM parameter or a
   * Secrets Manager secret (`<arn>:<json key>::` for one key of a JSON secret).
   */
  secrets: Record<string, pulumi.Input<string>>;
  /** KMS keys the execution role needs to decrypt those secrets (customer-managed keys only). */
  secretKmsKeyArns: pulumi.Input<string>[];
  /** Security-group paths to open from the service's tasks to the resource. */
  ingress: LinkIngress[];
  /** EFS volumes to mount in the main container. */
  volumes: LinkVolume[];
}

/** A resource a service can use: `uses: { <name>: <access> }` in a manifest. */
export interface Linkable<Access extends string = string> {
  /** The access levels it offers, e.g. `["consume", "send"]`. */
  readonly accessLevels: readonly Access[];
  /** What a service that uses it with this access level gets. */
  link(access: Access): LinkGrant;
}

/** An empty grant, to build on. */
export function emptyGrant(): LinkGrant {
  return {
    taskRoleStatements: [],
    environment: {},
    secrets: {},
    secretKmsKeyArns: [],
    ingress: [],
    volumes: [],
  };
}

/**
 * The prefix of a linked resource's variables: its name in SCREAMING_SNAKE_CASE.
 *
 * @example
 * envPrefix("orders-db"); // "ORDERS_DB"
 */
export function envPrefix(name: string): string {
  return name
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();
}

/**
 * Merges grants (statements, variables, secrets and paths of every link together). Throws when two
 * links set the same variable: one would silently hide the other.
 */
export function mergeGrants(grants: LinkGrant[]): LinkGrant {
  const out = emptyGrant();
  for (const g of grants) {
    out.taskRoleStatements.push(...g.taskRoleStatements);
    for (const name of [...Object.keys(g.environment), ...Object.keys(g.secrets)]) {
      if (name in out.environment || name in out.secrets) {
        throw new Error(`two linked resources set the variable ${name}; give one of them another name`);
      }
    }
    Object.assign(out.environment, g.environment);
    Object.assign(out.secrets, g.secrets);
    out.secretKmsKeyArns.push(...g.secretKmsKeyArns);
    out.ingress.push(...g.ingress);
    for (const v of g.volumes) {
      if (out.volumes.some((o) => o.name === v.name || o.containerPath === v.containerPath)) {
        throw new Error(
          `two linked volumes use the name ${v.name} or the path ${v.containerPath}; give one another`,
        );
      }
      out.volumes.push(v);
    }
  }
  return out;
}
