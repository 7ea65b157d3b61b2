import { known, type Validator } from "@berth/core";
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** ALB: at most 3 values per condition and 5 over all the conditions of one rule. */
export const RULE_VALUES_PER_CONDITION = 3;
export const RULE_VALUES_PER_RULE = 5;

/** Host header patterns: letters, digits, `-`, `.`, and the `*` / `?` wildcards, at most 128 characters. */
const HOST = /^[a-zA-Z0-9*?]([a-zA-Z0-9*?.-]{0,126}[a-zA-Z0-9*?])?$/;
/** At least one dot, and letters only after the last one (ALB's host-header rule). */
const HOST_TLD = /\.[A-Za-z]+$/;
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
    v.check(
      h !== "*",
      at(`hosts[${i}]`),
      h,
      "a bare * would match every host; name the hosts (api.example.com, *.example.com) or use paths alone",
    );
    v.matches(
      at(`hosts[${i}]`),
      h,
      HOST,
      "host patterns are letters, digits, '-', '.', '*' and '?', at most 128 characters",
    );
    // ALB: "You must include at least one '.' character. You can include only alphabetical
    // characters after the final '.' character."
    v.matches(
      at(`hosts[${i}]`),
      h,
      HOST_TLD,
      "a host pattern has at least one '.' and only letters after the last '.' (api.example.com, *.example.com)",
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

/** One listener rule as the registry of its listener knows it. */
interface RuleClaim {
  /** Who owns the rule, for messages: `Service 'web'`, `ListenerRule 'api'`. */
  owner: string;
  priority: number;
  /** Hosts and paths, lowercased hosts, sorted: two rules with the same key match the same requests. */
  key: string;
  hosts: string[];
  paths: string[];
}

/**
 * The rules claimed on each listener during this program run. Components meet through plain refs, so
 * the registry is keyed on what the refs share: the listener ARN's Output object (one object for
 * every ref of one `LoadBalancer`), or, for a plain ARN string, the string inside a map that belongs
 * to this run's root stack resource. Both maps hold their keys weakly, so nothing outlives the run.
 */
const claimsByOutput = new WeakMap<object, RuleClaim[]>();
const claimsByRun = new WeakMap<object, Map<string, RuleClaim[]>>();

/** The value of `key` in `map`, created by `make` the first time. */
function entry<K, V>(map: { get(k: K): V | undefined; set(k: K, v: V): unknown }, key: K, make: () => V): V {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = make();
  map.set(key, made);
  return made;
}

function claimsOf(listenerArn: pulumi.Input<string>): RuleClaim[] | undefined {
  if (typeof listenerArn === "object" && listenerArn !== null) {
    return entry(claimsByOutput, listenerArn as object, () => []);
  }
  if (typeof listenerArn !== "string") return undefined;
  // The root stack resource is created anew for every run (`pulumi up`, preview or test).
  const run = pulumi.runtime.getStackResource();
  if (!run) return undefined;
  const byArn = entry(claimsByRun, run, () => new Map<string, RuleClaim[]>());
  return entry(byArn, listenerArn, () => []);
}

/**
 * Checks a rule against the rules already on the same listener in this program, then claims its
 * priority: ALB refuses two rules with one priority on a listener (the second `pulumi up` step fails
 * half-way), and a second rule with the same hosts and paths at another priority would never match
 * (the lower number wins). Call it last in validation, once everything else has passed.
 * `field` names the rule (`"rule"` for a Service, `""` for `addListenerRule`).
 */
export function claimListenerRule(
  v: Validator,
  field: string,
  owner: string,
  listenerArn: pulumi.Input<string>,
  rule: { priority: number; hosts?: string[]; paths?: string[] },
): void {
  const priority = known(rule.priority);
  const list = claimsOf(listenerArn);
  if (!list || typeof priority !== "number") return;
  const hosts = (rule.hosts ?? []).map((h) => h.toLowerCase()).sort();
  const paths = [...(rule.paths ?? [])].sort();
  const key = JSON.stringify([hosts, paths]);
  const at = (f: string) => (field ? `${field}.${f}` : f);
  const samePriority = list.find((c) => c.priority === priority);
  if (samePriority) {
    v.fail(
      at("priority"),
      priority,
      `${samePriority.owner} already has priority ${priority} on this listener; each rule of a listener needs its own priority (1-50000)`,
    );
  }
  const sameMatch = list.find((c) => c.key === key);
  if (sameMatch) {
    v.fail(
      field || "hosts",
      { hosts: rule.hosts ?? [], paths: rule.paths ?? [] },
      `${sameMatch.owner} routes the same hosts and paths on this listener at priority ${sameMatch.priority}; the lower priority always wins, so one of the two rules would never match`,
    );
  }
  list.push({ owner, priority, key, hosts, paths });
}
