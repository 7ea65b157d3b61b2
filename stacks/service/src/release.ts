/**
 * The release pointer: an SSM String parameter per environment and service,
 * `/berth/<env>/<service>/image`, holding `<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<64 hex>`.
 * The deploy pipeline writes it and then runs `pulumi up`; the stack reads it, so a later manual
 * `pulumi up` keeps the deployed image instead of reverting it.
 */
import { isDigestImageRef, parseEcrImage, releaseParameterName } from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ReleasePointer {
  /** SSM parameter name, for messages. */
  parameter: string;
  /** Its value. */
  value: string;
  /** The service's repository URL from the shared stack (`<registry>.dkr.ecr.<region>.amazonaws.com/<name>`). */
  repositoryUrl: string;
  /** This stack's region: an image in a replica of the repository in this region is accepted too. */
  region: string;
  /** What to tell the user to do when the pointer is wrong. */
  hint: string;
}

/**
 * Returns the pointer's image when it is pinned by digest and lives in the service's repository
 * (in the shared registry's region or a replica in this stack's region); throws otherwise.
 *
 * @example
 * checkReleasePointer({ parameter: "/berth/dev/hello/image",
 *   value: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:9f86…",
 *   repositoryUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello", region: "us-east-1", hint: "" });
 */
export function checkReleasePointer(p: ReleasePointer): string {
  const value = p.value.trim();
  const repo = parseEcrImage(p.repositoryUrl);
  if (!repo || repo.tag || repo.digest) {
    throw new Error(
      `release pointer ${p.parameter}: the shared stack's repository URL ${JSON.stringify(p.repositoryUrl)} is not an ECR repository URL`,
    );
  }
  const { account, region: repoRegion, repository: name } = repo;
  const expected = `${p.repositoryUrl}@sha256:<64 hex digits>`;
  const problem = (why: string) =>
    new Error(
      `release pointer ${p.parameter} is ${JSON.stringify(value)}; ${why}. Expected ${expected}` +
        (p.region !== repoRegion ? ` (or the replica in ${p.region})` : "") +
        `. ${p.hint}`,
    );
  const pinned = /@sha256:[0-9a-f]{64}$/.test(value);
  if (!pinned) {
    throw problem(
      value.includes("@sha256:") ? "the digest is malformed" : "it is not pinned by digest (a tag can move)",
    );
  }
  const image = isDigestImageRef(value) ? parseEcrImage(value) : undefined;
  if (!image || image.account !== account || image.repository !== name) {
    throw problem(`it is not in the ${name} repository of registry ${account}`);
  }
  const imageRegion = image.region;
  if (imageRegion !== repoRegion && imageRegion !== p.region) {
    throw problem(`region ${imageRegion} is neither the registry's (${repoRegion}) nor this stack's`);
  }
  return value;
}

export interface ReleaseImageArgs {
  environment: string;
  /** The service, also the repository's key in the shared stack's `repositoryUrls`. */
  service: string;
  /** The shared stack (registry outputs). */
  shared: pulumi.StackReference;
  /** The stack's provider: the pointer is read in the environment's account and region. */
  provider: aws.Provider;
  region: string;
  /** First deploy only: a digest-pinned image used instead of the pointer (with a warning). */
  override?: string;
  /** The config key of the override, for the warning. */
  overrideKey: string;
  /** What to tell the user when the pointer is wrong. */
  hint: string;
}

/**
 * The image a service runs: the value of its release pointer, checked against the service's
 * repository in the shared registry. Awaited before any AWS resource is declared (the provider and
 * the StackReference that read it create nothing in AWS), so a wrong pointer
 * stops the program with one clear message instead of failing inside a resource's inputs.
 */
export async function releaseImage(a: ReleaseImageArgs): Promise<string> {
  const parameter = releaseParameterName(a.environment, a.service);
  if (a.override) {
    pulumi.log.warn(
      `${a.service} runs ${a.override} from ${a.overrideKey}, not the release pointer ` +
        `${parameter}; remove the override once the pipeline has deployed`,
    );
    return a.override;
  }
  const urls = (await a.shared.getOutputDetails("repositoryUrls")).value as
    | Record<string, string>
    | undefined;
  const repositoryUrl = urls?.[a.service];
  if (typeof repositoryUrl !== "string") {
    throw new Error(
      `the shared stack has no '${a.service}' in its repositoryUrls output ` +
        `(it has: ${Object.keys(urls ?? {}).join(", ") || "nothing"})`,
    );
  }
  const pointer = await aws.ssm.getParameter({ name: parameter }, { provider: a.provider });
  return checkReleasePointer({
    parameter,
    value: pointer.value,
    repositoryUrl,
    region: a.region,
    hint: a.hint,
  });
}
