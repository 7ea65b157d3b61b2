// The CrossGuard entry point: `pulumi preview --policy-pack packages/policies` (after
// `pnpm --filter @berth/policies build`) loads this file through PulumiPolicy.yaml's `main`.
// The same rule functions run offline through `evaluate`. Importing this module starts the
// policy analyzer's server, so the library entry (index.ts) never imports it.
import { PolicyPack, type PolicyResource, type ResourceValidationPolicy } from "@pulumi/policy";
import { runRule } from "./evaluate.js";
import { RULES, type Rule } from "./rules.js";

/** Per-policy configuration (`--policy-pack-config`): the environment, and a waiver's reason. */
interface PackRuleConfig {
  environment?: string;
  waived?: string;
}

const configSchema = {
  properties: {
    environment: { type: "string" as const, default: "prod" },
    waived: { type: "string" as const, description: "Reason the stack waives this rule (not in prod)." },
  },
};

function message(rule: Rule, text: string, cfg: PackRuleConfig): string {
  const waived = cfg.waived && cfg.environment !== "prod" ? `WAIVED (${cfg.waived}): ` : "";
  return `${waived}${rule.control ? `[${rule.control}] ` : ""}${text} [${rule.severity}]`;
}

function toPolicy(rule: Rule): ResourceValidationPolicy | import("@pulumi/policy").StackValidationPolicy {
  const base = { name: rule.name, description: rule.description, enforcementLevel: rule.level, configSchema };
  const applies = (cfg: PackRuleConfig) => !rule.environments || rule.environments(cfg.environment ?? "prod");
  if (rule.resource) {
    return {
      ...base,
      validateResource: (args, report) => {
        const cfg = args.getConfig<PackRuleConfig>();
        if (!applies(cfg)) return;
        const subject = { type: args.type, name: args.name, urn: args.urn, props: args.props };
        for (const m of rule.resource!(subject, { environment: cfg.environment ?? "prod" }))
          report(message(rule, m, cfg));
      },
    };
  }
  return {
    ...base,
    validateStack: (args, report) => {
      const cfg = args.getConfig<PackRuleConfig>();
      if (!applies(cfg)) return;
      const rs = args.resources.map((r: PolicyResource) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.props,
      }));
      for (const v of runRule(rule, rs, cfg.environment ?? "prod"))
        report(message(rule, v.message, cfg), v.urn);
    },
  };
}

new PolicyPack("berth", { policies: RULES.map(toPolicy) });
