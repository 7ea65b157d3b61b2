import { relative, sep } from "node:path";
import {
  AWS_CREDENTIAL_NAMES,
  type DataKind,
  ENV_NAME,
  IMAGE_DIGEST,
  LINK_VARIABLES,
  linkedVariableNames,
  SECRET_LOOKING_NAME,
} from "@berth/core";
import type { ManifestDraft } from "./draft.js";
import type { Position } from "./located.js";
import type { Report, Row } from "./report.js";
import { durationSeconds, parameterName } from "./units.js";

/**
 * Names whose values are secrets: the manifest schema's rule (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`,
 * `*_API_KEY` …) and any `*_KEY`.
 */
export function secretName(name: string): boolean {
  return (
    SECRET_LOOKING_NAME.test(name) || /(^|_)KEY$/i.test(name) || /(^|_)(PASS|PWD|CREDENTIALS?)$/i.test(name)
  );
}

/** A URL with a password in it (`postgres://app:s3cret@db/app`): a secret whatever its name. */
export function credentialsInUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s]+@/i.test(value);
}

export function isAwsCredential(name: string): boolean {
  return AWS_CREDENTIAL_NAMES.includes(name);
}

/** `/berth/<env>/<service>/<variable-lower-dashed>`: under the only prefix the environment's tasks may read. */
export function ssmParameter(service: string, variable: string): string {
  return `/berth/<env>/${service}/${parameterName(variable)}`;
}

/**
 * Puts a variable in `secrets` as an SSM parameter reference, lists the parameter to create in the
 * report, and never writes the value.
 */
export function moveToSecrets(
  draft: ManifestDraft,
  report: Report,
  row: { group: string; path: string; at: Position | undefined },
  variable: string,
  why: string,
  valueToday: string,
): void {
  const name = ssmParameter(draft.name, variable);
  draft.set(`secrets.${variable}`, { ssm: name });
  draft.origins.set(variable, row.path);
  report.secrets.push({
    name,
    store: "SSM Parameter Store (SecureString)",
    service: draft.name,
    variable,
    from: valueToday,
  });
  report.add(
    row.group,
    row.path,
    row.at,
    "changed",
    `${why}: \`secrets.${variable}: { ssm: ${name} }\`; the value is not copied (create the parameter: see Secrets to create)`,
  );
}

export function validEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** Whole seconds of a duration, or undefined. */
export function seconds(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = durationSeconds(v);
  return s === undefined ? undefined : Math.round(s);
}

/** A value clamped into [min, max], with a note when it moved. */
export function clamp(
  value: number,
  min: number,
  max: number,
  what: string,
): { value: number; note?: string } {
  if (value < min) return { value: min, note: `${what} ${value} is below Berth's minimum: raised to ${min}` };
  if (value > max)
    return { value: max, note: `${what} ${value} is above Berth's maximum: lowered to ${max}` };
  return { value };
}

/** The health-check fields of Compose and Copilot (`image.healthcheck`), already read. */
export interface HealthInput {
  command?: { value: string[]; path: string; at: Position | undefined };
  interval?: { value: string | number; path: string; at: Position | undefined };
  timeout?: { value: string | number; path: string; at: Position | undefined };
  retries?: { value: string | number; path: string; at: Position | undefined };
  startPeriod?: { value: string | number; path: string; at: Position | undefined };
}

/** The load balancer's health check times out after 2 to 120 seconds (the manifest's limit). */
const TIMEOUT_MAX = 120;
/**
 * ECS's container health check times out after 2 to 60 seconds (AWS::ECS::TaskDefinition
 * HealthCheck, `Timeout`): the manifest's limit with `healthCheck.command`.
 */
const CONTAINER_TIMEOUT_MAX = 60;

/** A draft's health-check timeout as the input gave it (seconds) and its report row as first written. */
const timeouts = new WeakMap<
  ManifestDraft,
  { seconds: number; row: Row; first: Pick<Row, "status" | "detail"> }
>();

/**
 * Maps a container health check to `healthCheck` (command, intervalSeconds, timeoutSeconds,
 * unhealthyThreshold, startPeriodSeconds), inside the schema's limits (reported when clamped).
 * Called again for the same draft (Copilot's `image.healthcheck` and `http.healthcheck`, in either
 * order), it fits the timeout to what the draft has by then: at most 60 s with a command, and below
 * the interval.
 */
export function mapHealthCheck(draft: ManifestDraft, report: Report, group: string, h: HealthInput): void {
  if (h.command) {
    draft.set("healthCheck.command", h.command.value);
    report.add(
      group,
      h.command.path,
      h.command.at,
      "mapped",
      `\`healthCheck.command: ${JSON.stringify(h.command.value)}\``,
    );
  }
  const field = (
    input: HealthInput["interval"],
    target: string,
    min: number,
    max: number,
    what: string,
    parse: (v: string | number) => number | undefined,
  ): number | undefined => {
    if (!input) return undefined;
    const n = parse(input.value);
    if (n === undefined) {
      report.add(
        group,
        input.path,
        input.at,
        "dropped",
        `\`${input.value}\` is not a ${what}; Berth's default applies`,
      );
      return undefined;
    }
    const c = clamp(n, min, max, what);
    draft.set(`healthCheck.${target}`, c.value);
    report.add(
      group,
      input.path,
      input.at,
      c.note ? "changed" : "mapped",
      `\`healthCheck.${target}: ${c.value}\`${c.note ? ` (${c.note})` : ""}`,
    );
    return c.value;
  };
  field(h.interval, "intervalSeconds", 5, 300, "interval (seconds)", seconds);
  // The upper limit depends on the whole check (a command or not): fitTimeout applies it.
  const timeout = field(
    h.timeout,
    "timeoutSeconds",
    2,
    Number.POSITIVE_INFINITY,
    "timeout (seconds)",
    seconds,
  );
  if (h.timeout && timeout !== undefined) {
    const row = report.rows.at(-1)!;
    timeouts.set(draft, {
      seconds: seconds(h.timeout.value)!,
      row,
      first: { status: row.status, detail: row.detail },
    });
  }
  field(h.retries, "unhealthyThreshold", 2, 10, "retries", (v) =>
    /^\d+$/.test(String(v)) ? Number(v) : undefined,
  );
  field(h.startPeriod, "startPeriodSeconds", 0, 300, "start period (seconds)", seconds);
  fitTimeout(draft);
}

/**
 * The timeout within its limits: 120 s (the load balancer's), 60 s with a command (ECS's
 * container check), and below the interval (a check must end before the next one starts). Its
 * report row says what moved, from the value the input gave.
 */
function fitTimeout(draft: ManifestDraft): void {
  const t = timeouts.get(draft);
  if (!t) return;
  const notes: string[] = [];
  let fixed = Math.max(2, t.seconds);
  const container = draft.get("healthCheck.command") !== undefined;
  const max = container ? CONTAINER_TIMEOUT_MAX : TIMEOUT_MAX;
  if (fixed > max) {
    notes.push(
      container
        ? `timeout (seconds) ${t.seconds} is above ECS's maximum for a container health check: lowered to ${max}`
        : `timeout (seconds) ${t.seconds} is above Berth's maximum: lowered to ${max}`,
    );
    fixed = max;
  }
  const interval = (draft.get("healthCheck.intervalSeconds") as number | undefined) ?? 10;
  if (fixed >= interval) {
    notes.push(
      `a check must time out before the next one starts: ${fixed} s lowered below the ${interval} s interval`,
    );
    fixed = Math.max(2, interval - 1);
  }
  draft.set("healthCheck.timeoutSeconds", fixed);
  Object.assign(
    t.row,
    notes.length
      ? { status: "changed", detail: `\`healthCheck.timeoutSeconds: ${fixed}\` (${notes.join("; ")})` }
      : t.first,
  );
}

/** Whether an image is pinned by digest, as the manifest checks want it without allowMutableImageTag. */
export function pinnedImage(image: string): boolean {
  return IMAGE_DIGEST.test(image);
}

/** An image without its tag or digest: `ghcr.io/acme/api:1.2` → `ghcr.io/acme/api`. */
export function imageRepository(image: string): string {
  const s = image.split("@")[0]!;
  const colon = s.lastIndexOf(":");
  return colon > s.lastIndexOf("/") ? s.slice(0, colon) : s;
}

/**
 * An image by tag (the service's or a sidecar's): the manifest gets `allowMutableImageTag: true`
 * and a `TODO` comment naming each such image, so the import deploys as it is; the result is the
 * end of the decision for the key's report row: pin it by digest (read from the registry, never
 * invented).
 *
 * @example
 * report.add(g, path, at, "decide", `\`image: ${image}\` is a tag${allowTag(draft, image)}`);
 */
export function allowTag(draft: ManifestDraft, image: string): string {
  if (!draft.taggedImages.includes(image)) draft.taggedImages.push(image);
  draft.set("allowMutableImageTag", true);
  draft.comments.set("allowMutableImageTag", {
    text: `TODO: pin ${list(draft.taggedImages)} by digest before production`,
  });
  return (
    ", which can move under a running service: `allowMutableImageTag: true` lets it deploy as imported; " +
    `before production pin it by digest (\`docker buildx imagetools inspect ${image}\` prints the \`Digest:\`): ` +
    `\`${imageRepository(image)}@sha256:<digest>\`, then remove \`allowMutableImageTag\``
  );
}

/**
 * `build` relative to the service's folder: Berth's `context` and `dockerfile` are both relative
 * to `apps/<name>/` (Compose's dockerfile is relative to the context).
 */
export function buildPaths(
  serviceDir: string,
  contextAbs: string,
  dockerfileAbs: string,
): { context: string; dockerfile: string } {
  const posix = (p: string) => p.split(sep).join("/") || ".";
  return {
    context: posix(relative(serviceDir, contextAbs)),
    dockerfile: posix(relative(serviceDir, dockerfileAbs)),
  };
}

/** `a`, `a and b`, `a, b and c`. */
export function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * Variables the manifest sets that a link injects too (`MEDIA_PATH` with a `media` volume, `DB_HOST`
 * with a `db` database): the catalogue refuses a name set twice, so the manifest's value goes and
 * its report row says why (mapped when it meant the same, a decision otherwise).
 */
export function dropLinkedVariables(
  draft: ManifestDraft,
  kindOf: (resource: string) => { kind: DataKind; settings: Record<string, unknown> } | undefined,
  report: Report,
): void {
  for (const u of (draft.get("uses") as (string | Record<string, string>)[] | undefined) ?? []) {
    const name = typeof u === "string" ? u : Object.keys(u)[0]!;
    const r = kindOf(name);
    if (!r) continue;
    for (const v of linkedVariableNames(r.kind, name)) {
      for (const field of ["environment", "secrets"] as const) {
        const value = draft.get(`${field}.${v}`);
        if (value === undefined) continue;
        draft.delete(`${field}.${v}`);
        const i = report.secrets.findIndex((s) => s.service === draft.name && s.variable === v);
        if (field === "secrets" && i >= 0) report.secrets.splice(i, 1);
        const meaning = LINK_VARIABLES[r.kind].find((x) => v.endsWith(`_${x.name}`))?.means ?? "its value";
        const origin = draft.origins.get(v);
        const row = origin ? [...report.rows].reverse().find((x) => x.path === origin) : undefined;
        if (!row) continue;
        const same =
          r.kind === "volume" && v.endsWith("_PATH") && value === (r.settings.path ?? `/mnt/${name}`);
        row.status = same ? "mapped" : "decide";
        row.detail = same
          ? `injected by the link to \`${name}\` (${meaning}); not written in the manifest`
          : `dropped: the link to \`${name}\` (${r.kind}) injects ${v} itself (${meaning}): check the app works with the link's value`;
      }
    }
  }
}
