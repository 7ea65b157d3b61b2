import type { CostDelta } from "./cost.js";
import type { Diff, ResourceChange } from "./diff.js";
import { formatMoney } from "./format.js";
import { code, fenced, html } from "./markdown.js";
import { formatDuration, type RolloutDelta } from "./rollout.js";

/** A policy finding as @berth/policies reports it (the fields the report reads). */
export interface ReviewFinding {
  rule: string;
  /** The AWS Security Hub control it mirrors (`ECS.2`). */
  control?: string;
  severity: string;
  level: "mandatory" | "advisory";
  status: "violation" | "waived";
  message: string;
  urn?: string;
  name?: string;
}

export interface ReviewPolicy {
  findings: ReviewFinding[];
}

/** Everything the report says about one stack. */
export interface StackReview {
  /** `project/stack`. */
  stack: string;
  diff: Diff;
  cost?: CostDelta;
  rollout?: RolloutDelta[];
  policy?: ReviewPolicy;
  /** The head program failed: the report says so instead of a diff. */
  error?: string;
}

/** The hidden marker a CI job finds its one comment by. */
export const REPORT_MARKER = "<!-- berth-review -->";

function countsLine(d: Diff): string {
  const c = d.counts;
  if (c.create + c.update + c.replace + c.delete === 0)
    return d.outputs.length
      ? `${d.outputs.length} output${d.outputs.length === 1 ? "" : "s"} changed`
      : "no changes";
  return `+${c.create} ~${c.update} -${c.delete} ±${c.replace}`;
}

function costCell(c?: CostDelta): string {
  if (!c) return "–";
  const sign = c.deltaMonthly > 0 ? "+" : c.deltaMonthly < 0 ? "−" : "±";
  return `${sign}${formatMoney(Math.abs(c.deltaMonthly))}/mo (${formatMoney(c.baseMonthly)} → ${formatMoney(c.headMonthly)})`;
}

function rolloutCell(r?: RolloutDelta[]): string {
  if (!r) return "–";
  if (!r.length) return "±0s";
  const worst = r.reduce((a, b) => (Math.abs(b.deltaSeconds) > Math.abs(a.deltaSeconds) ? b : a));
  const sign = worst.deltaSeconds > 0 ? "+" : worst.deltaSeconds < 0 ? "−" : "±";
  return `${sign}${formatDuration(worst.deltaSeconds)} (${code(worst.name)})`;
}

/** The policy verdict: failed on a mandatory violation, warnings for advisory ones, waivers counted. */
export function policyVerdict(p?: ReviewPolicy): string {
  if (!p) return "–";
  const v = p.findings.filter((f) => f.status === "violation");
  const mandatory = v.filter((f) => f.level === "mandatory").length;
  const advisory = v.length - mandatory;
  const waived = p.findings.length - v.length;
  const parts = [
    mandatory ? `❌ ${mandatory} mandatory` : advisory ? "⚠️" : "✅ pass",
    ...(advisory ? [`${advisory} advisory`] : []),
    ...(waived ? [`${waived} waived`] : []),
  ];
  return parts.join(", ").replace("⚠️, ", "⚠️ ");
}

const KIND_WORD: Record<ResourceChange["kind"], string> = {
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
};

function changeLine(c: ResourceChange): string {
  const may = c.certainty === "may-replace" ? " (may replace)" : "";
  const prot = c.protect ? " (protected)" : "";
  return `- ${KIND_WORD[c.kind]}${may} ${code(c.type)} ${code(c.name)}${prot}`;
}

function propertyBlock(c: ResourceChange): string {
  if (!c.properties.length) return "";
  const lines = c.properties.map(
    (p) => `${p.path}: ${p.old} → ${p.new}${p.replaces ? "  (forces replacement)" : ""}`,
  );
  return `\n\n${fenced(lines.join("\n"))}\n`;
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body.trim()}\n\n</details>`;
}

function stackSection(s: StackReview): string {
  const out: string[] = [];
  if (s.error) {
    out.push(`### ${code(s.stack)}\n\nThe program failed:\n\n${fenced(s.error)}`);
    return out.join("\n");
  }
  const d = s.diff;
  const changes = d.changes;
  if (!changes.length && !d.outputs.length && !s.policy?.findings.length) return "";
  out.push(`### ${code(s.stack)}`);
  const groups: [string, ResourceChange[]][] = [
    ["replace", changes.filter((c) => c.kind === "replace")],
    ["delete", changes.filter((c) => c.kind === "delete")],
    ["update", changes.filter((c) => c.kind === "update")],
    ["create", changes.filter((c) => c.kind === "create")],
  ];
  for (const [kind, list] of groups) {
    if (!list.length) continue;
    const body = list.map((c) => changeLine(c) + propertyBlock(c)).join("\n");
    out.push(details(`${list.length} to ${kind}`, body));
  }
  if (d.outputs.length) {
    const body = d.outputs
      .map((o) => `- ${o.kind} ${code(o.name)}: ${code(o.old)} → ${code(o.new)}`)
      .join("\n");
    out.push(details(`${d.outputs.length} stack output${d.outputs.length === 1 ? "" : "s"} changed`, body));
  }
  if (s.cost?.lines.length) {
    const rows = s.cost.lines.map(
      (l) =>
        `| ${code(l.name)} | ${code(l.what)} | ${formatMoney(l.base)} | ${formatMoney(l.head)} | ${l.delta >= 0 ? "+" : "−"}${formatMoney(Math.abs(l.delta))} |`,
    );
    out.push(
      details(
        `Idle cost ${costCell(s.cost)}`,
        ["| Resource | Item | Base | Head | Δ |", "|---|---|---|---|---|", ...rows].join("\n"),
      ),
    );
  }
  if (s.rollout?.length) {
    const rows = s.rollout.map(
      (r) =>
        `| ${code(r.name)} | ${r.baseSeconds === null ? "–" : formatDuration(r.baseSeconds)} | ${r.headSeconds === null ? "–" : formatDuration(r.headSeconds)} |`,
    );
    out.push(
      details("Worst-case rollout time", ["| Service | Base | Head |", "|---|---|---|", ...rows].join("\n")),
    );
  }
  if (s.policy?.findings.length) {
    const rows = s.policy.findings.map(
      (f) =>
        `| ${f.status === "waived" ? "waived" : f.level} | ${code(f.severity)} | ${code(f.rule)}${f.control ? ` (${code(f.control)})` : ""} | ${f.name ? code(f.name) : "–"} | ${code(f.message)} |`,
    );
    out.push(
      details(
        `Policies: ${html(policyVerdict(s.policy))}`,
        ["| Level | Severity | Rule | Resource | Finding |", "|---|---|---|---|---|", ...rows].join("\n"),
      ),
    );
  }
  return out.join("\n\n");
}

/**
 * One pull-request comment for a set of stacks: the marker, a summary table (per stack the
 * +create ~update -delete ±replace counts, the idle-cost delta, the largest rollout-time delta
 * and the policy verdict), then replacements and deletions of stateful resources in bold, then
 * per stack only what changed in collapsed sections. Every program-derived string is rendered
 * as code (inline or fenced), so no name, value or message can inject markdown, HTML or a
 * mention.
 */
export function renderReport(stacks: StackReview[], options: { base?: string; head?: string } = {}): string {
  const out: string[] = [REPORT_MARKER, "## Berth review", ""];
  if (options.base !== undefined || options.head !== undefined) {
    out.push(`Base ${code(options.base ?? "(none)")} → head ${code(options.head ?? "(none)")}`, "");
  }
  out.push("| Stack | Changes | Idle cost | Rollout | Policies |", "|---|---|---|---|---|");
  for (const s of stacks) {
    out.push(
      s.error
        ? `| ${code(s.stack)} | program failed | – | – | – |`
        : `| ${code(s.stack)} | ${countsLine(s.diff)} | ${costCell(s.cost)} | ${rolloutCell(s.rollout)} | ${policyVerdict(s.policy)} |`,
    );
  }
  const danger = stacks.flatMap((s) =>
    (s.diff?.changes ?? [])
      .filter(
        (c) => c.stateful && (c.kind === "replace" || c.kind === "delete" || c.certainty === "may-replace"),
      )
      .map((c) => ({ s, c })),
  );
  if (danger.length) {
    out.push("");
    for (const { s, c } of danger) {
      const verb = c.kind === "delete" ? "deletes" : c.kind === "replace" ? "replaces" : "may replace";
      const by = c.properties.filter((p) => p.replaces).map((p) => code(p.path));
      out.push(
        `- **${code(s.stack)} ${verb} ${code(c.type)} ${code(c.name)}**${by.length ? ` (${by.join(", ")})` : ""}`,
      );
    }
  }
  const sections = stacks.map(stackSection).filter(Boolean);
  if (sections.length) out.push("", sections.join("\n\n"));
  else out.push("", "No changes.");
  return `${out.join("\n")}\n`;
}
