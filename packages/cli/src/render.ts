import { type RecordedResource, type RunRecord, RunResult, STACK_TYPE } from "@berth/testing";
import type { Style } from "./style.js";

interface TreeRow {
  depth: number;
  prefix: string;
  resource: RecordedResource;
}

/** Resources as Pulumi's preview shows them: a tree under the stack, in registration order. */
export function resourceTree(record: RunRecord): TreeRow[] {
  const byParent = new Map<string, RecordedResource[]>();
  const urns = new Set(record.resources.map((r) => r.urn));
  const root = record.resources.find((r) => r.type === STACK_TYPE);
  for (const r of record.resources) {
    if (r === root) continue;
    const parent = r.parent && urns.has(r.parent) ? r.parent : (root?.urn ?? "");
    byParent.set(parent, [...(byParent.get(parent) ?? []), r]);
  }
  const rows: TreeRow[] = [];
  const walk = (urn: string, depth: number, indent: string) => {
    const kids = byParent.get(urn) ?? [];
    kids.forEach((kid, i) => {
      const last = i === kids.length - 1;
      rows.push({ depth, prefix: `${indent}${last ? "└─ " : "├─ "}`, resource: kid });
      walk(kid.urn, depth + 1, `${indent}${last ? "   " : "│  "}`);
    });
  };
  if (root) rows.push({ depth: 0, prefix: "", resource: root });
  walk(root?.urn ?? "", 1, "");
  return rows;
}

function opOf(r: RecordedResource): "create" | "read" {
  return r.read ? "read" : "create";
}

function formatValue(v: unknown): string {
  return JSON.stringify(v, null, 4)?.replace(/\n/g, "\n    ") ?? "undefined";
}

function summary(record: RunRecord): { create: number; read: number } {
  let create = 0;
  let read = 0;
  for (const r of record.resources) {
    if (r.read) read++;
    else create++;
  }
  return { create, read };
}

/** The text report: resource tree with plan, diagnostics, outputs, totals and counts per type. */
export function renderText(record: RunRecord, style: Style): string {
  const lines: string[] = [];
  lines.push(
    `Previewing update (${record.stack}) of ${record.project}, offline: no cloud calls, no credentials`,
  );
  lines.push("");
  const rows = resourceTree(record);
  const typeWidth = Math.min(90, Math.max(4, ...rows.map((r) => r.prefix.length + r.resource.type.length)));
  const nameWidth = Math.min(50, Math.max(4, ...rows.map((r) => r.resource.name.length)));
  lines.push(`     ${"Type".padEnd(typeWidth)}  ${"Name".padEnd(nameWidth)}  Plan`);
  for (const row of rows) {
    const op = opOf(row.resource);
    const sign = op === "create" ? style.green("+") : style.dim(">");
    const type = `${row.prefix}${row.resource.type}`;
    const flags = row.resource.options.protect ? style.yellow(" (protected)") : "";
    lines.push(
      ` ${sign}   ${type.padEnd(typeWidth)}  ${row.resource.name.padEnd(nameWidth)}  ${op === "create" ? style.green(op) : op}${flags}`,
    );
  }
  const diags = record.diagnostics.filter((d) => d.severity !== "debug");
  if (diags.length) {
    lines.push("", "Diagnostics:");
    for (const d of diags) {
      const label =
        d.severity === "error"
          ? style.red("error")
          : d.severity === "warning"
            ? style.yellow("warning")
            : "info";
      lines.push(`  ${label}: ${d.message}`);
    }
  }
  const outputs = Object.entries(record.outputs);
  if (outputs.length) {
    lines.push("", "Outputs:");
    const width = Math.max(...outputs.map(([k]) => k.length));
    for (const [k, v] of outputs) lines.push(`    ${`${k}:`.padEnd(width + 1)} ${formatValue(v)}`);
  }
  const { create, read } = summary(record);
  lines.push("", "Resources:");
  lines.push(`    ${style.green(`+ ${create} to create`)}`);
  if (read) lines.push(`    > ${read} to read`);
  const counts = Object.entries(new RunResult(record).countsByType());
  if (counts.length) {
    lines.push("", "Resources by type:");
    const width = Math.max(...counts.map(([t]) => t.length));
    for (const [t, n] of counts) lines.push(`    ${t.padEnd(width)}  ${String(n).padStart(3)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The marker a CI job looks for to update its one comment instead of adding another. */
export function commentMarker(record: RunRecord): string {
  return `<!-- berth-preview:${record.project}/${record.stack} -->`;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|");
}

/** The Markdown report for a pull-request comment. */
export function renderMarkdown(record: RunRecord): string {
  const { create, read } = summary(record);
  const errors = record.diagnostics.filter((d) => d.severity === "error");
  const warnings = record.diagnostics.filter((d) => d.severity === "warning");
  const out: string[] = [commentMarker(record)];
  const status = record.error ? "❌ failed" : "✅ ok";
  out.push(`### Offline preview of \`${record.project}\` / \`${record.stack}\`: ${status}`);
  out.push("");
  out.push(
    `**+${create} to create**${read ? `, ${read} to read` : ""} · ${errors.length} error(s) · ${warnings.length} warning(s) · region \`${record.region}\``,
  );
  if (record.error) {
    out.push("", "```", record.error.message, "```");
  }
  if (warnings.length) {
    out.push("", "<details><summary>Warnings</summary>", "");
    for (const w of warnings) out.push(`- ${w.message}`);
    out.push("", "</details>");
  }
  const counts = Object.entries(new RunResult(record).countsByType());
  if (counts.length) {
    out.push("", "<details><summary>Resources by type</summary>", "", "| Type | Count |", "| --- | ---: |");
    for (const [t, n] of counts) out.push(`| \`${t}\` | ${n} |`);
    out.push("", "</details>");
  }
  const rows = resourceTree(record);
  if (rows.length) {
    out.push("", `<details><summary>Plan (${rows.length} steps)</summary>`, "", "```");
    for (const row of rows)
      out.push(
        `${opOf(row.resource) === "create" ? "+" : ">"} ${row.prefix}${row.resource.type}  ${row.resource.name}`,
      );
    out.push("```", "", "</details>");
  }
  const outputs = Object.entries(record.outputs);
  if (outputs.length) {
    out.push("", "<details><summary>Outputs</summary>", "", "| Output | Value |", "| --- | --- |");
    for (const [k, v] of outputs) out.push(`| \`${k}\` | \`${mdEscape(JSON.stringify(v))}\` |`);
    out.push("", "</details>");
  }
  out.push(
    "",
    "_Offline preview by `berth preview`: the real program under Pulumi's mocks, no cloud calls._",
  );
  return `${out.join("\n")}\n`;
}
