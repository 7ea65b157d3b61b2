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
}

export interface ComposeFile {
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
