/**
 * The part of the Compose Specification `berth compose` writes (https://compose-spec.io): plain
 * data, serialized as YAML in the order the fields are set.
 */

export interface DependsOn {
  condition: "service_started" | "service_healthy" | "service_completed_successfully";
}

export interface Healthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface BindMount {
  type: "bind";
  source: string;
  target: string;
  read_only?: boolean;
  bind?: { create_host_path: boolean };
}

export interface ComposeService {
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: (string | BindMount)[];
  configs?: { source: string; target: string }[];
  depends_on?: Record<string, DependsOn>;
  healthcheck?: Healthcheck;
  deploy?: { resources: { limits: { cpus?: string; memory?: string } } };
  stop_grace_period?: string;
  restart?: "no" | "unless-stopped";
  profiles?: string[];
  network_mode?: string;
  networks?: Record<string, { ipv4_address: string }>;
  /** What the container is to Berth (see {@link BerthExtension}). */
  "x-berth"?: BerthExtension;
}

/**
 * The `x-berth` extension (Compose ignores `x-` keys): what each container is to Berth, so a tool
 * reading the file back (`berth import compose`) can tell the catalogue's services from the local
 * stand-ins, and a manifest's variables from the ones the platform, the links or this file add.
 */
export type BerthExtension =
  | {
      /** A service of the catalogue, of this kind. */
      kind: string;
      /** Its `uses`, as the manifest writes them (`name` or `{ name: access }`). */
      uses?: (string | Record<string, string>)[];
      /** Variables the platform or the links set when deployed (not the manifest's `environment`). */
      injected: string[];
      /** Variables only this file sets (endpoints, credentials for local signing, PORT). */
      local: string[];
      /** A job's schedule and time zone (compose has no scheduler). */
      schedule?: string;
      timezone?: string;
    }
  | { resource: string; type: string }
  | { serves: "sqs" | "s3" | "volumes" }
  | { releaseOf: string }
  | { sidecarOf: string };

export interface ComposeFile {
  /** The environment the file was generated for: a file `berth compose` wrote. */
  "x-berth"?: { environment: string };
  services: Record<string, ComposeService>;
  volumes?: Record<string, Record<string, never>>;
  configs?: Record<string, { content: string }>;
  networks?: Record<string, { ipam: { config: { subnet: string; ip_range: string }[] } }>;
}

/** A comment for the YAML key at a path (`["services", "nightly"]`): a line before it, or after its value. */
export interface KeyComment {
  path: string[];
  before?: string;
  after?: string;
}
