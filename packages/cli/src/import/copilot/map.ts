import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { DataKind, ServiceKind } from "@berth/core";
import { type Catalogue, SharedDraft } from "../catalogue.js";
import {
  allowTag,
  buildPaths,
  clamp,
  credentialsInUrl,
  dropLinkedVariables,
  isAwsCredential,
  list,
  mapHealthCheck,
  moveToSecrets,
  pinnedImage,
  seconds,
  secretName,
  validEnvName,
} from "../common.js";
import { overrideOf, stripDefaults } from "../defaults.js";
import { ManifestDraft } from "../draft.js";
import { parseEnvFile } from "../envfile.js";
import {
  brief,
  entry,
  fmtLine,
  get,
  isLMap,
  isLSeq,
  type LEntry,
  type LMap,
  type LNode,
  type Position,
  text,
} from "../located.js";
import { Report, type Status } from "../report.js";
import { PLACEHOLDER_SCHEDULE, toEventBridge } from "../schedule.js";
import {
  durationSeconds,
  fargateFit,
  parameterName,
  resourceName,
  serviceNamer,
  shellWords,
} from "../units.js";
import type { CopilotService, CopilotWorkspace } from "./load.js";

export interface CopilotMapOptions {
  serviceDir(name: string): string;
  /** The platform's environments (`stacks/platform/Pulumi.<env>.yaml`). */
  environments: readonly string[];
}

/** Copilot's workload types and the kind each becomes. */
const KINDS: Record<string, ServiceKind> = {
  "Load Balanced Web Service": "web",
  "Request-Driven Web Service": "web",
  "Backend Service": "internal",
  "Worker Service": "worker",
  "Scheduled Job": "job",
};

/** Common names of environments, by the platform environment they usually are. */
const ENV_ALIASES: Record<string, string[]> = {
  dev: ["development", "develop", "test", "testing", "sandbox", "qa"],
  staging: ["stage", "stg", "preprod", "pre-prod", "uat"],
  prod: ["production", "prd", "live"],
};

interface Plan {
  svc: CopilotService;
  group: string;
  name: string;
  kind?: ServiceKind;
  kindWhy: string;
  kindStatus: Status;
  port?: number;
  /** Why `name` is not the input's name. */
  renamed?: string;
  draft?: ManifestDraft;
}

/**
 * Maps a Copilot workspace to Berth manifests: each service and job to a kind, its
 * `environments` overrides to the platform's environments, storage to volume resources, secrets to
 * references under /berth/<env>/, and a report row for every key.
 */
export function mapCopilot(ws: CopilotWorkspace, report: Report, opts: CopilotMapOptions): Catalogue {
  const envs = mapEnvironments(ws, report, opts.environments);
  const volumes = new Map<string, string>();
  if (ws.application) {
    report.group("workspace", "");
    report.add(
      "workspace",
      "workspace.application",
      ws.applicationAt,
      "dropped",
      `the application's name (${ws.application}): each Berth service stands on its own in the catalogue`,
    );
  }
  for (const pipeline of ws.pipelines) {
    report.group("pipelines", "");
    report.add(
      "pipelines",
      "pipelines",
      { file: pipeline, line: 1, column: 1 },
      "decide",
      "Copilot pipelines: Berth delivers the catalogue through its own pipeline (build once, promote the digest); not imported",
    );
  }
  const namer = serviceNamer();
  const plans: Plan[] = ws.services.map((svc) => {
    const { name, why: renamed } = namer(svc.name);
    const kind = KINDS[svc.type];
    const port = Number(text(get(get(svc.node, "image"), "port")));
    const plan: Plan = {
      svc,
      group: svc.dir,
      name,
      ...(renamed ? { renamed } : {}),
      kindWhy: `type ${svc.type}`,
      kindStatus: "mapped",
      ...(Number.isInteger(port) && port > 0 ? { port } : {}),
    };
    if (kind === "internal" && plan.port === undefined) {
      Object.assign(plan, {
        kind: "worker",
        kindWhy: `type Backend Service without image.port: nothing can reach it, so it becomes a worker (a Berth worker consumes its own SQS queue: check that fits)`,
        kindStatus: "decide",
      });
    } else if (svc.type === "Request-Driven Web Service") {
      Object.assign(plan, {
        kind,
        kindWhy:
          "type Request-Driven Web Service: App Runner becomes an ECS service behind the environment's shared load balancer",
        kindStatus: "changed",
      });
    } else if (kind) plan.kind = kind;
    report.group(plan.group, "");
    return plan;
  });
  const byName = new Map(plans.map((p) => [p.svc.name, p]));

  for (const p of plans) {
    const g = p.group;
    if (!p.kind) {
      const detail =
        p.svc.type === "Static Site"
          ? "type Static Site (S3 and CloudFront): Berth has no static-site kind; serve the files from a web service, or keep the site outside Berth. Not imported"
          : `type ${p.svc.type} is not one Berth knows: not imported`;
      report.group(g, "not imported (needs a decision)");
      report.add(g, g, p.svc.typeAt, "decide", detail);
      continue;
    }
    const draft = mapBody(p, p.svc.node, report, { ws, opts, byName, base: true, volumes });
    p.draft = draft;
    draft.header.push(`Imported from ${p.svc.shown} by berth import copilot: see ../IMPORT-REPORT.md.`);
    report.note(g, p.svc.typeAt, p.kindStatus, `kind ${p.kind}: ${p.kindWhy}`);
    if (p.svc.name !== p.name)
      report.add(
        g,
        `${g}.name`,
        entry(p.svc.node, "name")?.at,
        "changed",
        `\`name: ${p.name}\` (${p.renamed ?? "a service name is lower-case letters, digits and hyphens"})`,
      );
    else report.add(g, `${g}.name`, entry(p.svc.node, "name")?.at, "mapped", `\`name: ${p.name}\``);
    report.add(g, `${g}.type`, p.svc.typeAt, "mapped", `\`kind: ${p.kind}\` (see the service's row)`);
    for (const a of p.svc.addons) {
      const resources = a.types.filter((t) => t !== "AWS::IAM::ManagedPolicy");
      report.add(
        g,
        `${g}.addons/${a.file.split("/").at(-1)}`,
        { file: a.file, line: 1, column: 1 },
        "decide",
        `a CloudFormation addon (${resources.join(", ") || "no resources"}): Berth has no addons; ${
          resources.some((t) => t === "AWS::S3::Bucket") ? "an S3 bucket becomes a `bucket` resource, " : ""
        }${resources.some((t) => /RDS::DB(Cluster|Instance)/.test(t)) ? "a PostgreSQL database a `postgres` resource, " : ""}declare the equivalents in \`resources\` (or keep them outside Berth and pass their names)`,
      );
    }

    // Environment overrides: map the merged manifest per environment, keep what differs from the body.
    const overrides = get(p.svc.node, "environments");
    if (isLMap(overrides)) {
      for (const o of overrides.entries) {
        const berth = envs.get(o.key);
        const opath = `${g}.environments.${o.key}`;
        if (!berth) {
          report.add(
            g,
            opath,
            o.at,
            "decide",
            `no environment of the platform is ${o.key} (it has ${opts.environments.join(", ")}): these overrides are not written; add them to \`environments.<env>\` by hand`,
          );
          continue;
        }
        if (!isLMap(o.value)) {
          report.add(g, opath, o.at, "dropped", "empty: nothing to override");
          continue;
        }
        const merged = mergeCopilot(p.svc.node, o.value);
        const scratch = new Report("", "");
        const envDraft = mapBody(p, merged, scratch, { ws, opts, byName, base: false, volumes });
        const base = stripDefaults(p.kind, { ...draft.body });
        const env = stripDefaults(p.kind, { ...envDraft.body });
        const diff = overrideOf(p.kind, base, env);
        for (const k of ["resources", "uses", "name", "kind"]) {
          if (k in diff && (k === "resources" || k === "uses")) {
            report.add(
              g,
              `${opath}.storage`,
              o.at,
              "decide",
              `the storage differs in ${berth}: set \`environments.${berth}.resources\` by hand`,
            );
          }
          delete diff[k];
        }
        if (Object.keys(diff).length) draft.environments[berth] = diff;
        const tagComment = envDraft.comments.get("allowMutableImageTag");
        if (diff.allowMutableImageTag === true && tagComment)
          draft.comments.set(`environments.${berth}.allowMutableImageTag`, tagComment);
        // In the platform's order (dev, staging, prod), whatever order Copilot listed them in.
        const sorted = Object.entries(draft.environments).sort(
          ([a], [b]) => opts.environments.indexOf(a) - opts.environments.indexOf(b),
        );
        for (const [k] of sorted) delete draft.environments[k];
        for (const [k, v] of sorted) draft.environments[k] = v;
        // Each key of the override gets the row its mapping produced, in the environment.
        const leaves = leafPaths(o.value, "");
        for (const r of scratch.rows) {
          if (r.note || !r.path.startsWith(`${g}.`)) continue;
          const rel = r.path.slice(g.length + 1);
          if (!leaves.some((l) => l === rel || l.startsWith(`${rel}.`) || rel.startsWith(`${l}.`))) continue;
          if (!hasPath(o.value, rel)) continue;
          report.add(
            g,
            `${opath}.${rel}`,
            r.at,
            r.status,
            `in ${berth}${berth !== o.key ? ` (Copilot's ${o.key})` : ""}: ${r.detail}`,
          );
        }
        for (const s of scratch.secrets) {
          if (!report.secrets.some((x) => x.name === s.name)) report.secrets.push(s);
        }
        report.coverRest(g, opath, o.value);
      }
    }
    for (const e of p.svc.node.entries) report.coverRest(g, `${g}.${e.key}`, e.value);
  }

  // Calls: a service whose variables name an internal service (http://api:8080) calls it.
  for (const p of plans.filter((x) => x.draft)) {
    const env = (p.draft!.get("environment") ?? {}) as Record<string, string>;
    const calls = [
      ...new Set(
        plans
          .filter((t) => t !== p && t.kind === "internal" && t.draft)
          .filter((t) =>
            Object.values(env).some((v) =>
              new RegExp(`(^|://|@)${t.svc.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\.|:|/|$)`).test(v),
            ),
          )
          .map((t) => t.name),
      ),
    ];
    if (calls.length === 0) continue;
    if (p.kind === "job") {
      report.note(
        p.group,
        p.svc.typeAt,
        "decide",
        `its variables name ${list(calls)}, but a scheduled task cannot use Service Connect: give it their address another way (or make them web services)`,
      );
      continue;
    }
    p.draft!.set(
      "calls",
      calls.slice(0, 4),
      calls.length > 4 ? "ECS allows 5 security groups per task: 4 calls at most" : undefined,
    );
    if (calls.length > 4)
      report.note(
        p.group,
        p.svc.typeAt,
        "decide",
        `its variables name ${list(calls)}: Berth allows 4 \`calls\`; kept ${list(calls.slice(0, 4))}`,
      );
  }
  for (const t of plans.filter((x) => x.kind === "internal" && x.draft)) {
    const callers = plans.filter((p) =>
      ((p.draft?.get("calls") as string[] | undefined) ?? []).includes(t.name),
    );
    report.note(
      t.group,
      t.svc.typeAt,
      callers.length ? "mapped" : "decide",
      callers.length
        ? `${list(callers.map((c) => c.name))} call${callers.length === 1 ? "s" : ""} it (${callers.length === 1 ? "its" : "their"} variables name it): \`calls: [${t.name}]\``
        : `no service names it in its variables: add \`calls: [${t.name}]\` to the services that call it (Service Connect admits only those)`,
    );
  }
  // Web services without routes of their own would all claim /*: the first keeps it.
  const webs = plans.filter((p) => p.kind === "web" && p.draft && p.draft.get("http") === undefined);
  for (const w of webs.slice(1)) {
    w.draft!.set(
      "http",
      { paths: [`/${w.name}/*`] },
      "a placeholder route: each web service needs its own hosts or paths",
    );
    report.note(
      w.group,
      w.svc.typeAt,
      "decide",
      `${webs[0]!.name} keeps the catch-all route \`/*\`; ${w.name} gets \`http.paths: ["/${w.name}/*"]\` as a placeholder: choose its hosts or paths`,
    );
  }
  const shared = new SharedDraft();
  for (const p of plans.filter((x) => x.draft)) {
    const own = (p.draft!.get("resources") ?? {}) as Record<string, Record<string, unknown>>;
    dropLinkedVariables(
      p.draft!,
      (n) => (own[n] ? { kind: own[n].type as DataKind, settings: own[n] } : undefined),
      report,
    );
    report.group(p.group, `\`${p.name}/berth.yaml\` (kind ${p.kind})`);
  }
  return {
    drafts: plans.filter((p) => p.draft).map((p) => p.draft!),
    ...(Object.keys(shared.resources).length ? { shared } : {}),
  };
}

/** Copilot environments and the platform environment each becomes (by name, or a usual alias). */
function mapEnvironments(
  ws: CopilotWorkspace,
  report: Report,
  platform: readonly string[],
): Map<string, string | undefined> {
  const names = new Set(ws.environments.map((e) => e.name));
  for (const s of ws.services) {
    const o = get(s.node, "environments");
    if (isLMap(o)) for (const e of o.entries) names.add(e.key);
  }
  const out = new Map<string, string | undefined>();
  const used = new Set<string>();
  // Exact names first, then aliases, so `prod` keeps prod even when `production` exists too.
  for (const n of names)
    if (platform.includes(n)) {
      out.set(n, n);
      used.add(n);
    }
  for (const n of [...names].sort()) {
    if (out.has(n)) continue;
    const target = Object.entries(ENV_ALIASES).find(
      ([b, aliases]) => aliases.includes(n.toLowerCase()) && platform.includes(b),
    )?.[0];
    if (target && !used.has(target)) {
      out.set(n, target);
      used.add(target);
    } else out.set(n, undefined);
  }
  for (const e of ws.environments) {
    const g = `environments.${e.name}`;
    const berth = out.get(e.name);
    const at = e.node ? { file: e.shown, line: e.node.line, column: e.node.column } : undefined;
    report.group(
      g,
      berth ? `the platform's environment ${berth}` : "no platform environment (needs a decision)",
    );
    if (berth) {
      report.note(
        g,
        at,
        berth === e.name ? "mapped" : "changed",
        berth === e.name
          ? `the platform's environment ${berth} (stacks/platform/Pulumi.${berth}.yaml)`
          : `the platform's environment ${berth} (stacks/platform/Pulumi.${berth}.yaml): the usual name for ${e.name}; check the overrides land where you expect`,
      );
    } else {
      report.note(
        g,
        at,
        "decide",
        `no environment of the platform is ${e.name} (it has ${platform.join(", ")}): add stacks/platform/Pulumi.${e.name}.yaml, or move its overrides to one that exists`,
      );
    }
    for (const k of e.node?.entries ?? []) {
      if (k.key === "name" || k.key === "type")
        report.add(
          g,
          `${g}.${k.key}`,
          k.at,
          "mapped",
          k.key === "name" ? `the environment ${berth ?? e.name}` : "an environment",
        );
      else
        report.add(
          g,
          `${g}.${k.key}`,
          k.at,
          "dropped",
          `the environment's ${k.key} settings: the platform stack configures environments (stacks/platform/Pulumi.<env>.yaml), not the import`,
        );
    }
  }
  return out;
}

/** Copilot's override rule: maps merge key by key, anything else (lists, scalars, another shape) replaces. */
function mergeCopilot(base: LMap, over: LMap): LMap {
  const entries: LEntry[] = base.entries.filter((e) => e.key !== "environments").map((e) => ({ ...e }));
  for (const o of over.entries) {
    const i = entries.findIndex((e) => e.key === o.key);
    if (i < 0) entries.push(o);
    else {
      const b = entries[i]!;
      entries[i] = isLMap(b.value) && isLMap(o.value) ? { ...o, value: mergeCopilot(b.value, o.value) } : o;
    }
  }
  return { ...base, entries };
}

function leafPaths(n: LNode, prefix: string): string[] {
  if (n.kind === "map" && n.entries.length)
    return n.entries.flatMap((e) => leafPaths(e.value, prefix ? `${prefix}.${e.key}` : e.key));
  return prefix ? [prefix] : [];
}

function hasPath(n: LNode, path: string): boolean {
  let cur: LNode | undefined = n;
  for (const seg of path.split(".")) {
    const idx = /^(.*)\[(\d+)\]$/.exec(seg);
    cur = get(cur, idx ? idx[1]! : seg);
    if (idx) cur = isLSeq(cur) ? cur.items[Number(idx[2])] : undefined;
    if (!cur) return false;
  }
  return true;
}

interface Ctx {
  ws: CopilotWorkspace;
  opts: CopilotMapOptions;
  byName: Map<string, Plan>;
  /** The body (rows and secrets count), or an environment's merged manifest (rows are filtered). */
  base: boolean;
  /** Volume resource names given so far, and their service. */
  volumes: Map<string, string>;
}

const DROPPED: Record<string, [Status, string]> = {
  logging: [
    "decide",
    "FireLens log routing: Berth sends the service's logs to its CloudWatch log group (`logs.retentionDays`); ship them on from there",
  ],
  observability: ["dropped", "tracing: not part of the import (Berth's services log to CloudWatch)"],
  taskdef_overrides: [
    "decide",
    "task definition patches: Berth has none in manifests; change the service through its fields, or the component's `transform` in TypeScript",
  ],
  publish: [
    "decide",
    "SNS topics: Berth has none; give each consumer a queue (a worker's own queue, or a `queue` resource it uses) and send messages to it",
  ],
  nlb: [
    "decide",
    "a Network Load Balancer: Berth's web services sit behind the environment's shared Application Load Balancer (HTTP only)",
  ],
  tags: ["dropped", "Berth tags AWS resources itself"],
  platform: ["mapped", ""],
};

function mapBody(p: Plan, node: LMap, report: Report, ctx: Ctx): ManifestDraft {
  const kind = p.kind!;
  const d = new ManifestDraft(p.name, kind);
  const g = p.group;
  const row = (path: string, at: Position | undefined, status: Status, detail: string) =>
    report.add(g, `${g}.${path}`, at, status, detail);
  const serviceDir = ctx.opts.serviceDir(p.name);
  let platformSeen = false;
  const size: { cpu?: number; memory?: number; rows: { path: string; at: Position; what: string }[] } = {
    rows: [],
  };

  for (const e of node.entries) {
    const v = e.value;
    switch (e.key) {
      case "name":
      case "type":
      case "environments":
        break;
      case "image":
        mapImage(e);
        break;
      case "http":
        mapHttp(e);
        break;
      case "cpu":
      case "memory": {
        const n = Number(text(v));
        if (!Number.isFinite(n)) row(e.key, e.at, "dropped", `\`${text(v)}\` is not a number`);
        else {
          size[e.key] = n;
          size.rows.push({ path: e.key, at: e.at, what: `${e.key} ${n}` });
        }
        break;
      }
      case "platform": {
        platformSeen = true;
        const plat = isLMap(v)
          ? `${text(get(v, "osfamily"))}/${text(get(v, "architecture"))}`
          : (text(v) ?? "");
        if (/arm64|aarch64/.test(plat))
          row("platform", e.at, "mapped", "ARM64, Berth's default architecture");
        else if (/windows/i.test(plat))
          row("platform", e.at, "decide", `${plat}: Berth runs Linux tasks only`);
        else {
          d.set("architecture", "X86_64");
          row("platform", e.at, "mapped", "`architecture: X86_64`");
        }
        break;
      }
      case "count":
        mapCount(e);
        break;
      case "exec": {
        const on = v.kind === "scalar" && (v.value === true || v.value === "true");
        if (on) d.set("exec", true);
        row("exec", e.at, "mapped", `\`exec: ${on}\``);
        break;
      }
      case "deployment":
        mapDeployment(e);
        break;
      case "entrypoint":
      case "command": {
        const words = isLSeq(v) ? v.items.map((i) => text(i) ?? "") : shellWords(text(v) ?? "");
        if (!words?.length) row(e.key, e.at, "decide", `\`${brief(v)}\`: write it as a list of words`);
        else {
          d.set(e.key, words);
          row(e.key, e.at, "mapped", `\`${e.key}: ${JSON.stringify(words)}\``);
        }
        break;
      }
      case "network":
        mapNetwork(e);
        break;
      case "variables":
        mapVariables(e);
        break;
      case "env_file":
        mapEnvFile(e);
        break;
      case "secrets":
        mapSecrets(e);
        break;
      case "storage":
        mapStorage(e);
        break;
      case "subscribe":
        mapSubscribe(e);
        break;
      case "on":
        mapOn(e);
        break;
      case "retries": {
        const n = Number(text(v));
        if (kind !== "job" || !Number.isInteger(n)) {
          row(
            "retries",
            e.at,
            "dropped",
            kind === "job" ? `\`${text(v)}\` is not a number` : "applies to jobs",
          );
          break;
        }
        const c = clamp(n, 0, 185, "retries");
        d.set("retries", c.value);
        row(
          "retries",
          e.at,
          c.note ? "changed" : "mapped",
          `\`retries: ${c.value}\`${c.note ? ` (${c.note})` : ""}`,
        );
        break;
      }
      case "timeout": {
        const s = durationSeconds(text(v) ?? "");
        if (kind !== "job" || s === undefined) {
          row(
            "timeout",
            e.at,
            "dropped",
            kind === "job" ? `\`${text(v)}\` is not a duration` : "applies to jobs",
          );
          break;
        }
        const minutes = Math.max(1, Math.ceil(s / 60));
        const c = clamp(minutes, 1, 10_080, "timeout (minutes)");
        d.set("timeoutMinutes", c.value);
        const rounded = minutes * 60 !== s;
        row(
          "timeout",
          e.at,
          rounded || c.note ? "changed" : "mapped",
          `\`timeoutMinutes: ${c.value}\`${rounded ? ` (${text(v)} rounded up to whole minutes)` : ""}${c.note ? ` (${c.note})` : ""}`,
        );
        break;
      }
      case "sidecars":
        mapSidecars(e);
        break;
      case "count_spot":
        break;
      default: {
        const known = DROPPED[e.key];
        if (known && e.key !== "platform") row(e.key, e.at, known[0], known[1]);
      }
    }
  }

  if (size.cpu !== undefined || size.memory !== undefined) {
    const fit = fargateFit(size.cpu, size.memory);
    d.set("cpu", fit.cpu);
    d.set("memory", fit.memory, fit.note);
    for (const r of size.rows)
      row(
        r.path,
        r.at,
        fit.note ? "changed" : "mapped",
        `\`cpu: ${fit.cpu}\`, \`memory: ${fit.memory}\`${fit.note ? ` (${fit.note})` : ""}`,
      );
  }
  if (!platformSeen && ctx.base) {
    d.set(
      "architecture",
      "X86_64",
      "Copilot builds linux/x86_64 by default; ARM64 (Berth's default) costs less once the image builds for it",
    );
    report.note(
      g,
      p.svc.typeAt,
      "changed",
      "`architecture: X86_64`: Copilot's default platform is linux/x86_64, kept so the image still runs; Berth's default ARM64 is cheaper: drop the line once the image builds for arm64",
    );
  } else if (!platformSeen) d.set("architecture", "X86_64");
  if ((kind === "web" || kind === "internal") && p.port !== undefined) d.set("port", p.port);
  if (kind === "job" && d.get("schedule") === undefined)
    d.set(
      "schedule",
      PLACEHOLDER_SCHEDULE,
      "TODO: a placeholder that never runs before 2199; set the job's schedule",
    );
  if (kind === "job" && entry(node, "retries") === undefined) {
    d.set("retries", 0, "Copilot retries a job 0 times by default; Berth's default is 2");
    if (ctx.base)
      report.note(
        g,
        p.svc.typeAt,
        "changed",
        "`retries: 0`: Copilot does not retry a failed job unless told to; Berth retries twice by default, so the manifest keeps 0",
      );
  }
  return d;

  function mapImage(e: LEntry): void {
    if (!isLMap(e.value)) return;
    for (const ie of e.value.entries) {
      const path = `image.${ie.key}`;
      const v = ie.value;
      switch (ie.key) {
        case "build": {
          // A string is the Dockerfile (context: its folder); paths are from the workspace root.
          const dockerfile = isLMap(v) ? text(get(v, "dockerfile")) : text(v);
          const context = isLMap(v) ? text(get(v, "context")) : undefined;
          const dfAbs = dockerfile ? resolve(ctx.ws.root, dockerfile) : undefined;
          const ctxAbs = context ? resolve(ctx.ws.root, context) : dfAbs ? dirname(dfAbs) : ctx.ws.root;
          const paths = buildPaths(serviceDir, ctxAbs, dfAbs ?? resolve(ctxAbs, "Dockerfile"));
          if (paths.context !== ".") d.set("build.context", paths.context);
          if (paths.dockerfile !== "Dockerfile") d.set("build.dockerfile", paths.dockerfile);
          if (isLMap(v)) {
            const target = text(get(v, "target"));
            if (target) d.set("build.target", target);
            const args = get(v, "args");
            if (isLMap(args)) for (const a of args.entries) d.set(`build.args.${a.key}`, text(a.value) ?? "");
            for (const b of v.entries) {
              if (["dockerfile", "context", "target", "args"].includes(b.key)) continue;
              row(`${path}.${b.key}`, b.at, "dropped", "the pipeline builds the image (its cache, its tags)");
            }
          }
          row(
            path,
            ie.at,
            "mapped",
            `\`build: { context: ${paths.context}, dockerfile: ${paths.dockerfile} }\` (relative to the service's folder; Copilot's are relative to the workspace)`,
          );
          break;
        }
        case "location": {
          const image = text(v);
          d.set("image", image);
          if (image === undefined || pinnedImage(image)) row(path, ie.at, "mapped", `\`image: ${image}\``);
          else row(path, ie.at, "decide", `\`image: ${image}\` is a tag${allowTag(d, image)}`);
          break;
        }
        case "port":
          if (kind === "web" || kind === "internal") row(path, ie.at, "mapped", `\`port: ${text(v)}\``);
          else row(path, ie.at, "dropped", `a ${kind} takes no inbound traffic`);
          break;
        case "healthcheck": {
          if (!isLMap(v)) break;
          const f = (k: string) => {
            const x = entry(v, k);
            return x && text(x.value) !== undefined
              ? { value: text(x.value)!, path: `${g}.image.healthcheck.${k}`, at: x.at }
              : undefined;
          };
          const cmd = entry(v, "command");
          const words = cmd && isLSeq(cmd.value) ? cmd.value.items.map((i) => text(i) ?? "") : undefined;
          const lb = kind === "web" && isLMap(get(get(node, "http"), "healthcheck"));
          mapHealthCheck(d, report, g, {
            ...(words
              ? {
                  command: {
                    value: words[0] === "CMD" || words[0] === "CMD-SHELL" ? words : ["CMD", ...words],
                    path: `${g}.image.healthcheck.command`,
                    at: cmd!.at,
                  },
                }
              : {}),
            ...(!lb && f("interval") ? { interval: f("interval")! } : {}),
            ...(!lb && f("timeout") ? { timeout: f("timeout")! } : {}),
            ...(!lb && f("retries") ? { retries: f("retries")! } : {}),
            ...(!lb && f("start_period") ? { startPeriod: f("start_period")! } : {}),
          });
          if (lb) {
            for (const k of ["interval", "timeout", "retries", "start_period"]) {
              const x = entry(v, k);
              if (x)
                row(
                  `image.healthcheck.${k}`,
                  x.at,
                  "changed",
                  "Berth has one set of check timings, and the load balancer's (http.healthcheck) are kept",
                );
            }
          }
          break;
        }
        case "depends_on": {
          const success = isLMap(v)
            ? v.entries.filter((x) => /success|complete/.test(text(x.value) ?? "")).map((x) => x.key)
            : [];
          row(
            path,
            ie.at,
            success.length ? "decide" : "dropped",
            success.length
              ? `the app waited for ${list(success)} to finish: a one-off step before the app belongs in \`release: { command: […] }\` (run before each rollout)`
              : "Berth starts the task's containers together",
          );
          break;
        }
        case "credentials":
          row(
            path,
            ie.at,
            "decide",
            "a private registry's credentials: the pipeline pushes images to the environment's ECR; mirror the image there",
          );
          break;
        default:
          row(
            path,
            ie.at,
            "dropped",
            ie.key === "labels"
              ? "Docker labels are not copied"
              : "not read by the importer: Berth has no equivalent",
          );
      }
    }
  }

  function mapHttp(e: LEntry): void {
    const v = e.value;
    if (v.kind === "scalar" && (v.value === false || v.value === "false")) {
      row(
        "http",
        e.at,
        "decide",
        "no load balancer (http: false): Berth's web services are routed by the shared ALB; with an NLB only, make it internal or keep it outside Berth",
      );
      return;
    }
    if (!isLMap(v)) return;
    const internal = kind === "internal";
    for (const he of v.entries) {
      const path = `http.${he.key}`;
      const hv = he.value;
      if (internal && he.key !== "healthcheck") {
        row(
          path,
          he.at,
          "dropped",
          `an internal load balancer: Berth reaches internal services through Service Connect (http://${p.name}:${p.port ?? 8080}), no ALB rule`,
        );
        continue;
      }
      switch (he.key) {
        case "path": {
          const s = (text(hv) ?? "/").replace(/^\/+|\/+$/g, "");
          if (s === "") row(path, he.at, "mapped", "`/`: the catch-all route `/*` (the default)");
          else {
            d.set("http.paths", [`/${s}`, `/${s}/*`]);
            row(path, he.at, "mapped", `\`http.paths: ["/${s}", "/${s}/*"]\``);
          }
          break;
        }
        case "alias": {
          const names = isLSeq(hv)
            ? hv.items.map((i) => (isLMap(i) ? text(get(i, "name")) : text(i)) ?? "")
            : isLMap(hv)
              ? [text(get(hv, "name")) ?? ""]
              : [text(hv) ?? ""];
          d.set("http.hosts", names.slice(0, 3));
          row(
            path,
            he.at,
            names.length > 3 ? "decide" : "mapped",
            `\`http.hosts: ${JSON.stringify(names.slice(0, 3))}\`${names.length > 3 ? " (Berth takes 3 hosts per service: choose)" : ""}; DNS records and certificates are the environment's`,
          );
          break;
        }
        case "healthcheck": {
          if (internal) {
            row(
              path,
              he.at,
              "decide",
              "the internal load balancer's check: an internal service has no load balancer; give the container a check (`healthCheck.command`)",
            );
            break;
          }
          if (isLMap(hv)) {
            const f = (k: string) => {
              const x = entry(hv, k);
              return x && text(x.value) !== undefined
                ? { value: text(x.value)!, path: `${g}.http.healthcheck.${k}`, at: x.at }
                : undefined;
            };
            const pth = entry(hv, "path");
            if (pth) {
              d.set("healthCheck.path", text(pth.value));
              row(`${path}.path`, pth.at, "mapped", `\`healthCheck.path: ${text(pth.value)}\``);
            }
            mapHealthCheck(d, report, g, {
              ...(f("interval") ? { interval: f("interval")! } : {}),
              ...(f("timeout") ? { timeout: f("timeout")! } : {}),
              ...(f("unhealthy_threshold") ? { retries: f("unhealthy_threshold")! } : {}),
              ...(f("grace_period") ? { startPeriod: f("grace_period")! } : {}),
            });
            const ht = entry(hv, "healthy_threshold");
            if (ht) {
              const c = clamp(Number(text(ht.value)), 2, 10, "healthy threshold");
              d.set("healthCheck.healthyThreshold", c.value);
              row(
                `${path}.healthy_threshold`,
                ht.at,
                c.note ? "changed" : "mapped",
                `\`healthCheck.healthyThreshold: ${c.value}\`${c.note ? ` (${c.note})` : ""}`,
              );
            }
            for (const k of ["success_codes", "port"]) {
              const x = entry(hv, k);
              if (x)
                row(
                  `${path}.${k}`,
                  x.at,
                  "dropped",
                  k === "port"
                    ? "the load balancer checks the service's port"
                    : "the load balancer expects 200-399",
                );
            }
          } else {
            d.set("healthCheck.path", text(hv));
            row(path, he.at, "mapped", `\`healthCheck.path: ${text(hv)}\``);
          }
          break;
        }
        case "deregistration_delay": {
          const s = seconds(text(hv));
          if (s === undefined) row(path, he.at, "dropped", `\`${text(hv)}\` is not a duration`);
          else {
            const c = clamp(s, 0, 3600, "deregistration delay (seconds)");
            d.set("deregistrationDelaySeconds", c.value);
            row(path, he.at, c.note ? "changed" : "mapped", `\`deregistrationDelaySeconds: ${c.value}\``);
          }
          break;
        }
        case "hosted_zone":
          row(path, he.at, "dropped", "DNS records are the environment's, not the service's");
          break;
        case "redirect_to_https":
          row(path, he.at, "dropped", "the environment's load balancer sets its listeners (HTTP to HTTPS)");
          break;
        case "stickiness":
          row(
            path,
            he.at,
            "decide",
            "sticky sessions: Berth's target groups have none; keep sessions out of the tasks (a cache resource)",
          );
          break;
        case "allowed_source_ips":
          row(
            path,
            he.at,
            "decide",
            "a source IP allow-list: the shared load balancer has none per service; restrict at the environment (WAF) or in the app",
          );
          break;
        case "private":
          row(
            path,
            he.at,
            "decide",
            "App Runner's private endpoint: make the service internal (reached through Service Connect)",
          );
          break;
        default:
          row(
            path,
            he.at,
            "decide",
            `http.${he.key}: Berth's routes are hosts and paths on the shared load balancer; set it up by hand if needed`,
          );
      }
    }
  }

  function mapCount(e: LEntry): void {
    const v = e.value;
    if (kind === "job") {
      row("count", e.at, "dropped", "a job runs one task per schedule");
      return;
    }
    if (v.kind === "scalar") {
      const n = Number(v.value);
      if (Number.isInteger(n)) {
        d.set("count", n);
        row("count", e.at, "mapped", `\`count: ${n}\``);
      } else
        row(
          "count",
          e.at,
          "dropped",
          `${String(v.value)}: an App Runner autoscaling configuration; Berth scales with \`count: { min, max, cpuTarget }\``,
        );
      return;
    }
    if (!isLMap(v)) return;
    const range = entry(v, "range");
    let min: number | undefined;
    let max: number | undefined;
    if (range) {
      if (isLMap(range.value)) {
        min = Number(text(get(range.value, "min")));
        max = Number(text(get(range.value, "max")));
        const spot = entry(range.value, "spot_from");
        for (const r of range.value.entries) {
          if (r.key === "spot_from") continue;
          row(`count.range.${r.key}`, r.at, "mapped", `\`count.${r.key}: ${text(r.value)}\``);
        }
        if (spot)
          row(
            "count.range.spot_from",
            spot.at,
            "decide",
            `Fargate Spot from task ${text(spot.value)} on: Berth runs every task on on-demand Fargate (Spot would cost less for a service that tolerates interruptions)`,
          );
      } else {
        const m = /^(\d+)-(\d+)$/.exec(text(range.value) ?? "");
        if (m) {
          min = Number(m[1]);
          max = Number(m[2]);
          row("count.range", range.at, "mapped", `\`count: { min: ${min}, max: ${max} }\``);
        } else row("count.range", range.at, "dropped", `\`${text(range.value)}\` is not n-m`);
      }
    }
    const count: Record<string, number> = {};
    if (min !== undefined && Number.isInteger(min)) count.min = min;
    if (max !== undefined && Number.isInteger(max)) count.max = max;
    const metric = (k: string) => {
      const x = entry(v, k);
      if (!x) return undefined;
      const value = isLMap(x.value) ? get(x.value, "value") : x.value;
      if (isLMap(x.value) && get(x.value, "cooldown"))
        row(`count.${k}.cooldown`, x.at, "dropped", "Berth's target tracking uses its own cooldowns");
      return {
        at: x.at,
        value: text(value) ?? "",
        path: isLMap(x.value) ? `count.${k}.value` : `count.${k}`,
      };
    };
    const cpu = metric("cpu_percentage");
    if (cpu) {
      count.cpuTarget = Number(cpu.value);
      row(cpu.path, cpu.at, "mapped", `\`count.cpuTarget: ${cpu.value}\``);
    }
    const mem = metric("memory_percentage");
    if (mem) {
      count.memoryTarget = Number(mem.value);
      row(mem.path, mem.at, "mapped", `\`count.memoryTarget: ${mem.value}\``);
    }
    const req = metric("requests");
    if (req) {
      if (kind === "web") {
        count.requestsPerTarget = Number(req.value);
        row(req.path, req.at, "mapped", `\`count.requestsPerTarget: ${req.value}\``);
      } else row(req.path, req.at, "dropped", "request-count scaling applies to web services");
    }
    const rt = metric("response_time");
    if (rt)
      row(
        rt.path,
        rt.at,
        "decide",
        `scaling on response time (${rt.value}): Berth scales on CPU, memory or requests per task; choose a target`,
      );
    const qd = entry(v, "queue_delay");
    if (qd && isLMap(qd.value)) {
      const latency = durationSeconds(text(get(qd.value, "acceptable_latency")) ?? "");
      const each = durationSeconds(text(get(qd.value, "msg_processing_time")) ?? "");
      if (kind === "worker" && latency && each) {
        count.backlogPerTask = Math.max(1, Math.floor(latency / each));
        row(
          "count.queue_delay",
          qd.at,
          "mapped",
          `\`count.backlogPerTask: ${count.backlogPerTask}\` (acceptable latency ÷ time per message, as Copilot computes it)`,
        );
      } else
        row(
          "count.queue_delay",
          qd.at,
          "dropped",
          kind === "worker" ? "needs acceptable_latency and msg_processing_time" : "applies to workers",
        );
    }
    const cd = entry(v, "cooldown");
    if (cd) row("count.cooldown", cd.at, "dropped", "Berth's target tracking uses its own cooldowns");
    const spot = entry(v, "spot");
    if (spot) {
      d.set("count", Number(text(spot.value)));
      row(
        "count.spot",
        spot.at,
        "decide",
        `\`count: ${text(spot.value)}\` on on-demand Fargate: Berth does not run Fargate Spot`,
      );
      return;
    }
    if (count.max === undefined) {
      if (Object.keys(count).length)
        row("count", e.at, "decide", "autoscaling needs a range (count.range: min-max)");
      return;
    }
    d.set("count", count);
  }

  function mapDeployment(e: LEntry): void {
    if (!isLMap(e.value)) return;
    for (const de of e.value.entries) {
      if (de.key === "rolling") {
        if (text(de.value) === "recreate") {
          d.set("deployment.minHealthyPercent", 0);
          d.set("deployment.maxPercent", 100);
          row(
            "deployment.rolling",
            de.at,
            "mapped",
            "`deployment: { minHealthyPercent: 0, maxPercent: 100 }` (stop the old tasks, then start new ones)",
          );
        } else
          row("deployment.rolling", de.at, "mapped", "new tasks first (Berth's default rolling deployment)");
      } else if (de.key === "rollback_alarms") {
        row(
          "deployment.rollback_alarms",
          de.at,
          "changed",
          "Berth rolls back on the service's own alarms (`deployment.rollbackOnAlarms`, on by default)",
        );
      } else
        row(`deployment.${de.key}`, de.at, "dropped", "not read by the importer: Berth has no equivalent");
    }
  }

  function mapNetwork(e: LEntry): void {
    if (!isLMap(e.value)) return;
    for (const ne of e.value.entries) {
      if (ne.key === "connect") {
        const alias = isLMap(ne.value) ? text(get(ne.value, "alias")) : undefined;
        if (alias && alias !== p.name)
          row(
            "network.connect",
            ne.at,
            "decide",
            `the Service Connect alias ${alias}: Berth's alias is the service's name (${p.name}); callers must use http://${p.name}:${p.port ?? 8080}`,
          );
        else
          row(
            "network.connect",
            ne.at,
            "mapped",
            kind === "internal"
              ? `Service Connect: callers list it in \`calls\` and reach http://${p.name}:${p.port ?? 8080}`
              : "Service Connect: Berth connects every service to the environment's namespace",
          );
      } else if (ne.key === "vpc" && isLMap(ne.value)) {
        for (const ve of ne.value.entries) {
          const path = `network.vpc.${ve.key}`;
          if (ve.key === "placement") {
            const where = text(ve.value);
            if (where === "private") row(path, ve.at, "mapped", "private subnets (Berth's placement)");
            else
              row(
                path,
                ve.at,
                "changed",
                `${where ?? brief(ve.value)}: Berth runs tasks in the environment's private subnets (out through its NAT)`,
              );
          } else if (ve.key === "security_groups") {
            row(
              path,
              ve.at,
              "decide",
              "extra security groups: Berth opens paths through `calls` and `uses`; anything else is the platform's",
            );
          } else row(path, ve.at, "dropped", "not read by the importer: Berth has no equivalent");
        }
      } else row(`network.${ne.key}`, ne.at, "dropped", "not read by the importer: Berth has no equivalent");
    }
  }

  /** The value with each internal service's service discovery host replaced by its Berth name. */
  function serviceDiscovery(value: string): { value: string; hosts: string[] } | undefined {
    const app = ctx.ws.application?.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const appPart = `(?:\\$\\{COPILOT_APPLICATION_NAME\\}${app ? `|${app}` : ""})`;
    const re = new RegExp(
      `(^|://|@)([a-z][a-z0-9-]*)\\.\\$\\{COPILOT_ENVIRONMENT_NAME\\}\\.${appPart}\\.local(?=$|[:/])`,
      "g",
    );
    const hosts: string[] = [];
    const out = value.replace(re, (all, lead: string, svc: string) => {
      const t = ctx.byName.get(svc);
      if (t?.kind !== "internal") return all;
      hosts.push(all.slice(lead.length));
      return `${lead}${t.name}`;
    });
    return hosts.length ? { value: out, hosts } : undefined;
  }

  function setVariable(
    name: string,
    value: string,
    path: string,
    at: Position | undefined,
    from: string,
  ): void {
    if (isAwsCredential(name)) {
      report.add(
        g,
        path,
        at,
        "dropped",
        "AWS credentials are never copied: the task role gives the service its AWS access",
      );
      return;
    }
    if (!validEnvName(name)) {
      report.add(g, path, at, "decide", `${name} is not a name ECS takes (letters, digits and _): rename it`);
      return;
    }
    if (secretName(name) || credentialsInUrl(value)) {
      moveToSecrets(
        d,
        report,
        { group: g, path, at },
        name,
        secretName(name) ? "a secret by its name" : "a URL with a password in it",
        from,
      );
      return;
    }
    // Copilot's service discovery name (payments.${COPILOT_ENVIRONMENT_NAME}.${COPILOT_APPLICATION_NAME}.local)
    // of an internal service is its Service Connect name in Berth, in every environment.
    const discovery = serviceDiscovery(value);
    const written = discovery?.value ?? value;
    d.set(`environment.${name}`, written);
    d.origins.set(name, path);
    const renamed = discovery
      ? `: ${list(discovery.hosts)} ${discovery.hosts.length === 1 ? "is" : "are"} Copilot's service discovery name${discovery.hosts.length === 1 ? "" : "s"}; Berth's Service Connect name is the service's own, the same in every environment`
      : "";
    if (/\$\{[A-Za-z_]/.test(written)) {
      report.add(
        g,
        path,
        at,
        "decide",
        `\`environment.${name}: ${JSON.stringify(written)}\`${renamed}: Copilot substituted \${…} at deploy time; Berth does not: write the value for each environment`,
      );
    } else
      report.add(
        g,
        path,
        at,
        discovery ? "changed" : "mapped",
        `\`environment.${name}: ${JSON.stringify(written)}\`${renamed}`,
      );
  }

  function mapVariables(e: LEntry): void {
    if (!isLMap(e.value)) return;
    for (const ve of e.value.entries) {
      const path = `${g}.variables.${ve.key}`;
      if (isLMap(ve.value) && get(ve.value, "from_cfn")) {
        report.add(
          g,
          path,
          ve.at,
          "decide",
          `the CloudFormation export ${text(get(ve.value, "from_cfn"))}: Berth reads no exports; write the value, or link the resource with \`uses\``,
        );
        continue;
      }
      setVariable(ve.key, text(ve.value) ?? "", path, ve.at, `the value at ${fmtLine(ve.value)}`);
    }
  }

  function mapEnvFile(e: LEntry): void {
    const file = text(e.value) ?? "";
    const abs = resolve(ctx.ws.root, file);
    if (!existsSync(abs)) {
      row(
        "env_file",
        e.at,
        "decide",
        `${file} is not in the workspace: copy its variables into \`environment\``,
      );
      return;
    }
    row("env_file", e.at, "mapped", `read ${file}: its variables are listed as env_file.<NAME>`);
    const entries = parseEnvFile(readFileSync(abs, "utf8"), {
      shown: ctx.ws.shownOf(abs),
      lookup: () => undefined,
      raw: true,
      hint: "",
    });
    for (const v of entries) {
      if (v.value === undefined) continue;
      if (d.get(`environment.${v.name}`) !== undefined || d.get(`secrets.${v.name}`) !== undefined) {
        report.add(g, `${g}.env_file.${v.name}`, v.at, "dropped", "set in variables too, which wins");
        continue;
      }
      setVariable(v.name, v.value, `${g}.env_file.${v.name}`, v.at, `the value at ${fmtLine(v.at)}`);
    }
  }

  function mapSecrets(e: LEntry): void {
    if (!isLMap(e.value)) return;
    for (const se of e.value.entries) {
      const path = `${g}.secrets.${se.key}`;
      const sv = se.value;
      // Copilot's own variable for the environment is Berth's <env>; its application's name is the
      // workspace's (copilot/.workspace), so the name to copy from is the one in the account.
      const app = ctx.ws.application;
      const envified = (s: string) => {
        const named = s.replaceAll(/\$\{COPILOT_ENVIRONMENT_NAME\}/g, "<env>");
        return app ? named.replaceAll(/\$\{COPILOT_APPLICATION_NAME\}/g, app) : named;
      };
      if (isLMap(sv) && get(sv, "secretsmanager")) {
        const ref = text(get(sv, "secretsmanager")) ?? "";
        const [id = "", key] = ref.split(":");
        const tail = parameterName(
          envified(id)
            .split("/")
            .filter((x) => x && x !== "<env>")
            .at(-1) ?? se.key,
        );
        const name = `berth/<env>/${p.name}/${tail}`;
        d.set(`secrets.${se.key}`, { secretsManager: name, ...(key ? { key } : {}) });
        d.origins.set(se.key, path);
        report.secrets.push({
          name,
          store: "Secrets Manager",
          service: p.name,
          variable: se.key,
          from: `the secret ${envified(id)}${key ? ` (key ${key})` : ""}: copy it`,
        });
        report.add(
          g,
          path,
          se.at,
          "changed",
          `\`secrets.${se.key}: { secretsManager: ${name}${key ? `, key: ${key}` : ""} }\`: the environment's tasks read only secrets under berth/<env>/; copy ${envified(id)} there`,
        );
      } else if (isLMap(sv) && get(sv, "from_cfn")) {
        report.add(
          g,
          path,
          se.at,
          "decide",
          `the CloudFormation export ${text(get(sv, "from_cfn"))}: Berth reads no exports; store the secret in SSM under /berth/<env>/${p.name}/ and reference it`,
        );
      } else {
        const param = envified(text(sv) ?? "");
        if (param.startsWith("/berth/<env>/")) {
          d.set(`secrets.${se.key}`, { ssm: param });
          d.origins.set(se.key, path);
          report.add(g, path, se.at, "mapped", `\`secrets.${se.key}: { ssm: ${param} }\``);
          continue;
        }
        const name = `/berth/<env>/${p.name}/${parameterName(se.key)}`;
        d.set(`secrets.${se.key}`, { ssm: name });
        d.origins.set(se.key, path);
        report.secrets.push({
          name,
          store: "SSM Parameter Store (SecureString)",
          service: p.name,
          variable: se.key,
          from: `the SSM parameter ${param}: copy it`,
        });
        report.add(
          g,
          path,
          se.at,
          "changed",
          `\`secrets.${se.key}: { ssm: ${name} }\`: the environment's tasks read only parameters under /berth/<env>/; copy ${param} there`,
        );
      }
    }
  }

  function mapStorage(e: LEntry): void {
    if (!isLMap(e.value)) return;
    for (const st of e.value.entries) {
      const path = `storage.${st.key}`;
      if (st.key === "ephemeral") {
        row(
          path,
          st.at,
          "decide",
          `${text(st.value)} GiB of task storage: Berth's tasks have Fargate's default 20 GiB`,
        );
      } else if (st.key === "readonly_fs") {
        const on = st.value.kind === "scalar" && (st.value.value === true || st.value.value === "true");
        row(
          path,
          st.at,
          on ? "mapped" : "decide",
          on
            ? "Berth always runs tasks with a read-only root file system"
            : "Berth runs every task with a read-only root file system: the app may write only to volumes",
        );
      } else if (st.key === "volumes" && isLMap(st.value)) {
        for (const vol of st.value.entries) mapVolume(vol);
      } else row(path, st.at, "dropped", "not read by the importer: Berth has no equivalent");
    }
  }

  function mapVolume(vol: LEntry): void {
    const path = `storage.volumes.${vol.key}`;
    if (!isLMap(vol.value)) return;
    const target = text(get(vol.value, "path"));
    const ro = get(vol.value, "read_only");
    const readOnly = !(ro?.kind === "scalar" && (ro.value === false || ro.value === "false"));
    const efs = get(vol.value, "efs");
    const managed =
      efs?.kind === "scalar" ? efs.value === true || efs.value === "true" : isLMap(efs) && !get(efs, "id");
    // Copilot's managed EFS gives each service its own directory: names are per service here, so a
    // name another service already has becomes <service>-<volume>.
    const base = resourceName(vol.key) ?? "files";
    const owner = ctx.volumes.get(base);
    const name =
      owner === undefined || owner === p.name ? base : (resourceName(`${p.name}-${vol.key}`) ?? base);
    ctx.volumes.set(name, p.name);
    if (!efs) {
      row(
        path,
        vol.at,
        "decide",
        `a scratch volume at ${target} (task storage shared with sidecars): Berth gives a task a read-only root and no scratch volumes; use a volume resource, or /tmp in the image`,
      );
      return;
    }
    const settings: Record<string, unknown> = { type: "volume", ...(target ? { path: target } : {}) };
    if (isLMap(efs)) {
      const uid = text(get(efs, "uid"));
      const gid = text(get(efs, "gid"));
      if (uid || gid)
        settings.posixUser = { ...(uid ? { uid: Number(uid) } : {}), ...(gid ? { gid: Number(gid) } : {}) };
    }
    d.set(`resources.${name}`, settings);
    d.push("uses", readOnly ? { [name]: "read" } : name);
    const access = readOnly
      ? `\`uses: { ${name}: read }\` (Copilot mounts read-only unless read_only: false)`
      : `\`uses: ${name}\``;
    if (managed) {
      const renamed =
        name !== base
          ? ` (named ${name}: ${owner} has a volume ${base} too, and a resource name is unique)`
          : "";
      row(
        path,
        vol.at,
        renamed ? "changed" : "mapped",
        `the volume resource \`${name}\`${renamed} (type volume, path ${target})${settings.posixUser ? ` with its POSIX user` : ""}, ${access}; copy the data from Copilot's file system (AWS DataSync)`,
      );
    } else {
      row(
        path,
        vol.at,
        "decide",
        `the existing file system ${text(get(efs, "id")) ?? brief(get(efs, "id"))}: a new volume resource \`${name}\` (path ${target}) replaces it, ${access}; copy the data over (AWS DataSync), or keep the old one outside Berth`,
      );
    }
  }

  function mapSubscribe(e: LEntry): void {
    if (!isLMap(e.value)) return;
    for (const se of e.value.entries) {
      if (se.key === "topics" && isLSeq(se.value)) {
        se.value.items.forEach((t, i) => {
          const topic = `${text(get(t, "service")) ?? "?"}/${text(get(t, "name")) ?? "?"}`;
          row(
            `subscribe.topics[${i}]`,
            t,
            "decide",
            `the SNS topic ${topic}: Berth has no topics; the worker consumes its own SQS queue (QUEUE_URL): have ${text(get(t, "service")) ?? "the publisher"} send to it${get(t, "filter_policy") ? " (and filter in the worker)" : ""}`,
          );
        });
      } else if (se.key === "queue" && isLMap(se.value)) {
        for (const q of se.value.entries) {
          const path = `subscribe.queue.${q.key}`;
          if (q.key === "timeout") {
            const s = durationSeconds(text(q.value) ?? "");
            if (s === undefined) row(path, q.at, "dropped", `\`${text(q.value)}\` is not a duration`);
            else {
              const processing = Math.max(1, Math.round(s / 6));
              d.set("queue.processingSeconds", processing);
              row(
                path,
                q.at,
                "changed",
                `\`queue.processingSeconds: ${processing}\`: Berth's visibility timeout is six times the processing time (${processing * 6} s for Copilot's ${text(q.value)})`,
              );
            }
          } else if (q.key === "retention") {
            const s = durationSeconds(text(q.value) ?? "");
            const days = s === undefined ? undefined : Math.round(s / 86_400);
            if (days === undefined) row(path, q.at, "dropped", `\`${text(q.value)}\` is not a duration`);
            else {
              const c = clamp(Math.max(1, days), 1, 14, "retention (days)");
              d.set("queue.retentionDays", c.value);
              row(
                path,
                q.at,
                c.note || days * 86_400 !== s ? "changed" : "mapped",
                `\`queue.retentionDays: ${c.value}\`${days * 86_400 !== s ? ` (${text(q.value)} in whole days)` : ""}`,
              );
            }
          } else if (q.key === "dead_letter") {
            const tries = Number(text(get(q.value, "tries")));
            if (Number.isInteger(tries)) {
              const c = clamp(tries, 1, 1000, "tries");
              d.set("queue.maxReceiveCount", c.value);
              row(
                path,
                q.at,
                "mapped",
                `\`queue.maxReceiveCount: ${c.value}\` (Berth always has a dead-letter queue)`,
              );
            } else row(path, q.at, "dropped", "no tries");
          } else if (q.key === "delay") {
            row(
              path,
              q.at,
              "decide",
              `a delivery delay (${text(q.value)}): Berth's queue delivers at once; delay in the publisher (SQS DelaySeconds per message)`,
            );
          } else if (q.key === "fifo") {
            row(
              path,
              q.at,
              "decide",
              "a FIFO queue: a worker's own queue is standard; use a `queue` resource with `fifo: true` if order matters",
            );
          } else row(path, q.at, "dropped", "not read by the importer: Berth has no equivalent");
        }
      } else
        row(`subscribe.${se.key}`, se.at, "dropped", "not read by the importer: Berth has no equivalent");
    }
  }

  function mapOn(e: LEntry): void {
    const sched = entry(isLMap(e.value) ? e.value : undefined, "schedule");
    if (!sched) return;
    const value = text(sched.value) ?? "";
    const c = toEventBridge(value);
    if ("expression" in c) {
      d.set(
        "schedule",
        c.expression,
        c.expression === value ? undefined : `${value} in EventBridge Scheduler's syntax (UTC)`,
      );
      row(
        "on.schedule",
        sched.at,
        c.note ? "changed" : "mapped",
        `\`schedule: ${c.expression}\`${c.expression === value ? "" : ` (${value} in EventBridge Scheduler's syntax, UTC${c.note ? `; ${c.note}` : ""})`}`,
      );
    } else {
      d.set(
        "schedule",
        PLACEHOLDER_SCHEDULE,
        value === "none"
          ? "TODO: disabled in Copilot (schedule: none); a placeholder that never runs before 2199"
          : `TODO: ${value} could not be converted; a placeholder that never runs before 2199`,
      );
      row(
        "on.schedule",
        sched.at,
        "decide",
        `${c.problem}: the manifest has the placeholder \`${PLACEHOLDER_SCHEDULE}\` (never runs before 2199)${value === "none" ? "; Berth has no disabled jobs: keep the placeholder, or remove the job" : "; write the schedule in EventBridge's syntax"}`,
      );
    }
  }

  function mapSidecars(e: LEntry): void {
    if (!isLMap(e.value)) return;
    const out: Record<string, unknown>[] = [];
    for (const s of e.value.entries) {
      const path = `sidecars.${s.key}`;
      if (!isLMap(s.value)) continue;
      const image = get(s.value, "image");
      if (!text(image)) {
        row(
          path,
          s.at,
          "decide",
          "a sidecar built from a Dockerfile: Berth's sidecars take a pushed image; build and push it, then give `image`",
        );
        continue;
      }
      const sidecar: Record<string, unknown> = { name: s.key, image: text(image) };
      const notes: string[] = [];
      for (const f of s.value.entries) {
        const v = f.value;
        switch (f.key) {
          case "image":
            break;
          case "essential":
            if (v.kind === "scalar" && (v.value === false || v.value === "false"))
              notes.push("essential: false");
            break;
          case "variables":
            if (isLMap(v))
              sidecar.environment = Object.fromEntries(v.entries.map((x) => [x.key, text(x.value) ?? ""]));
            break;
          case "command":
          case "entrypoint": {
            const words = isLSeq(v) ? v.items.map((i) => text(i) ?? "") : shellWords(text(v) ?? "");
            if (words?.length && f.key === "command") sidecar.command = words;
            else notes.push(`${f.key} not copied`);
            break;
          }
          case "port":
            notes.push("its port (sidecars get no port mapping)");
            break;
          default:
            notes.push(`${f.key} not copied`);
        }
      }
      // Copilot's sidecars are essential unless told otherwise; Berth's are not.
      const essential = !notes.includes("essential: false");
      if (essential) sidecar.essential = true;
      out.push(sidecar);
      const dropped = notes.filter((n) => n !== "essential: false");
      const tagged = !pinnedImage(text(image)!);
      row(
        path,
        s.at,
        tagged ? "decide" : dropped.length ? "changed" : "mapped",
        `a sidecar \`${s.key}\` (${text(image)}${essential ? ", essential as in Copilot" : ""})${dropped.length ? `; ${dropped.join(", ")}` : ""}${tagged ? `; its image is a tag${allowTag(d, text(image)!)}` : ""}`,
      );
    }
    if (out.length) d.set("sidecars", out);
  }
}
