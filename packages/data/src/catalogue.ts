import { type CatalogueLink, type DataResource, envPrefix, type LinkGrant, type QueueRef } from "@berth/core";
import type * as pulumi from "@pulumi/pulumi";
import { Bucket, type BucketAccess, type BucketRef, bucketGrant } from "./bucket.js";
import { Cache, type CacheAccess, type CacheRef, cacheGrant } from "./cache.js";
import { Postgres, type PostgresAccess, type PostgresRef, postgresGrant } from "./postgres.js";
import { Queue, type QueueAccess, queueGrant } from "./queue.js";
import { Volume, type VolumeAccess, VolumeAccessPoint, type VolumeRef, volumeGrant } from "./volume.js";

/**
 * A catalogue resource's plain outputs, tagged with its kind: what the platform stack exports for a
 * shared resource (`forServices.data.<name>`) and what a service's link is built from.
 *
 * @example
 * const cache: DataRef = { kind: "cache", ref: { name: "cache-1a2b3c4", arn: "arn:aws:elasticache:…", … } };
 */
export type DataRef =
  | { kind: "postgres"; ref: PostgresRef }
  | { kind: "bucket"; ref: BucketRef }
  | { kind: "queue"; ref: QueueRef }
  | { kind: "cache"; ref: CacheRef }
  | { kind: "volume"; ref: VolumeRef };

/** Where an environment's data resources go: its network (as plain values) and its protection. */
export interface DataPlacement {
  /** The VPC and its subnets: databases in the isolated tier, caches and file systems in the private one. */
  network: {
    vpcId: pulumi.Input<string>;
    privateSubnetIds: pulumi.Input<string>[];
    isolatedSubnetIds?: pulumi.Input<string>[];
    availabilityZones?: pulumi.Input<pulumi.Input<string>[]>;
  };
  /** Prod: stateful resources protected, kept on delete, deletion protection where AWS has it. */
  protect: boolean;
  tags?: Record<string, string>;
}

/**
 * Creates the component of one catalogue resource (`resources.<name>` of a manifest or of
 * `apps/berth.shared.yaml`) with the manifest's settings, and returns its plain outputs.
 *
 * @example
 * const db = createDataResource("orders-db", { type: "postgres", minCapacity: 0 }, placement, opts);
 */
export function createDataResource(
  name: string,
  settings: DataResource,
  placement: DataPlacement,
  opts: pulumi.ComponentResourceOptions = {},
): DataRef {
  const { protect, network } = placement;
  const tags = placement.tags ?? {};
  switch (settings.type) {
    case "postgres": {
      const { type: _t, ...rest } = settings;
      // Where nothing is protected (dev), an Aurora database the manifest does not size scales to
      // zero and pauses: an idle one costs its storage only. Protected ones never pause (0.5 ACU).
      const pauses =
        !protect && (settings.engine ?? "aurora") === "aurora" && settings.minCapacity === undefined;
      const db = new Postgres(
        name,
        {
          ...rest,
          ...(pauses ? { minCapacity: 0 } : {}),
          vpcId: network.vpcId,
          subnetIds: network.isolatedSubnetIds ?? [],
          ...(network.availabilityZones ? { availabilityZones: network.availabilityZones } : {}),
          protect,
          tags,
        },
        opts,
      );
      return { kind: "postgres", ref: db.ref };
    }
    case "bucket": {
      const { type: _t, ...rest } = settings;
      return { kind: "bucket", ref: new Bucket(name, { ...rest, protect, tags }, opts).ref };
    }
    case "queue": {
      const { type: _t, ...rest } = settings;
      return { kind: "queue", ref: new Queue(name, { ...rest, protect, tags }, opts).ref };
    }
    case "cache": {
      const { type: _t, ...rest } = settings;
      const cache = new Cache(
        name,
        { ...rest, vpcId: network.vpcId, subnetIds: network.privateSubnetIds, protect, tags },
        opts,
      );
      return { kind: "cache", ref: cache.ref };
    }
    case "volume": {
      // The mount path and POSIX user belong to each service's access point (see linkDataResource).
      const { type: _t, path: _p, posixUser: _u, ...rest } = settings;
      const volume = new Volume(
        name,
        { ...rest, vpcId: network.vpcId, subnetIds: network.privateSubnetIds, protect, tags },
        opts,
      );
      return { kind: "volume", ref: volume.ref };
    }
  }
}

/**
 * What a service gets from one of its `uses`: the grant of the resource's kind, built from the
 * resource's plain outputs (created in the service's stack, or shared and read from the platform's).
 * A volume first gets the service's own access point (its POSIX user and root directory `/<service>`).
 *
 * @example
 * const grant = linkDataResource(link, { kind: "bucket", ref }, "orders", opts); // RECEIPTS_BUCKET, s3:GetObject…
 */
export function linkDataResource(
  link: CatalogueLink,
  data: DataRef,
  service: string,
  opts: pulumi.ComponentResourceOptions = {},
): LinkGrant {
  if (data.kind !== link.kind) {
    throw new Error(
      `${link.name} is a ${link.kind} in the catalogue but the environment has a ${data.kind} by that name: deploy the platform stack first`,
    );
  }
  switch (data.kind) {
    case "postgres":
      return postgresGrant(link.name, data.ref, link.access as PostgresAccess);
    case "bucket":
      return bucketGrant(link.name, data.ref, link.access as BucketAccess);
    case "queue":
      return queueGrant(envPrefix(link.name), data.ref, link.access as QueueAccess);
    case "cache":
      return cacheGrant(link.name, data.ref, link.access as CacheAccess);
    case "volume": {
      const settings = link.settings as Extract<DataResource, { type: "volume" }>;
      const accessPoint = new VolumeAccessPoint(
        `${link.name}-${service}`,
        {
          volume: data.ref,
          volumeName: link.name,
          service,
          ...(settings.posixUser ? { posixUser: settings.posixUser } : {}),
          ...(settings.path ? { path: settings.path } : {}),
        },
        opts,
      );
      return volumeGrant(link.name, data.ref, link.access as VolumeAccess, accessPoint.ref, {
        ...(settings.path ? { path: settings.path } : {}),
      });
    }
  }
}
