import { relative, sep } from "node:path";
import {
  AWS_CREDENTIAL_NAMES,
  type DataKind,
  ENV_NAME,
  LINK_VARIABLES,
  linkedVariableNames,
  SECRET_LOOKING_NAME,
} from "@berth/core";
import type { ManifestDraft } from "./draft.js";
import type { Position } from "./located.js";
import type { Report } from "./report.js";
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

/**
 * Maps a container health check to `healthCheck` (command, intervalSeconds, timeoutSeconds,
 * unhealthyThreshold, startPeriodSeconds), inside the schema's limits (reported when clamped).
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
  let interval: number | undefined;
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
  interval = field(h.interval, "intervalSeconds", 5, 300, "interval (seconds)", seconds);
  const timeout = field(h.timeout, "timeoutSeconds", 2, 120, "timeout (seconds)", seconds);
  field(h.retries, "unhealthyThreshold", 2, 10, "retries", (v) =>
    /^\d+$/.test(String(v)) ? Number(v) : undefined,
  );
  field(h.startPeriod, "startPeriodSeconds", 0, 300, "start period (seconds)", seconds);
  interval ??= 10;
  if (timeout !== undefined && timeout >= interval) {
    const fixed = Math.max(2, interval - 1);
    draft.set("healthCheck.timeoutSeconds", fixed);
    const row = [...report.rows].reverse().find((r) => r.path === h.timeout!.path)!;
    row.status = "changed";
    row.detail = `\`healthCheck.timeoutSeconds: ${fixed}\` (a check must time out before the next one starts: ${timeout} s lowered below the ${interval} s interval)`;
  }
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
