import { z } from "zod";
import { DATA_ACCESS, DATA_KINDS, dataResource, LINK_VARIABLES } from "./data.js";
import { manifestJsonSchema } from "./schema.js";

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  required?: string[];
};

/** One documented field of the manifest. */
export interface ReferenceRow {
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  example?: unknown;
}

/** Every field of a kind's manifest, depth first, from the JSON Schema (itself from the zod schema). */
export function referenceRows(kind: string): ReferenceRow[] {
  const schema = manifestJsonSchema() as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const resolve = (s: JsonSchema): JsonSchema => {
    const target = s.$ref ? schema.$defs?.[s.$ref.replace("#/$defs/", "")] : undefined;
    if (!target) return s;
    const { $ref: _r, ...rest } = s;
    return { ...resolve(target), ...rest };
  };
  const deep = (s: JsonSchema): JsonSchema => {
    const r = resolve(s);
    return {
      ...r,
      ...(r.anyOf ? { anyOf: r.anyOf.map(deep) } : {}),
      ...(r.oneOf ? { oneOf: r.oneOf.map(deep) } : {}),
      ...(r.items ? { items: deep(r.items) } : {}),
      ...(r.additionalProperties && typeof r.additionalProperties === "object"
        ? { additionalProperties: deep(r.additionalProperties) }
        : {}),
    };
  };
  const body = schema.oneOf!.map(deep).find((s) => s.properties?.kind?.const === kind);
  if (!body) throw new Error(`no manifest kind ${kind}`);
  const rows: ReferenceRow[] = [];
  const visit = (given: JsonSchema, path: string, required: boolean) => {
    const s = deep(given);
    const shapes = s.anyOf ?? s.oneOf;
    const objects = (shapes ?? [s]).filter((x) => x.properties);
    rows.push({
      path,
      type: typeOf(s),
      required,
      ...(s.default !== undefined ? { default: s.default } : {}),
      ...(describe(s) ? { description: describe(s) } : {}),
      ...(s.examples?.length ? { example: s.examples[0] } : {}),
    });
    for (const o of objects) {
      for (const [k, v] of Object.entries(o.properties!))
        visit(v, `${path}.${k}`, o.required?.includes(k) ?? false);
    }
    if (s.type === "array" && s.items?.properties) {
      for (const [k, v] of Object.entries(s.items.properties))
        visit(v, `${path}[].${k}`, s.items.required?.includes(k) ?? false);
    }
  };
  for (const [k, v] of Object.entries(body.properties!)) {
    if (k === "environments" || k === "$schema") continue;
    visit(v, k, body.required?.includes(k) ?? false);
  }
  return rows;
}

function describe(s: JsonSchema): string | undefined {
  return s.description ?? (s.anyOf ?? s.oneOf)?.find((x) => x.description)?.description;
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(" \\| ");
  const shapes = s.anyOf ?? s.oneOf;
  if (shapes) return shapes.map(typeOf).join(" or ");
  const range =
    s.minimum !== undefined || s.maximum !== undefined
      ? ` ${s.minimum ?? ""}–${s.maximum ?? ""}`
      : s.maxLength !== undefined
        ? ` ≤ ${s.maxLength} chars`
        : "";
  if (s.type === "array")
    return `list of ${s.items ? typeOf(s.items) : "any"}${s.maxItems ? ` (≤ ${s.maxItems})` : ""}`;
  if (s.type === "object") {
    if (s.properties) return "map";
    if (s.additionalProperties && typeof s.additionalProperties === "object")
      return `map of ${typeOf(s.additionalProperties)}`;
    return "map";
  }
  return `${Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any")}${range}`;
}

const KINDS: [string, string][] = [
  ["web", "public HTTP through the environment's shared load balancer"],
  ["internal", "HTTP reachable only by the services that list it in `calls` (ECS Service Connect)"],
  ["worker", "no inbound traffic; consumes the SQS queue it owns, scales on backlog per task"],
  ["job", "a task on a schedule (EventBridge Scheduler); no ECS service"],
];

/** The manifest reference (docs/manifest.md), generated from the schema; a test keeps it fresh. */
export function manifestReference(): string {
  const cell = (v: unknown) =>
    v === undefined ? "" : `\`${(typeof v === "string" ? v : JSON.stringify(v)).replace(/\|/g, "\\|")}\``;
  const out: string[] = [
    "# Service manifest reference",
    "",
    "<!-- Generated from the schema in packages/core/src/manifest/schema.ts by `pnpm generate`; do not edit. -->",
    "",
    "A service is a folder `apps/<name>/` with a Dockerfile and a `berth.yaml`. The manifest is",
    "checked against the schema before anything is created: every error names the file, the line and",
    "column, the field, the value and what is allowed; unknown keys are errors (with a suggestion).",
    "Editors validate and complete it through the JSON Schema on its first line:",
    "",
    "```yaml",
    "# yaml-language-server: $schema=../../schemas/berth-manifest.schema.json",
    "name: orders",
    "kind: web",
    "port: 8080",
    'http: { paths: ["/orders/*"] }',
    "count: { min: 2, max: 10, cpuTarget: 60 }",
    "secrets:",
    "  STRIPE_KEY: { ssm: /berth/prod/orders/stripe-key }",
    "environments:",
    "  dev: { count: 1 }",
    "```",
    "",
    "## Environments",
    "",
    "`environments.<env>` has the body's fields, all optional, except `name` and `kind`. For each",
    "environment the overrides are merged into the body, then the result is validated:",
    "",
    "| in the body | in the override | result |",
    "|---|---|---|",
    "| a scalar or a list | a value | the override's value (lists replace, they do not append) |",
    "| a map | a map | merged key by key, with the same rules |",
    "| a map (`count: { min, max }`) | a shorthand (`count: 2`) | the shorthand: the whole field is replaced |",
    "| any value | `null` | the field is removed (its default applies) |",
    "",
    "An error in an override names the override's line and the path `environments.<env>.<field>`.",
    "",
  ];
  for (const [kind, what] of KINDS) {
    out.push(`## kind: ${kind}`, "", `${what[0]!.toUpperCase()}${what.slice(1)}.`, "");
    out.push("| Field | Type | Default | Description | Example |", "|---|---|---|---|---|");
    for (const r of referenceRows(kind)) {
      const description = (r.description ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
      out.push(
        `| \`${r.path}\`${r.required ? " (required)" : ""} | ${r.type} | ${cell(r.default)} | ${description} | ${cell(r.example)} |`,
      );
    }
    out.push("");
  }
  out.push(...dataReference(cell));
  return `${out.join("\n").trimEnd()}\n`;
}

/** The data resources' section: each kind's settings, its access levels and the variables a link injects. */
function dataReference(cell: (v: unknown) => string): string[] {
  const schema = z.toJSONSchema(dataResource, { io: "input", target: "draft-2020-12" }) as JsonSchema;
  const kinds = (schema.oneOf ?? schema.anyOf ?? []) as JsonSchema[];
  const out = [
    "## Data resources",
    "",
    "`resources.<name>` declares a data resource the service owns: it is created in the service's own",
    "stack and only that service uses it. Resources every service of an environment may use live in",
    "`apps/berth.shared.yaml` (`resources:` and `environments.<env>.resources:` overrides), created by",
    "the platform stack. `uses` links a service to either: least-privilege statements on the task role",
    "(exact ARNs, never `*`), a security-group path from the service's tasks, and the variables below.",
    "A name is used once per environment (one owner); `environments.<env>.resources.<name>` merges",
    "settings into the body's, and a resource's `type` is the same everywhere.",
    "",
    "```yaml",
    "resources:",
    "  orders-db: { type: postgres }",
    "  receipts: { type: bucket }",
    "uses:",
    "  - orders-db            # the kind's default access",
    "  - receipts: read       # an access level",
    "  - cache                # shared: apps/berth.shared.yaml",
    "environments:",
    "  dev: { resources: { orders-db: { minCapacity: 0 } } }",
    "```",
    "",
  ];
  for (const kind of DATA_KINDS) {
    const body = kinds.find((k) => k.properties?.type?.const === kind);
    out.push(`### type: ${kind}`, "", `${body?.description ?? ""}`, "");
    out.push(
      `Access: ${DATA_ACCESS[kind].map((a, i) => `\`${a}\`${i === 0 ? " (default)" : ""}`).join(", ")}.`,
      "",
    );
    out.push("| Field | Type | Default | Description |", "|---|---|---|---|");
    for (const [k, v] of Object.entries(body?.properties ?? {})) {
      if (k === "type") continue;
      const description = (v.description ?? "").replace(/\|/g, "\\|");
      out.push(`| \`${k}\` | ${typeOf(v)} | ${cell(v.default)} | ${description} |`);
    }
    out.push("", "| Variable | Means |", "|---|---|");
    for (const v of LINK_VARIABLES[kind]) {
      const notes = [v.secret ? "secret (Secrets Manager, through ECS)" : "", v.when ?? ""]
        .filter(Boolean)
        .join("; ");
      out.push(`| \`<NAME>_${v.name}\` | ${v.means}${notes ? ` (${notes})` : ""} |`);
    }
    out.push("");
  }
  out.push(
    "`<NAME>` is the resource's name in capitals with `_` for `-`: `orders-db` → `ORDERS_DB_HOST`.",
    "",
  );
  return out;
}
