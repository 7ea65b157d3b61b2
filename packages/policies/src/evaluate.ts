import type { RunRecord } from "@berth/testing";
import { type Level, type PolicySubject, RULES, type Rule, type Severity } from "./rules.js";

/** Per-stack policy configuration. */
export interface PolicyConfig {
  /** The environment the rules judge by; by default the stack's name. */
  environment?: string;
  /**
   * Rules this stack waives, with the reason. Outside prod only: a waived rule still runs and its
   * findings are reported as `waived`, never hidden.
   */
  waive?: Record<string, string>;
  /** Per-rule level overrides (`disabled` turns a rule off, and is listed as such). */
  levels?: Record<string, Level | "disabled">;
}

export interface Finding {
  rule: string;
  control?: string;
  severity: Severity;
  level: Level;
  status: "violation" | "waived";
  message: string;
  urn?: string;
  name?: string;
  /** The waiver's reason, for a waived finding. */
  reason?: string;
}

export interface PolicyResult {
  environment: string;
  findings: Finding[];
  /** Rules that did not run: not applicable in the environment, or disabled. */
  skipped: { rule: string; why: string }[];
  /** False when a mandatory rule has a violation (waived findings do not count). */
  passed: boolean;
}

export class PolicyConfigError extends Error {
  override name = "PolicyConfigError";
}

/** Checks a configuration: known rule names, no waivers in prod. */
export function checkConfig(config: PolicyConfig, environment: string): void {
  const names = new Set(RULES.map((r) => r.name));
  for (const k of [...Object.keys(config.waive ?? {}), ...Object.keys(config.levels ?? {})]) {
    if (!names.has(k))
      throw new PolicyConfigError(`unknown policy rule '${k}' (known: ${[...names].join(", ")})`);
  }
  if (environment === "prod" && Object.keys(config.waive ?? {}).length) {
    throw new PolicyConfigError(
      `prod may not waive rules (waive: ${Object.keys(config.waive ?? {}).join(", ")})`,
    );
  }
}

/** The resources of a record as rules see them: managed resources, inputs over outputs. */
export function subjects(record: RunRecord): PolicySubject[] {
  return record.resources
    .filter((r) => !r.read && r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
    .map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: { ...r.outputs, ...r.inputs, ...(r.id ? { id: r.id } : {}) },
    }));
}

/** Runs one rule over subjects; the same function the CrossGuard pack calls. */
export function runRule(rule: Rule, rs: PolicySubject[], environment: string) {
  const ctx = { environment };
  const out: { urn: string; name: string; message: string }[] = [];
  if (rule.resource)
    for (const r of rs)
      for (const m of rule.resource(r, ctx)) out.push({ urn: r.urn, name: r.name, message: m });
  if (rule.stack) out.push(...rule.stack(rs, ctx));
  return out;
}

/**
 * The policy rules over an offline run, as `pulumi preview --policy-pack packages/policies`
 * would judge the same resources: findings with their Security Hub control, severity and level;
 * waived rules' findings reported as waived.
 */
export function evaluate(record: RunRecord, config: PolicyConfig = {}): PolicyResult {
  const environment = config.environment ?? record.stack;
  checkConfig(config, environment);
  const rs = subjects(record);
  const findings: Finding[] = [];
  const skipped: PolicyResult["skipped"] = [];
  for (const rule of RULES) {
    const level = config.levels?.[rule.name] ?? rule.level;
    if (level === "disabled") {
      skipped.push({ rule: rule.name, why: "disabled by configuration" });
      continue;
    }
    if (rule.environments && !rule.environments(environment)) {
      skipped.push({ rule: rule.name, why: `does not apply in ${environment}` });
      continue;
    }
    const reason = config.waive?.[rule.name];
    for (const v of runRule(rule, rs, environment)) {
      findings.push({
        rule: rule.name,
        ...(rule.control ? { control: rule.control } : {}),
        severity: rule.severity,
        level,
        status: reason !== undefined ? "waived" : "violation",
        message: v.message,
        urn: v.urn,
        name: v.name,
        ...(reason !== undefined ? { reason } : {}),
      });
    }
  }
  return {
    environment,
    findings,
    skipped,
    passed: !findings.some((f) => f.status === "violation" && f.level === "mandatory"),
  };
}
