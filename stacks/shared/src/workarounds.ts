import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What Pulumi writes in place of an Output used inside a template literal. */
const OUTPUT_TO_STRING = "Calling [toString] on an [Output<T>]";

interface Statement {
  Sid?: string;
  Resource?: unknown;
}

/**
 * Workaround for a bug in @berth/pipeline (packages/pipeline/src/common.ts `logStatements`, called
 * with `logGroup.arn as unknown as string` in delivery-pipeline.ts and pull-request-previews.ts):
 * the second resource of the `WriteBuildLogs` statement is built with a template literal over an
 * Output, so it holds Pulumi's "Calling [toString] on an [Output<T>]…" text instead of
 * `<log group ARN>:*`. IAM would reject the policy (or the builds could not write their log streams).
 *
 * Applied through the components' `transform.rolePolicy`; it rewrites only a statement that carries
 * that text, so it becomes a no-op once the component is fixed.
 */
export function fixLogStreamResource(args: aws.iam.RolePolicyArgs): void {
  args.policy = pulumi.output(args.policy).apply((policy) => {
    if (typeof policy !== "string" || !policy.includes(OUTPUT_TO_STRING)) return policy;
    const doc = JSON.parse(policy) as { Statement?: Statement[] };
    for (const st of doc.Statement ?? []) {
      const res = st.Resource;
      if (st.Sid !== "WriteBuildLogs" || !Array.isArray(res) || typeof res[0] !== "string") continue;
      if (res.some((r) => typeof r === "string" && r.includes(OUTPUT_TO_STRING))) {
        st.Resource = [res[0], `${res[0]}:*`];
      }
    }
    return JSON.stringify(doc);
  }) as pulumi.Output<string>;
}
