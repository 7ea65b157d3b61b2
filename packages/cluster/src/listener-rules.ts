import type { Validator } from "@berth/core";
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** ALB: at most 3 values per condition and 5 over all the conditions of one rule. */
export const RULE_VALUES_PER_CONDITION = 3;
export const RULE_VALUES_PER_RULE = 5;

/** Host header patterns: letters, digits, `-`, `.`, and the `*` / `?` wildcards, at most 128 characters. */
const HOST = /^[a-zA-Z0-9*?]([a-zA-Z0-9*?.-]{0,126}[a-zA-Z0-9*?])?$/;
/** Path patterns: `/` then letters, digits, `_ - . $ / ~ " ' @ : + &` and the wildcards, at most 128 characters. */
const PATH = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,127}$/;

/** The host-header and path-pattern conditions of a listener rule (only the non-empty ones). */
export function ruleConditions(
  hosts?: string[],
  paths?: string[],
): aws.types.input.lb.ListenerRuleCondition[] {
  return [
    ...(hosts?.length ? [{ hostHeader: { values: hosts } }] : []),
    ...(paths?.length ? [{ pathPattern: { values: paths } }] : []),
  ];
}

/**
 * Checks a rule's hosts and paths as ALB does: at least one value (a rule without conditions
 * would catch every request), at most 3 per condition and 5 in total, and the allowed characters.
 * `prefix` names the rule's field (`"rule"` for a Service; `""` for `addListenerRule`, whose
 * arguments are the rule itself).
 */
export function checkRuleConditions(
  v: Validator,
  prefix: string,
  hosts: string[] = [],
  paths: string[] = [],
): void {
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  if (hosts.length + paths.length === 0) {
    v.fail(
      prefix || "hosts",
      { hosts, paths },
      "needs at least one of hosts and paths: a rule without conditions would catch every request",
    );
  }
  for (const [field, values] of [
    ["hosts", hosts],
    ["paths", paths],
  ] as const) {
    if (values.length > RULE_VALUES_PER_CONDITION)
      v.fail(at(field), values, `a condition takes at most ${RULE_VALUES_PER_CONDITION} values`);
  }
  if (hosts.length + paths.length > RULE_VALUES_PER_RULE) {
    v.fail(
      prefix || "paths",
      { hosts, paths },
      `a listener rule takes at most ${RULE_VALUES_PER_RULE} host and path values in total`,
    );
  }
  hosts.forEach((h, i) => {
    v.matches(
      at(`hosts[${i}]`),
      h,
      HOST,
      "host patterns are letters, digits, '-', '.', '*' and '?', at most 128 characters",
    );
  });
  paths.forEach((p, i) => {
    v.matches(
      at(`paths[${i}]`),
      p,
      PATH,
      "a path pattern starting with / (letters, digits, _ - . $ / ~ \" ' @ : + & * ?), at most 128 characters",
    );
  });
}

/** The alias of a Route 53 record pointing at a load balancer. */
export function aliasTo(lb: { dnsName: pulumi.Input<string>; zoneId: pulumi.Input<string> }) {
  return [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true }];
}
