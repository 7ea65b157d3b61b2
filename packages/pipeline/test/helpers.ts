import type { PolicyDocument, PolicyStatement, RepositoryRef } from "@berth/core";
import type { RecordedResource, RunResult } from "@berth/testing";
import type { DeliveryPipelineArgs } from "../src/index.js";

export const CONNECTION =
  "arn:aws:codestar-connections:us-east-1:123456789012:connection/8f0c1c1e-4a4b-4b7e-9a59-0d3c5e2f1a7b";
export const REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/hello";
export const REPOSITORY: RepositoryRef = {
  name: "hello",
  arn: REPO_ARN,
  url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello",
};
export const PROD_ROLE = "arn:aws:iam::210987654321:role/berth-deploy-prod";

export function pipelineArgs(over: Partial<DeliveryPipelineArgs> = {}): DeliveryPipelineArgs {
  return {
    source: { connectionArn: CONNECTION, repository: "acme/berth" },
    repository: REPOSITORY,
    environments: [
      { name: "dev", stack: "dev" },
      { name: "staging", stack: "staging" },
      { name: "prod", stack: "prod", deployRoleArn: PROD_ROLE, account: "210987654321" },
    ],
    state: { bucket: "acme-berth-state", secretsProvider: "awskms://alias/berth-state?region=us-east-1" },
    ...over,
  };
}

export function statements(run: RunResult, r: RecordedResource): PolicyStatement[] {
  const doc = run.json(r, "policy") as PolicyDocument;
  return doc.Statement;
}

export function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Every statement of every policy document the run registered (role policies, bucket, key, topic). */
export function allStatements(run: RunResult): { resource: RecordedResource; statement: PolicyStatement }[] {
  const out: { resource: RecordedResource; statement: PolicyStatement }[] = [];
  for (const r of run.managed) {
    for (const field of ["policy", "assumeRolePolicy"]) {
      if (typeof r.inputs[field] !== "string") continue;
      const doc = run.json(r, field) as PolicyDocument;
      for (const statement of doc.Statement) out.push({ resource: r, statement });
    }
  }
  return out;
}

/** The environment variables of a CodeBuild project by name. */
export function projectVariables(r: RecordedResource): Record<string, { value: string; type?: string }> {
  const env = r.inputs.environment as {
    environmentVariables?: { name: string; value: string; type?: string }[];
  };
  return Object.fromEntries(
    (env.environmentVariables ?? []).map((v) => [v.name, { value: v.value, type: v.type }]),
  );
}
