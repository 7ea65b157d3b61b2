import type { RecordedResource, RunRecord } from "@berth/testing";
import { isStateful, type ReplacementDecision, replacementFor, replacesOn } from "./replacement.js";
import { changedLeaves, formatValue, isSecret, maskPair, maskSecrets, SECRET } from "./values.js";

export type ChangeKind = "create" | "update" | "replace" | "delete";

/** One changed input property, values already formatted and secrets masked. */
export interface PropertyChange {
  path: string;
  old: string;
  new: string;
  /** True when this property's change forces the replacement. */
  replaces: boolean;
}

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  kind: ChangeKind;
  /**
   * For updates: "may-replace" when the provider's decision cannot be known offline (a stateful
   * type with no replacement data, or a replacement decided by condition).
   */
  certainty?: "certain" | "may-replace";
  /** A database, volume, bucket, repository, log group, queue or network resource. */
  stateful: boolean;
  protect?: boolean;
  /**
   * For a replacement or deletion: whether another resource of the base depends on it (a target
   * group a listener rule or service uses). Unknown (absent) for a real preview's steps.
   */
  inUse?: boolean;
  properties: PropertyChange[];
  /** Old and new, for the cost and rollout models (secrets masked). */
  oldInputs?: Record<string, unknown>;
  newInputs?: Record<string, unknown>;
}

export interface OutputChange {
  name: string;
  kind: "create" | "update" | "delete";
  old: string;
  new: string;
}

export interface DiffCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  same: number;
}

export interface Diff {
  /** Where the decisions came from: the offline engine's two records, or a real preview. */
  source: "records" | "preview";
  /** Changed resources in the order the head program registered them, deletions last. */
  changes: ResourceChange[];
  counts: DiffCounts;
  outputs: OutputChange[];
}

const SKIP = (r: RecordedResource) =>
  r.type === "pulumi:pulumi:Stack" || r.type.startsWith("pulumi:providers:") || r.read === true;

function counts(changes: ResourceChange[], same: number): DiffCounts {
  const c: DiffCounts = { create: 0, update: 0, replace: 0, delete: 0, same };
  for (const ch of changes) c[ch.kind]++;
  return c;
}

function outputChanges(a: Record<string, unknown>, b: Record<string, unknown>): OutputChange[] {
  const out: OutputChange[] = [];
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const inA = name in a;
    const inB = name in b;
    if (inA && inB && changedLeaves(a[name], b[name]).length === 0) continue;
    out.push({
      name,
      kind: !inA ? "create" : !inB ? "delete" : "update",
      old: inA ? formatValue(a[name]) : "(none)",
      new: inB ? formatValue(b[name]) : "(none)",
    });
  }
  return out;
}

function ignored(path: string, ignoreChanges: string[] | undefined): boolean {
  return (ignoreChanges ?? []).some(
    (i) => path === i || path.startsWith(`${i}.`) || path.startsWith(`${i}[`),
  );
}

/**
 * The change from one offline run to another, per resource matched by URN (or by an alias the
 * head registered): created, updated (with the changed inputs, old → new, secrets masked),
 * replaced (the provider's schema says a changed input forces it), deleted, unchanged; and the
 * stack outputs that changed. Components only ever appear created or deleted.
 */
export function diffRecords(base: RunRecord, head: RunRecord): Diff {
  const before = new Map(base.resources.filter((r) => !SKIP(r)).map((r) => [r.urn, r]));
  const used = new Set<string>();
  for (const r of base.resources) {
    for (const d of r.dependencies ?? []) if (d !== r.parent) used.add(d);
  }
  const matched = new Set<string>();
  const changes: ResourceChange[] = [];
  let same = 0;
  for (const r of head.resources) {
    if (SKIP(r)) continue;
    const oldUrn = before.has(r.urn) ? r.urn : (r.options.aliases ?? []).find((a) => before.has(a));
    const old = oldUrn ? before.get(oldUrn) : undefined;
    const stateful = isStateful(r.type);
    if (!old) {
      changes.push({
        urn: r.urn,
        type: r.type,
        name: r.name,
        kind: "create",
        stateful,
        properties: [],
        newInputs: maskSecrets(r.inputs) as Record<string, unknown>,
      });
      continue;
    }
    matched.add(old.urn);
    const leaves = r.custom
      ? changedLeaves(old.inputs, r.inputs).filter((l) => !ignored(l.path, r.options.ignoreChanges))
      : [];
    const typeChanged = old.type !== r.type;
    if (!leaves.length && !typeChanged) {
      same++;
      continue;
    }
    const verdict = typeChanged
      ? { decision: "replace" as ReplacementDecision, because: ["type"] }
      : replacementFor(
          r.type,
          leaves.map((l) => l.path),
          r.options,
        );
    const properties = leaves.map((l) => ({
      path: l.path,
      old: formatValue(l.old),
      new: formatValue(l.new),
      replaces: verdict.decision === "replace" && verdict.because.includes(l.path),
    }));
    changes.push({
      urn: r.urn,
      type: r.type,
      name: r.name,
      kind: verdict.decision === "replace" ? "replace" : "update",
      ...(verdict.decision === "replace"
        ? {}
        : { certainty: verdict.decision === "may-replace" ? "may-replace" : "certain" }),
      stateful,
      ...(r.options.protect ? { protect: true } : {}),
      ...(verdict.decision === "replace" ? { inUse: used.has(old.urn) } : {}),
      properties,
      ...(() => {
        const [o, n] = maskPair(old.inputs, r.inputs);
        return { oldInputs: o as Record<string, unknown>, newInputs: n as Record<string, unknown> };
      })(),
    });
  }
  for (const r of before.values()) {
    if (matched.has(r.urn)) continue;
    changes.push({
      urn: r.urn,
      type: r.type,
      name: r.name,
      kind: "delete",
      stateful: isStateful(r.type),
      ...(r.options.protect ? { protect: true } : {}),
      inUse: used.has(r.urn),
      properties: [],
      oldInputs: maskSecrets(r.inputs) as Record<string, unknown>,
    });
  }
  return {
    source: "records",
    changes,
    counts: counts(changes, same),
    outputs: outputChanges(base.outputs, head.outputs),
  };
}

// ---------------------------------------------------------------------------------------------
// A real `pulumi preview --json` document.

/** A resource state as `pulumi preview --json` prints it (the fields read here). */
export interface PreviewState {
  urn?: string;
  type?: string;
  custom?: boolean;
  protect?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** One step of `pulumi preview --json` (Pulumi's `display.PreviewStep`). */
export interface PreviewStepDoc {
  op: string;
  urn: string;
  oldState?: PreviewState;
  newState?: PreviewState;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

/** The document `pulumi preview --json` prints (the fields read here). */
export interface PreviewDocument {
  steps?: PreviewStepDoc[];
  changeSummary?: Record<string, number>;
}

function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function typeOfUrn(urn: string): string {
  const parts = urn.split("::");
  const t = parts[2] ?? "";
  return t.slice(t.lastIndexOf("$") + 1);
}

function readAt(obj: Record<string, unknown> | undefined, path: string): unknown {
  let cur: unknown = obj;
  for (const m of path.matchAll(/([^.[\]"]+)|\["([^"]+)"\]/g)) {
    const key = m[2] ?? m[1]!;
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced", "discard-replaced"]);
const IGNORED_OPS = new Set(["read", "refresh", "read-replacement", "remove-pending-replace"]);

/**
 * A real `pulumi preview --json` document read into a {@link Diff}. The engine's own decisions
 * win: `replace` / `create-replacement` / `delete-replaced` steps are replacements (one per URN),
 * `detailedDiff` (or `diffReasons`) names the changed properties and `-replace` kinds (or
 * `replaceReasons`) the ones that force it. Values come from `oldState` / `newState` inputs,
 * secrets masked. Stack outputs are compared on the root stack step.
 */
export function diffFromPreviewJson(doc: PreviewDocument | string): Diff {
  const d: PreviewDocument = typeof doc === "string" ? JSON.parse(doc) : doc;
  const byUrn = new Map<string, PreviewStepDoc[]>();
  for (const s of d.steps ?? []) {
    if (!byUrn.has(s.urn)) byUrn.set(s.urn, []);
    byUrn.get(s.urn)!.push(s);
  }
  const changes: ResourceChange[] = [];
  let same = 0;
  let outputs: OutputChange[] = [];
  for (const [urn, steps] of byUrn) {
    const state = steps.find((s) => s.newState)?.newState ?? steps.find((s) => s.oldState)?.oldState;
    const type = state?.type ?? typeOfUrn(urn);
    if (type === "pulumi:pulumi:Stack") {
      const s = steps[0]!;
      outputs = outputChanges(s.oldState?.outputs ?? {}, s.newState?.outputs ?? {});
      continue;
    }
    if (type.startsWith("pulumi:providers:")) continue;
    const ops = steps.map((s) => s.op);
    if (ops.every((o) => IGNORED_OPS.has(o))) continue;
    const kind: ChangeKind | "same" = ops.some((o) => REPLACE_OPS.has(o))
      ? "replace"
      : ops.includes("create") || ops.includes("import")
        ? "create"
        : ops.includes("delete")
          ? "delete"
          : ops.includes("update")
            ? "update"
            : "same";
    if (kind === "same") {
      same++;
      continue;
    }
    const step = steps.find((s) => s.detailedDiff || s.diffReasons) ?? steps[0]!;
    const oldState = steps.find((s) => s.oldState)?.oldState;
    const newState = steps.find((s) => s.newState)?.newState;
    const properties: PropertyChange[] = [];
    if (kind === "update" || kind === "replace") {
      const detailed = step.detailedDiff ?? undefined;
      const paths = detailed ? Object.keys(detailed) : (step.diffReasons ?? []);
      const replaceReasons = new Set(steps.flatMap((s) => s.replaceReasons ?? []));
      for (const path of paths) {
        const k = detailed?.[path]?.kind ?? "update";
        const oldV = readAt(oldState?.inputs, path);
        const newV = readAt(newState?.inputs, path);
        properties.push({
          path,
          old: k.startsWith("add") ? "(none)" : isSecret(oldV) ? SECRET : formatValue(oldV),
          new: k.startsWith("delete") ? "(none)" : isSecret(newV) ? SECRET : formatValue(newV),
          replaces:
            kind === "replace" &&
            (k.endsWith("-replace") ||
              replaceReasons.has(path) ||
              (!detailed && !replaceReasons.size && replacesOn(type, path) === true)),
        });
      }
    }
    changes.push({
      urn,
      type,
      name: nameOfUrn(urn),
      kind,
      ...(kind === "update" ? { certainty: "certain" as const } : {}),
      stateful: isStateful(type),
      ...((newState ?? oldState)?.protect ? { protect: true } : {}),
      properties,
      ...(() => {
        const [o, n] = maskPair(oldState?.inputs, kind === "delete" ? undefined : newState?.inputs);
        return {
          ...(o ? { oldInputs: o as Record<string, unknown> } : {}),
          ...(n ? { newInputs: n as Record<string, unknown> } : {}),
        };
      })(),
    });
  }
  const order: Record<ChangeKind, number> = { create: 0, update: 0, replace: 0, delete: 1 };
  changes.sort((a, b) => order[a.kind] - order[b.kind]);
  return { source: "preview", changes, counts: counts(changes, same), outputs };
}
