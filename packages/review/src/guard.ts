import type { Diff, ResourceChange } from "./diff.js";

/** The release a changeset asks for, per package. */
export type Bump = "major" | "minor" | "patch" | "none";

/** A `.changeset/*.md` file as the upgrade guard reads it. */
export interface Changeset {
  /** The file, relative to the repository root (`.changeset/new-target-groups.md`). */
  file: string;
  /** `"@berth/cluster": major` lines of the front matter. */
  releases: Record<string, Bump>;
  /** The text of its `## Migration` section (trimmed), or undefined when it has none or it is empty. */
  migration?: string;
}

/**
 * Reads a changeset: the front matter between the first two `---` lines (`"<package>": <bump>`
 * per line, as `changeset add` writes it) and the body's `## Migration` section, up to the next
 * heading of level 1 or 2.
 */
export function parseChangeset(file: string, text: string): Changeset {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const releases: Record<string, Bump> = {};
  let body = lines;
  if (lines[0]?.trim() === "---") {
    const end = lines.findIndex((l, i) => i > 0 && l.trim() === "---");
    if (end > 0) {
      for (const l of lines.slice(1, end)) {
        const m = /^\s*["']?([^"':\s]+)["']?\s*:\s*(major|minor|patch|none)\s*$/.exec(l);
        if (m) releases[m[1]!] = m[2] as Bump;
      }
      body = lines.slice(end + 1);
    }
  }
  const start = body.findIndex((l) => /^##\s+Migration\b/i.test(l.trim()));
  let migration: string | undefined;
  if (start >= 0) {
    const rest = body.slice(start + 1);
    const stop = rest.findIndex((l) => /^#{1,2}\s/.test(l));
    const section = (stop >= 0 ? rest.slice(0, stop) : rest).join("\n").trim();
    if (section) migration = section;
  }
  return { file, releases, ...(migration ? { migration } : {}) };
}

/** One stack's diff as the guard reads it. */
export interface GuardStack {
  /** `project/stack`. */
  stack: string;
  /** The package of the stack's own program (`@berth-stacks/platform`): owner of resources no component holds. */
  package: string;
  diff: Diff;
}

export interface GuardFinding {
  stack: string;
  urn: string;
  type: string;
  name: string;
  /** What the change does to the resource. */
  action: "replace" | "delete" | "may replace";
  /** The properties that force it (for a replacement). */
  because: string[];
  /** The package whose change is responsible: the outermost `berth:<package>:…` component, else the stack's. */
  package: string;
  /** The changeset that acknowledges it (a major release of that package with a migration note). */
  acknowledgedBy?: string;
}

export interface GuardResult {
  /** Replacements and deletions of stateful or network resources that no changeset acknowledges. */
  violations: GuardFinding[];
  /** The same, acknowledged by a major changeset with a `## Migration` section. */
  acknowledged: GuardFinding[];
  /** Changesets that ask for a major release but have no migration note (they acknowledge nothing). */
  withoutMigration: string[];
  passed: boolean;
}

/**
 * The package responsible for a resource: the outermost Berth component in its URN's type chain
 * (`berth:cluster:Service$aws:lb/targetGroup:TargetGroup` → `@berth/cluster`), else the stack's
 * own package.
 */
export function responsiblePackage(urn: string, stackPackage: string): string {
  const chain = (urn.split("::")[2] ?? "").split("$");
  for (const t of chain) {
    const m = /^berth:([a-z0-9-]+):/.exec(t);
    if (m) return `@berth/${m[1]}`;
  }
  return stackPackage;
}

/** Does the guard stop this change? Stateful and network types; a target group only when in use. */
function guarded(c: ResourceChange): GuardFinding["action"] | undefined {
  if (!c.stateful) return undefined;
  if (c.type === "aws:lb/targetGroup:TargetGroup" && c.inUse === false) return undefined;
  if (c.kind === "replace") return "replace";
  if (c.kind === "delete") return "delete";
  if (c.certainty === "may-replace") return "may replace";
  return undefined;
}

/**
 * The upgrade guard: every replacement or deletion of a stateful or network resource (databases,
 * caches, volumes, buckets, repositories, log groups, queues, keys, secrets, VPC, subnets, NAT,
 * load balancers, target groups in use) must be acknowledged by a changeset of the change that
 * asks for a **major** release of the responsible package and carries a `## Migration` section.
 */
export function upgradeGuard(stacks: GuardStack[], changesets: Changeset[]): GuardResult {
  const violations: GuardFinding[] = [];
  const acknowledged: GuardFinding[] = [];
  for (const s of stacks) {
    for (const c of s.diff.changes) {
      const action = guarded(c);
      if (!action) continue;
      const pkg = responsiblePackage(c.urn, s.package);
      const by = changesets.find((cs) => cs.releases[pkg] === "major" && cs.migration);
      const finding: GuardFinding = {
        stack: s.stack,
        urn: c.urn,
        type: c.type,
        name: c.name,
        action,
        because: c.properties.filter((p) => p.replaces).map((p) => p.path),
        package: pkg,
        ...(by ? { acknowledgedBy: by.file } : {}),
      };
      (by ? acknowledged : violations).push(finding);
    }
  }
  const withoutMigration = changesets
    .filter((cs) => Object.values(cs.releases).includes("major") && !cs.migration)
    .map((cs) => cs.file);
  return { violations, acknowledged, withoutMigration, passed: violations.length === 0 };
}

/** The guard's verdict as text: one line per finding, then what to do. */
export function renderGuard(result: GuardResult): string {
  const line = (f: GuardFinding) =>
    `  ${f.stack}: ${f.action} ${f.type} ${f.name}${f.because.length ? ` (${f.because.join(", ")})` : ""} — ${f.package}`;
  const out: string[] = [];
  if (result.violations.length) {
    out.push(`Upgrade guard: ${result.violations.length} unacknowledged replacement(s) or deletion(s):`);
    out.push(...result.violations.map(line));
    const pkgs = [...new Set(result.violations.map((v) => v.package))];
    out.push(
      "",
      "Acknowledge an intended one with a changeset that releases the package as major and says how to migrate:",
      "",
      "  ---",
      ...pkgs.map((p) => `  "${p}": major`),
      "  ---",
      "",
      "  <what changes>",
      "",
      "  ## Migration",
      "",
      "  <what an operator does before or after deploying it>",
      "",
      '(docs/review.md, "The upgrade guard")',
    );
  } else {
    out.push("Upgrade guard: passed");
  }
  if (result.acknowledged.length) {
    out.push("", "Acknowledged:");
    out.push(...result.acknowledged.map((f) => `${line(f)} (${f.acknowledgedBy})`));
  }
  if (result.withoutMigration.length) {
    out.push("", `Major changesets without a "## Migration" section: ${result.withoutMigration.join(", ")}`);
  }
  return `${out.join("\n")}\n`;
}
