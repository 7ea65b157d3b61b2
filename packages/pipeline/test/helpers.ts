import { join } from "node:path";
import { loadCatalogue, type PolicyDocument, type PolicyStatement, type RepositoryRef } from "@berth/core";
import type { RecordedResource, RunResult } from "@berth/testing";
import { type CatalogueDeliveryArgs, deliveredServices } from "../src/index.js";

export const CONNECTION =
  "arn:aws:codestar-connections:us-east-1:123456789012:connection/8f0c1c1e-4a4b-4b7e-9a59-0d3c5e2f1a7b";
export const REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/hello";
export const REPOSITORY: RepositoryRef = {
  name: "hello",
  arn: REPO_ARN,
  url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello",
};
export const PROD_ROLE = "arn:aws:iam::210987654321:role/berth-deploy-prod";

/** The repository's own catalogue: hello, mailer, nightly, orders. */
export const APPS = join(__dirname, "..", "..", "..", "apps");

export function repositoryRef(name: string): RepositoryRef {
  return {
    name,
    arn: `arn:aws:ecr:us-east-1:123456789012:repository/${name}`,
    url: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}`,
  };
}

export function catalogueServices(appsDir = APPS) {
  const catalogue = loadCatalogue(appsDir);
  const repositories = Object.fromEntries(catalogue.services.map((s) => [s.name, repositoryRef(s.name)]));
  return deliveredServices(catalogue, { repositories });
}

export function deliveryArgs(over: Partial<CatalogueDeliveryArgs> = {}): CatalogueDeliveryArgs {
  return {
    source: { connectionArn: CONNECTION, repository: "acme/berth" },
    services: catalogueServices(),
    environments: [
      { name: "dev" },
      { name: "staging" },
      {
        name: "prod",
        deployRoleArn: PROD_ROLE,
        deployExternalId: "berth-deploy-prod",
        account: "210987654321",
        clusterName: "platform-prod",
      },
    ],
    state: {
      bucket: "acme-berth-state",
      keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
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
