/**
 * The release pointer: an SSM String parameter per environment and service,
 * `/berth/<env>/<service>/image`, holding `<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<64 hex>`.
 * The deploy pipeline writes it and then runs `pulumi up`; the stack reads it, so a later manual
 * `pulumi up` keeps the deployed image instead of reverting it.
 */

const ECR_REPOSITORY_URL =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9][a-z0-9._/-]*)$/;
const ECR_IMAGE_BY_DIGEST =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9][a-z0-9._/-]*)@sha256:[0-9a-f]{64}$/;

/** Name of the release pointer of a service in an environment. */
export function releasePointerName(environment: string, service: string): string {
  return `/berth/${environment}/${service}/image`;
}

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
  const repo = ECR_REPOSITORY_URL.exec(p.repositoryUrl);
  if (!repo) {
    throw new Error(
      `release pointer ${p.parameter}: the shared stack's repository URL ${JSON.stringify(p.repositoryUrl)} is not an ECR repository URL`,
    );
  }
  const [, account, repoRegion, , name] = repo;
  const expected = `${p.repositoryUrl}@sha256:<64 hex digits>`;
  const problem = (why: string) =>
    new Error(
      `release pointer ${p.parameter} is ${JSON.stringify(value)}; ${why}. Expected ${expected}` +
        (p.region !== repoRegion ? ` (or the replica in ${p.region})` : "") +
        `. ${p.hint}`,
    );
  const image = ECR_IMAGE_BY_DIGEST.exec(value);
  if (!image) {
    throw problem(
      value.includes("@sha256:") ? "the digest is malformed" : "it is not pinned by digest (a tag can move)",
    );
  }
  const [, imageAccount, imageRegion, , imageName] = image;
  if (imageAccount !== account || imageName !== name) {
    throw problem(`it is not in the ${name} repository of registry ${account}`);
  }
  if (imageRegion !== repoRegion && imageRegion !== p.region) {
    throw problem(`region ${imageRegion} is neither the registry's (${repoRegion}) nor this stack's`);
  }
  return value;
}
