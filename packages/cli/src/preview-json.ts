import type { RecordedResource, RunRecord } from "@berth/testing";

/** One step of `pulumi preview --json` (Pulumi's `display.PreviewStep`). */
export interface PreviewStep {
  op: "create" | "read" | "same" | "update" | "delete" | "replace";
  urn: string;
  provider?: string;
  newState?: ResourceV3;
}

/** A resource state as Pulumi serializes it (`apitype.ResourceV3`). */
export interface ResourceV3 {
  urn: string;
  custom: boolean;
  id?: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  protect?: boolean;
  external?: boolean;
  dependencies?: string[];
  provider?: string;
  propertyDependencies?: Record<string, string[]>;
  additionalSecretOutputs?: string[];
  aliases?: string[];
  customTimeouts?: { create?: number; update?: number; delete?: number };
  importID?: string;
  retainOnDelete?: boolean;
  deletedWith?: string;
}

export interface PreviewDiagnostic {
  urn?: string;
  message: string;
  severity: "info" | "warning" | "error";
}

/** The document `pulumi preview --json` prints (Pulumi's `display.PreviewDigest`). */
export interface PreviewDigest {
  config?: Record<string, string>;
  steps?: PreviewStep[];
  diagnostics?: PreviewDiagnostic[];
  /** Nanoseconds, as Go's time.Duration marshals. */
  duration?: number;
  changeSummary?: Record<string, number>;
  maybeCorrupt?: boolean;
}

function stepOf(r: RecordedResource): PreviewStep {
  const state: ResourceV3 = {
    urn: r.urn,
    custom: r.custom,
    type: r.type,
    inputs: r.inputs,
    outputs: r.outputs,
    ...(r.read ? { id: r.id, external: true } : {}),
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.options.protect ? { protect: true } : {}),
    ...(r.dependencies.length ? { dependencies: r.dependencies } : {}),
    ...(r.provider ? { provider: r.provider } : {}),
    ...(Object.keys(r.propertyDependencies).length ? { propertyDependencies: r.propertyDependencies } : {}),
    ...(r.options.additionalSecretOutputs
      ? { additionalSecretOutputs: r.options.additionalSecretOutputs }
      : {}),
    ...(r.options.aliases ? { aliases: r.options.aliases } : {}),
    ...(r.options.importId ? { importID: r.options.importId } : {}),
    ...(r.options.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(r.options.deletedWith ? { deletedWith: r.options.deletedWith } : {}),
  };
  return {
    op: r.read ? "read" : "create",
    urn: r.urn,
    ...(r.provider ? { provider: r.provider } : {}),
    newState: state,
  };
}

/**
 * The record of an offline run in the shape of `pulumi preview --json` for a stack with no prior
 * state: every managed resource is a `create` step, reads (`.get`, StackReference) are `read`
 * steps, and the stack's outputs ride on the root stack step, as Pulumi puts them.
 */
export function toPreviewDigest(record: RunRecord): PreviewDigest {
  const steps = record.resources.map(stepOf);
  const root = steps.find((s) => s.newState?.type === "pulumi:pulumi:Stack");
  if (root?.newState) root.newState.outputs = record.outputs;
  const changeSummary: Record<string, number> = {};
  for (const s of steps) changeSummary[s.op] = (changeSummary[s.op] ?? 0) + 1;
  const diagnostics: PreviewDiagnostic[] = record.diagnostics
    .filter((d) => d.severity !== "debug")
    .map((d) => ({
      ...(d.urn ? { urn: d.urn } : {}),
      message: `${d.message}\n`,
      severity: d.severity as PreviewDiagnostic["severity"],
    }));
  return {
    config: record.config,
    steps,
    ...(diagnostics.length ? { diagnostics } : {}),
    duration: record.durationMs * 1_000_000,
    changeSummary,
  };
}
