/**
 * Upstream registries ECR pull-through cache supports (Amazon ECR API reference,
 * CreatePullThroughCacheRule `upstreamRegistryUrl`; ECR User Guide, "Sync an upstream registry").
 * Docker Hub, GitHub, GitLab and Azure need a Secrets Manager secret; ECR Public, Kubernetes and
 * Quay do not. ECR-to-ECR caching (an IAM role instead of a secret) is not offered here.
 */
export const UPSTREAMS = {
  "docker-hub": { url: "registry-1.docker.io", prefix: "docker-hub", credential: true },
  "ecr-public": { url: "public.ecr.aws", prefix: "ecr-public", credential: false },
  github: { url: "ghcr.io", prefix: "github", credential: true },
  gitlab: { url: "registry.gitlab.com", prefix: "gitlab", credential: true },
  k8s: { url: "registry.k8s.io", prefix: "kubernetes", credential: false },
  quay: { url: "quay.io", prefix: "quay", credential: false },
  azure: { url: "<registry>.azurecr.io", prefix: "azure", credential: true },
} as const;

/** An upstream registry images can be cached from. */
export type Upstream = keyof typeof UPSTREAMS;

export const UPSTREAM_NAMES = Object.keys(UPSTREAMS) as Upstream[];

/** The upstream's registry URL (`azure` needs the registry's name). */
export function upstreamUrl(upstream: Upstream, azureRegistryName?: string): string {
  return upstream === "azure"
    ? `${(azureRegistryName ?? "").toLowerCase()}.azurecr.io`
    : UPSTREAMS[upstream].url;
}
