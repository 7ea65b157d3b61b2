import { fmtLine, type LNode, type Position } from "./located.js";

/** What became of a key of the input. */
export type Status = "mapped" | "changed" | "dropped" | "decide";

export const STATUS_WORDS: Record<Status, string> = {
  mapped: "mapped",
  changed: "changed",
  dropped: "dropped",
  decide: "**needs a decision**",
};

/** One key of the input and what became of it. */
export interface Row {
  /** The section of the report: `services.web`, `copilot/api/manifest.yml`, `top level`. */
  group: string;
  /** The key's full path in the input, e.g. `services.web.ports[0]`. */
  path: string;
  at: Position | undefined;
  status: Status;
  /** What it became (mapped), why it changed or was dropped, or what to decide. Markdown. */
  detail: string;
  /** A note about the whole service (its kind, a placeholder): it does not stand for the keys below it. */
  note?: boolean;
}

/** A secret the team creates before the first deploy. */
export interface SecretToCreate {
  /** The SSM parameter or Secrets Manager secret, with `<env>`. */
  name: string;
  store: "SSM Parameter Store (SecureString)" | "Secrets Manager";
  service: string;
  variable: string;
  /** Where the value is today (an input key, or a Copilot parameter to copy). */
  from: string;
}

/** A section of the report: a service and the manifest it became. */
export interface Group {
  name: string;
  /** What it became, e.g. `apps/web/berth.yaml (kind web)`, or `not imported`. */
  result: string;
}

/**
 * The import report: every key of the input with what became of it, the decisions left to the
 * team and the secrets to create. Rendered as Markdown for a pull request.
 */
export class Report {
  readonly rows: Row[] = [];
  readonly secrets: SecretToCreate[] = [];
  readonly groups: Group[] = [];
  readonly written: string[] = [];
  /** Variables substituted into the input: name, where the value came from, first use. */
  readonly variables: { name: string; source: string; at: Position }[] = [];

  constructor(
    /** The command, e.g. `berth import compose compose.yaml`. */
    readonly command: string,
    /** The input, as shown. */
    readonly input: string,
  ) {}

  group(name: string, result: string): void {
    const g = this.groups.find((x) => x.name === name);
    if (g) g.result = result;
    else this.groups.push({ name, result });
  }

  add(group: string, path: string, at: Position | undefined, status: Status, detail: string): void {
    this.rows.push({ group, path, at, status, detail });
  }

  /** A variable substituted into the input (its value is never shown: it may be a secret). */
  variable(name: string, source: string, at: Position): void {
    if (!this.variables.some((v) => v.name === name && v.source === source))
      this.variables.push({ name, source, at });
  }

  /** A row about a service as a whole (its kind, a placeholder); its keys still get rows of their own. */
  note(group: string, at: Position | undefined, status: Status, detail: string): void {
    this.rows.push({ group, path: group, at, status, detail, note: true });
  }

  /** Whether a path (or one of its parents) already has a row. */
  covers(path: string): boolean {
    return this.rows.some(
      (r) => !r.note && (r.path === path || path.startsWith(`${r.path}.`) || path.startsWith(`${r.path}[`)),
    );
  }

  /**
   * Adds a row for every key under `node` that no row covers yet, so that nothing is left out:
   * the importer did not read it, and the row says so.
   */
  coverRest(group: string, path: string, node: LNode | undefined, itemKey = listItemKey): void {
    if (!node || this.covers(path)) return;
    const missing = (p: string, n: LNode) =>
      this.add(group, p, n, "dropped", "not read by the importer: Berth has no equivalent");
    if (node.kind === "map") {
      if (node.entries.length === 0) missing(path, node);
      for (const e of node.entries) this.coverRest(group, `${path}.${e.key}`, e.value, itemKey);
    } else if (node.kind === "seq") {
      if (node.items.length === 0) missing(path, node);
      node.items.forEach((item, i) => {
        const key = itemKey(path, item);
        this.coverRest(group, key === undefined ? `${path}[${i}]` : `${path}.${key}`, item, itemKey);
      });
    } else missing(path, node);
  }

  counts(): Record<Status, number> {
    const c: Record<Status, number> = { mapped: 0, changed: 0, dropped: 0, decide: 0 };
    for (const r of this.rows) c[r.status]++;
    return c;
  }

  /** The report as Markdown. */
  markdown(): string {
    const out: string[] = [];
    const c = this.counts();
    out.push(`# Import report: ${this.input}`, "");
    out.push(
      `Written by \`${this.command}\`. Every key of the input is listed below with what became of it.`,
      "",
    );
    out.push("| Result | Keys |", "|---|---|");
    for (const s of ["mapped", "changed", "dropped", "decide"] as const)
      out.push(`| ${STATUS_WORDS[s]} | ${c[s]} |`);
    out.push("");
    out.push("## Services", "", "| Input | Result |", "|---|---|");
    for (const g of this.groups.filter((x) => x.result)) out.push(`| ${code(g.name)} | ${cell(g.result)} |`);
    out.push("");
    if (this.written.length) {
      out.push("## Files written", "");
      for (const f of this.written) out.push(`- \`${f}\``);
      out.push("");
    }
    const decisions = this.rows.filter((r) => r.status === "decide");
    out.push(`## Needs a decision (${decisions.length})`, "");
    if (decisions.length === 0) out.push("Nothing: every key has a place in the manifests.");
    for (const r of decisions) out.push(`- [ ] ${code(r.path)}${where(r.at)}: ${r.detail}`);
    out.push("");
    if (this.secrets.length) {
      out.push(`## Secrets to create (${this.secrets.length})`, "");
      out.push(
        "The manifests name these secrets; no value was copied. Create each one in every environment " +
          "(`<env>` is the environment's name) before the first deploy:",
        "",
      );
      out.push("| Secret | Store | Service | Variable | Value today |", "|---|---|---|---|---|");
      for (const s of this.secrets) {
        out.push(`| ${code(s.name)} | ${s.store} | ${s.service} | ${code(s.variable)} | ${cell(s.from)} |`);
      }
      out.push("");
    }
    if (this.variables.length) {
      out.push(`## Variables (${this.variables.length})`, "");
      out.push(
        "Substituted while reading the input; their values are in the manifests where they were used.",
        "",
      );
      out.push("| Variable | Value from | First used at |", "|---|---|---|");
      for (const v of this.variables) out.push(`| ${code(v.name)} | ${cell(v.source)} | ${fmtLine(v.at)} |`);
      out.push("");
    }
    out.push("## Every key", "");
    const groups = [...new Set([...this.groups.map((g) => g.name), ...this.rows.map((r) => r.group)])].filter(
      (g) => this.rows.some((r) => r.group === g),
    );
    for (const g of groups) {
      const result = this.groups.find((x) => x.name === g)?.result;
      out.push(`### ${code(g)}${result ? ` → ${result}` : ""}`, "");
      out.push("| Key | Where | Result | Details |", "|---|---|---|---|");
      for (const r of ordered(
        this.rows.filter((x) => x.group === g),
        this.input,
      )) {
        // A row about the whole service (its kind, a placeholder) or the service itself (not imported).
        const key =
          r.path === g
            ? r.note
              ? g.startsWith("environments.")
                ? "(the environment)"
                : "(the service)"
              : code(r.path)
            : code(r.path.startsWith(`${g}.`) ? r.path.slice(g.length + 1) : r.path);
        out.push(`| ${key} | ${r.at ? fmtLine(r.at) : ""} | ${STATUS_WORDS[r.status]} | ${cell(r.detail)} |`);
      }
      out.push("");
    }
    return `${out.join("\n").trimEnd()}\n`;
  }
}

/** A group's rows: notes about the whole service first, then in the order of the input (file, line, column). */
function ordered(rows: Row[], input: string): Row[] {
  // Files in the order they first appear (the input first); rows without a position last.
  const files = [input, ...rows.map((r) => r.at?.file).filter((f): f is string => !!f)];
  const rank = (r: Row) => (r.at ? files.indexOf(r.at.file) : files.length);
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      if (!!a.r.note !== !!b.r.note) return a.r.note ? -1 : 1;
      return (
        rank(a.r) - rank(b.r) ||
        (a.r.at?.line ?? 0) - (b.r.at?.line ?? 0) ||
        (a.r.at?.column ?? 0) - (b.r.at?.column ?? 0) ||
        a.i - b.i
      );
    })
    .map((x) => x.r);
}

/** In a list of `KEY=value` items (environment, args, labels), the item's key. */
export function listItemKey(path: string, item: LNode): string | undefined {
  if (item.kind !== "scalar" || typeof item.value !== "string") return undefined;
  if (/(^|\.)depends_on$/.test(path)) return item.value;
  if (!/(^|\.)(environment|args|labels|annotations)$/.test(path)) return undefined;
  return item.value.split("=")[0];
}

function where(at: Position | undefined): string {
  return at ? ` (${fmtLine(at)})` : "";
}

/** Inline code, safe in a table cell. */
export function code(s: string): string {
  const ticks = s.includes("`") ? "``" : "`";
  const pad = s.includes("`") ? " " : "";
  return `${ticks}${pad}${s.replace(/\|/g, "\\|")}${pad}${ticks}`;
}

/** Text safe in a table cell: one line, pipes escaped. */
export function cell(s: string): string {
  return s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}
