import type { CostDelta } from "./cost.js";
import type { Diff, ResourceChange } from "./diff.js";
import { formatMoney } from "./format.js";
import { policyVerdict, type StackReview } from "./report.js";
import { formatDuration } from "./rollout.js";

/** The sign Pulumi prints before each kind of step. */
const SIGN: Record<ResourceChange["kind"], string> = {
  create: "+",
  update: "~",
  replace: "+-",
  delete: "-",
};

/** What is replaced or deleted first, then updates, then creations (the report's order). */
const ORDER: Record<ResourceChange["kind"], number> = { replace: 0, delete: 1, update: 2, create: 3 };

/** A terminal's one line for a text value: control characters and bidi overrides dropped. */
function plain(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return s.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, " ");
}

/** `1 to create, 2 to update, 4 unchanged`, or `no changes (4 unchanged)`. */
export function countsText(d: Diff): string {
  const c = d.counts;
  const changed = (["create", "update", "replace", "delete"] as const)
    .filter((k) => c[k] > 0)
    .map((k) => `${c[k]} to ${k}`);
  if (!changed.length) {
    return d.outputs.length
      ? `${d.outputs.length} output${d.outputs.length === 1 ? "" : "s"} changed, ${c.same} unchanged`
      : `no changes (${c.same} unchanged)`;
  }
  return [...changed, `${c.same} unchanged`].join(", ");
}

function signed(usd: number): string {
  return `${usd > 0 ? "+" : usd < 0 ? "-" : "±"}${formatMoney(Math.abs(usd))}`;
}

function costLines(c: CostDelta | undefined): string[] {
  // Items without a price (databases, caches) change nothing here; the markdown table lists them.
  const lines = (c?.lines ?? []).filter((l) => l.delta !== 0);
  if (!c || (!lines.length && c.deltaMonthly === 0)) return [];
  return [
    `  idle cost: ${signed(c.deltaMonthly)}/mo (${formatMoney(c.baseMonthly)} → ${formatMoney(c.headMonthly)})`,
    ...lines.map(
      (l) =>
        `    ${signed(l.delta)}/mo  ${plain(l.name)}  ${plain(l.what)} (${formatMoney(l.base)} → ${formatMoney(l.head)})`,
    ),
  ];
}

function changeLines(c: ResourceChange): string[] {
  const notes = [
    ...(c.certainty === "may-replace" ? ["may replace"] : []),
    ...(c.stateful && (c.kind === "replace" || c.kind === "delete" || c.certainty === "may-replace")
      ? ["stateful"]
      : []),
    ...(c.protect ? ["protected"] : []),
  ];
  const head = `  ${SIGN[c.kind].padEnd(2)} ${c.kind.padEnd(7)} ${plain(c.type)}  ${plain(c.name)}${
    notes.length ? ` (${notes.join(", ")})` : ""
  }`;
  return [
    head,
    ...c.properties.map(
      (p) =>
        `        ${plain(p.path)}: ${plain(p.old)} → ${plain(p.new)}${p.replaces ? "  (forces replacement)" : ""}`,
    ),
  ];
}

/**
 * One stack's review as plain text, the way a terminal shows it: a line with the counts, the
 * changed resources (replacements and deletions first) with their changed properties old → new,
 * the stack outputs that changed, the idle-cost and rollout-time deltas and the policy
 * findings. Secrets are already masked in the review; control characters are dropped.
 */
export function renderStackText(s: StackReview): string {
  if (s.error) return `${plain(s.stack)}: failed\n  ${plain(s.error).replace(/\n/g, "\n  ")}\n`;
  const d = s.diff;
  const out = [`${plain(s.stack)}: ${countsText(d)}`];
  const changes = [...d.changes].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  for (const c of changes) out.push(...changeLines(c));
  if (d.outputs.length) {
    out.push("  outputs:");
    for (const o of d.outputs) {
      const sign = o.kind === "create" ? "+" : o.kind === "delete" ? "-" : "~";
      out.push(`    ${sign} ${plain(o.name)}: ${plain(o.old)} → ${plain(o.new)}`);
    }
  }
  out.push(...costLines(s.cost));
  for (const r of s.rollout ?? []) {
    const fmt = (x: number | null) => (x === null ? "none" : formatDuration(x));
    out.push(
      `  rollout: ${plain(r.name)} ${fmt(r.baseSeconds)} → ${fmt(r.headSeconds)} (worst case, ${
        r.deltaSeconds >= 0 ? "+" : "-"
      }${formatDuration(r.deltaSeconds)})`,
    );
  }
  if (s.policy?.findings.length) {
    out.push(`  policies: ${policyVerdict(s.policy)}`);
    for (const f of s.policy.findings) {
      out.push(
        `    ${f.status === "waived" ? "waived" : f.level} ${f.severity} ${plain(f.rule)}${
          f.control ? ` (${plain(f.control)})` : ""
        }${f.name ? ` ${plain(f.name)}` : ""}: ${plain(f.message)}`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}

/** Several stacks' reviews as text, a blank line between them. */
export function renderText(stacks: StackReview[]): string {
  return stacks.map(renderStackText).join("\n");
}
