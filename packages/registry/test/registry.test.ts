import { ECR_REPOSITORY_NAME } from "@berth/core";
import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_CACHE_TAG,
  LIFECYCLE_LIMITS,
  type LifecyclePolicyDocument,
  REPOSITORY_NAME,
  Registry,
  type RegistryArgs,
} from "../src/index.js";
import { expiredBy } from "./ecr-lifecycle.js";

const REPO = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";
const CACHE_RULE = "aws:ecr/pullThroughCacheRule:PullThroughCacheRule";
const SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration";
const REPLICATION = "aws:ecr/replicationConfiguration:ReplicationConfiguration";
const DOCKER_SECRET =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";
const config = { "aws:region": "eu-west-1" };

describe("Registry", () => {
  it("creates secure repositories by default: immutable tags except the cache and the environment tags, KMS, scan on push, no force delete", async () => {
    const run = await runComponent(() => new Registry("shared", { repositories: ["hello"] }), { config });
    const repo = run.one(REPO);
    expect(repo.inputs.name).toBe("hello");
    expect(repo.inputs.imageTagMutability).toBe("IMMUTABLE_WITH_EXCLUSION");
    expect(repo.inputs.imageTagMutabilityExclusionFilters).toEqual([
      { filter: "buildcache", filterType: "WILDCARD" },
      { filter: "release-*", filterType: "WILDCARD" },
    ]);
    expect(repo.inputs.encryptionConfigurations).toEqual([{ encryptionType: "KMS" }]);
    expect(repo.inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
    expect(repo.inputs.forceDelete).toBe(false);
    expect(repo.options.protect ?? false).toBe(false);
    expect(repo.parent).toBe(run.one("berth:registry:Registry").urn);
    expect(run.ofType(LIFECYCLE)).toHaveLength(1);
    // Nobody outside the account needs access: no repository policy, no registry-wide settings.
    expect(run.ofType(POLICY)).toHaveLength(0);
    expect(run.ofType(SCANNING)).toHaveLength(0);
    expect(run.ofType(REPLICATION)).toHaveLength(0);
  });

  it("protects and retains repositories when asked; force delete only where opted in", async () => {
    const run = await runComponent(
      () =>
        new Registry("shared", {
          repositories: ["hello", { name: "scratch", forceDelete: true }],
          protect: true,
          retainOnDelete: true,
        }),
      { config },
    );
    const hello = run.find((r) => r.type === REPO && r.inputs.name === "hello")[0]!;
    const scratch = run.find((r) => r.type === REPO && r.inputs.name === "scratch")[0]!;
    expect(hello.options.protect).toBe(true);
    expect(hello.options.retainOnDelete).toBe(true);
    expect(hello.inputs.forceDelete).toBe(false);
    expect(scratch.inputs.forceDelete).toBe(true);
  });

  it("uses a given KMS key, and plain IMMUTABLE or MUTABLE when asked", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const run = await runComponent(
      () =>
        new Registry("shared", {
          kmsKeyArn: key,
          repositories: [
            { name: "strict", cacheTag: false, environmentTagPrefix: false },
            { name: "loose", immutableTags: false },
          ],
        }),
      { config },
    );
    const [strict, loose] = run.ofType(REPO);
    expect(strict!.inputs.encryptionConfigurations).toEqual([{ encryptionType: "KMS", kmsKey: key }]);
    expect(strict!.inputs.imageTagMutability).toBe("IMMUTABLE");
    expect(strict!.inputs.imageTagMutabilityExclusionFilters).toBeUndefined();
    expect(loose!.inputs.imageTagMutability).toBe("MUTABLE");
  });

  it("exposes each repository's name, ARN and URL, the maps of them and the registry id", async () => {
    const run = await runComponent(
      () => {
        const r = new Registry("shared", { repositories: ["hello", "team/api"] });
        return {
          helloUrl: r.repositories.hello!.url,
          helloArn: r.repositories.hello!.arn,
          urls: r.repositoryUrls,
          names: r.repositoryNames,
          arns: r.repositoryArns,
          registryId: r.registryId,
          registryUrl: r.registryUrl,
        };
      },
      { config, account: "210987654321" },
    );
    expect(run.outputs.helloUrl).toBe("210987654321.dkr.ecr.eu-west-1.amazonaws.com/hello");
    expect(run.outputs.helloArn).toBe("arn:aws:ecr:eu-west-1:210987654321:repository/hello");
    expect(run.outputs.urls).toEqual({
      hello: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/hello",
      "team/api": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/api",
    });
    expect(run.outputs.names).toEqual({ hello: "hello", "team/api": "team/api" });
    expect(Object.keys(run.outputs.arns as object)).toEqual(["hello", "team/api"]);
    expect(run.outputs.registryId).toBe("210987654321");
    expect(run.outputs.registryUrl).toBe("210987654321.dkr.ecr.eu-west-1.amazonaws.com");
  });

  it("attaches a lifecycle policy whose rules keep releases and the cache, per repository overrides merged", async () => {
    const run = await runComponent(
      () =>
        new Registry("shared", {
          lifecycle: { keepReleaseImages: 5 },
          repositories: [
            "hello",
            { name: "api", lifecycle: { releaseTagPrefixes: ["stable-"] } },
            { name: "tmp", lifecycle: false },
          ],
        }),
      { config },
    );
    const policies = run.ofType(LIFECYCLE);
    expect(policies).toHaveLength(2);
    const api = run.json(policies[1]!, "policy") as LifecyclePolicyDocument;
    const images = [
      ...Array.from({ length: 8 }, (_, i) => ({ id: `r${i}`, tags: [`stable-${i}`], age: 8 - i })),
      { id: "cache", tags: ["buildcache"], age: 365 },
      { id: "v-tag", tags: ["v1.0.0"], age: 365 },
    ];
    // Keeps 5 from the registry-wide setting, with the repository's own release prefix.
    expect([...expiredBy(api, images)].sort()).toEqual(["r0", "r1", "r2"]);
  });

  it("writes a repository policy for cross-account pull and push", async () => {
    const run = await runComponent(
      () =>
        new Registry("shared", {
          pullAccountIds: ["111111111111", "222222222222"],
          repositories: [
            { name: "hello", pushPrincipalArns: ["arn:aws:iam::333333333333:role/pipeline"] },
            "other",
          ],
        }),
      { config },
    );
    const [hello, other] = run.ofType(POLICY);
    const doc = run.json(hello!, "policy") as {
      Statement: { Sid: string; Principal: { AWS: string[] }; Action: string[] }[];
    };
    expect(doc.Statement.map((s) => s.Sid)).toEqual(["PullFromAccounts", "PushFromPrincipals"]);
    expect(doc.Statement[0]!.Principal.AWS).toEqual([
      "arn:aws:iam::111111111111:root",
      "arn:aws:iam::222222222222:root",
    ]);
    expect(doc.Statement[0]!.Action).not.toContain("ecr:PutImage");
    expect(doc.Statement[1]!.Principal.AWS).toEqual(["arn:aws:iam::333333333333:role/pipeline"]);
    expect(doc.Statement[1]!.Action).toContain("ecr:PutImage");
    const otherDoc = run.json(other!, "policy") as { Statement: { Sid: string }[] };
    expect(otherDoc.Statement.map((s) => s.Sid)).toEqual(["PullFromAccounts"]);
  });

  it("creates pull-through cache rules with the documented upstream URLs and credentials", async () => {
    const run = await runComponent(
      () => {
        const r = new Registry("shared", {
          repositories: ["hello"],
          pullThroughCache: [
            { upstream: "docker-hub", credentialArn: DOCKER_SECRET },
            { upstream: "ecr-public" },
            {
              upstream: "github",
              prefix: "ghcr",
              credentialArn: DOCKER_SECRET.replace("docker-hub", "ghcr"),
            },
            { upstream: "quay" },
            { upstream: "k8s" },
            { upstream: "azure", azureRegistryName: "Contoso", credentialArn: DOCKER_SECRET },
          ],
        });
        return { caches: r.pullThroughCacheUrls };
      },
      { config },
    );
    const rules = Object.fromEntries(
      run.ofType(CACHE_RULE).map((r) => [r.inputs.ecrRepositoryPrefix, r.inputs]),
    );
    expect(rules["docker-hub"]).toEqual({
      ecrRepositoryPrefix: "docker-hub",
      upstreamRegistryUrl: "registry-1.docker.io",
      credentialArn: DOCKER_SECRET,
    });
    expect(rules["ecr-public"]).toEqual({
      ecrRepositoryPrefix: "ecr-public",
      upstreamRegistryUrl: "public.ecr.aws",
    });
    expect(rules.ghcr!.upstreamRegistryUrl).toBe("ghcr.io");
    expect(rules.quay!.upstreamRegistryUrl).toBe("quay.io");
    expect(rules.kubernetes!.upstreamRegistryUrl).toBe("registry.k8s.io");
    expect(rules.azure!.upstreamRegistryUrl).toBe("contoso.azurecr.io");
    expect((run.outputs.caches as Record<string, string>)["docker-hub"]).toBe(
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub",
    );
  });

  it("works as a pull-through cache only, reading the registry id from the account", async () => {
    const run = await runComponent(
      () => {
        const r = new Registry("shared", { pullThroughCache: [{ upstream: "ecr-public" }] });
        return { id: r.registryId, caches: r.pullThroughCacheUrls };
      },
      { config },
    );
    expect(run.ofType(REPO)).toHaveLength(0);
    expect(run.outputs.id).toBe("123456789012");
    expect(run.outputs.caches).toEqual({
      "ecr-public": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public",
    });
  });

  it("turns on enhanced scanning for this registry's repositories only", async () => {
    const run = await runComponent(
      () =>
        new Registry("shared", {
          repositories: ["hello", "team/api"],
          scanning: { type: "enhanced", frequency: "CONTINUOUS_SCAN" },
        }),
      { config },
    );
    const scanning = run.one(SCANNING);
    expect(scanning.inputs.scanType).toBe("ENHANCED");
    expect(scanning.inputs.rules).toEqual([
      {
        scanFrequency: "CONTINUOUS_SCAN",
        repositoryFilters: [
          { filter: "hello", filterType: "WILDCARD" },
          { filter: "team/api", filterType: "WILDCARD" },
        ],
      },
    ]);
    // The registry-level setting decides; the repositories do not scan on push themselves.
    for (const repo of run.ofType(REPO))
      expect(repo.inputs.imageScanningConfiguration).toEqual({ scanOnPush: false });
  });

  it("replicates this registry's repositories to another region and another account", async () => {
    const run = await runComponent(
      () =>
        new Registry("shared", {
          repositories: ["hello"],
          replication: {
            destinations: [{ region: "eu-central-1" }, { region: "eu-west-1", accountId: "444444444444" }],
          },
        }),
      { config },
    );
    const rc = run.one(REPLICATION);
    expect(rc.inputs.replicationConfiguration).toEqual({
      rules: [
        {
          destinations: [
            { region: "eu-central-1", registryId: "123456789012" },
            { region: "eu-west-1", registryId: "444444444444" },
          ],
          repositoryFilters: [{ filter: "hello", filterType: "PREFIX_MATCH" }],
        },
      ],
    });
  });

  it("lets a transform change a child, and builds least-privilege policies for named repositories", async () => {
    const run = await runComponent(
      () => {
        const r = new Registry("shared", {
          repositories: ["hello", "other"],
          transform: {
            repository: (args) => {
              args.tags = { ...(args.tags as Record<string, string>), Team: "platform" };
            },
          },
        });
        return { pull: r.pullPolicy("hello"), push: r.pushPolicy() };
      },
      { config },
    );
    expect(run.ofType(REPO).every((r) => (r.inputs.tags as Record<string, string>).Team === "platform")).toBe(
      true,
    );
    const pull = run.outputs.pull as { Statement: { Resource: string | string[] }[] };
    expect(pull.Statement.map((s) => s.Resource)).toEqual([
      "*",
      ["arn:aws:ecr:eu-west-1:123456789012:repository/hello"],
    ]);
    const push = run.outputs.push as { Statement: { Resource: string | string[] }[] };
    expect(push.Statement[1]!.Resource).toHaveLength(2);
  });
});

describe("Registry validation", () => {
  const invalid: [string, RegistryArgs, RegExp, string][] = [
    [
      "an uppercase name",
      { repositories: ["Hello"] },
      /repositories\[0\]\.name is "Hello"; lowercase/,
      "repositories[0].name",
    ],
    [
      "a one-character name",
      { repositories: ["a"] },
      /must be from 2 to 256 characters/,
      "repositories[0].name",
    ],
    ["an empty namespace part", { repositories: ["team//api"] }, /"team\/\/api"/, "repositories[0].name"],
    ["a name ending in '-'", { repositories: ["hello-"] }, /"hello-"/, "repositories[0].name"],
    ["a name longer than 256", { repositories: ["a".repeat(257)] }, /2 to 256/, "repositories[0].name"],
    [
      "a duplicate name",
      { repositories: ["hello", { name: "hello" }] },
      /each value may appear only once/,
      "repositories[].name",
    ],
    ["an 11-digit account", { pullAccountIds: ["12345678901"] }, /exactly 12 digits/, "pullAccountIds[0]"],
    [
      "keeping 0 releases",
      { lifecycle: { keepReleaseImages: 0 } },
      /whole number from 1 to 10000/,
      "lifecycle.keepReleaseImages",
    ],
    [
      "a fractional day count",
      { repositories: [{ name: "hello", lifecycle: { untaggedExpireAfterDays: 1.5 } }] },
      /untaggedExpireAfterDays is 1.5/,
      "repositories[0].lifecycle.untaggedExpireAfterDays",
    ],
    [
      "PR prefixes that overlap release prefixes",
      { lifecycle: { releaseTagPrefixes: ["v"], pullRequestTagPrefixes: ["v-pr-"] } },
      /overlaps the release tag prefix "v"/,
      "lifecycle.pullRequestTagPrefixes[0]",
    ],
    [
      "an unknown upstream",
      { pullThroughCache: [{ upstream: "gcr" as "quay" }] },
      /upstream is "gcr"; allowed: "docker-hub", "ecr-public", "github"/,
      "pullThroughCache[0].upstream",
    ],
    [
      "Docker Hub without credentials",
      { pullThroughCache: [{ upstream: "docker-hub" }] },
      /docker-hub requires a Secrets Manager secret whose name starts with "ecr-pullthroughcache\/"/,
      "pullThroughCache[0].credentialArn",
    ],
    [
      "a secret outside ecr-pullthroughcache/",
      {
        pullThroughCache: [
          {
            upstream: "github",
            credentialArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ghcr-AbC",
          },
        ],
      },
      /credentialArn is .*must be an ARN of secretsmanager/,
      "pullThroughCache[0].credentialArn",
    ],
    [
      "a secret in another region",
      {
        pullThroughCache: [
          { upstream: "docker-hub", credentialArn: DOCKER_SECRET.replace("eu-west-1", "us-east-1") },
        ],
      },
      /must be in the registry's region \(eu-west-1\)/,
      "pullThroughCache[0].credentialArn",
    ],
    [
      "a cache prefix that is too short",
      { pullThroughCache: [{ upstream: "quay", prefix: "q" }] },
      /prefix is "q"; must be from 2 to 30 characters/,
      "pullThroughCache[0].prefix",
    ],
    [
      "two cache rules with one prefix",
      {
        pullThroughCache: [
          { upstream: "quay", prefix: "public" },
          { upstream: "ecr-public", prefix: "public" },
        ],
      },
      /pullThroughCache\[\]\.prefix is "public"/,
      "pullThroughCache[].prefix",
    ],
    [
      "a repository under a cache prefix",
      { repositories: ["ecr-public/node"], pullThroughCache: [{ upstream: "ecr-public" }] },
      /lies under the pull-through cache prefix "ecr-public"/,
      "repositories[0].name",
    ],
    [
      "replication to its own region",
      { repositories: ["hello"], replication: { destinations: [{ region: "eu-west-1" }] } },
      /is this registry's own region/,
      "replication.destinations[0].region",
    ],
    ["a KMS key that is not a KMS ARN", { kmsKeyArn: "alias/ecr" }, /must be an ARN of kms/, "kmsKeyArn"],
    [
      "a cache tag with a space",
      { cacheTag: "build cache" },
      /cacheTag is "build cache"; a Docker tag/,
      "cacheTag",
    ],
    [
      "a repository's own cache tag that the registry-wide pull-request prefix selects",
      {
        lifecycle: { pullRequestTagPrefixes: ["preview-"] },
        repositories: [{ name: "hello", cacheTag: "preview-cache" }],
      },
      /repositories\[0\]\.cacheTag is "preview-cache"; the pull-request tag prefix "preview-"/,
      "repositories[0].cacheTag",
    ],
    [
      "a repository's own cache tag that the default pull-request prefix selects",
      { repositories: ["api", { name: "hello", cacheTag: "pr-cache" }] },
      /repositories\[1\]\.cacheTag is "pr-cache"; the pull-request tag prefix "pr-"/,
      "repositories[1].cacheTag",
    ],
    [
      "a registry cache tag that the default pull-request prefix selects",
      { cacheTag: "pr-cache", repositories: ["hello"] },
      /cacheTag is "pr-cache"; the pull-request tag prefix "pr-"/,
      "cacheTag",
    ],
    [
      "a registry cache tag that the registry's own pull-request prefix selects",
      { cacheTag: "pr-cache", lifecycle: { keepReleaseImages: 5 } },
      /would select the build-cache tag "pr-cache"/,
      "lifecycle.pullRequestTagPrefixes[0]",
    ],
    [
      "keeping more than 10000 releases",
      { repositories: [{ name: "hello", lifecycle: { keepReleaseImages: 10001 } }] },
      /whole number from 1 to 10000 images/,
      "repositories[0].lifecycle.keepReleaseImages",
    ],
    [
      "previews kept longer than 3650 days",
      { lifecycle: { pullRequestExpireAfterDays: 3651 } },
      /whole number from 1 to 3650 days/,
      "lifecycle.pullRequestExpireAfterDays",
    ],
    [
      "expiring other images after 0 days",
      { lifecycle: { expireOtherImagesAfterDays: 0 } },
      /whole number from 1 to 3650 days/,
      "lifecycle.expireOtherImagesAfterDays",
    ],
    ["a malformed region", { region: "Europe" }, /region is "Europe"; an AWS region/, "region"],
    // ECR takes at most 5 imageTagMutabilityExclusionFilters; the cache tag and release-* use two.
    [
      "more mutable tag patterns than ECR's 5 exclusion filters leave room for",
      { repositories: ["hello"], mutableTagPatterns: ["latest", "main", "dev-*", "edge"] },
      /mutableTagPatterns is \["latest","main","dev-\*","edge"\]; gives 6 tag mutability exclusion filters .*ECR allows at most 5 imageTagMutabilityExclusionFilters per repository/,
      "mutableTagPatterns",
    ],
    [
      "a repository's own patterns that exceed the 5 exclusion filters",
      {
        repositories: ["api", { name: "hello", cacheTag: "cache", mutableTagPatterns: ["a", "b", "c", "d"] }],
      },
      /repositories\[1\]\.mutableTagPatterns is .*gives 6 tag mutability exclusion filters \("cache", "release-\*", "a", "b", "c", "d"/,
      "repositories[1].mutableTagPatterns",
    ],
    [
      "a commit prefix that overlaps a release prefix",
      { lifecycle: { releaseTagPrefixes: ["g"], commitTagPrefixes: ["git-"] } },
      /commitTagPrefixes\[0\] is "git-"; overlaps the release tag prefix "g"/,
      "lifecycle.commitTagPrefixes[0]",
    ],
    [
      "a release prefix that would select the environment tags (never expired)",
      { lifecycle: { releaseTagPrefixes: ["release-"] } },
      /releaseTagPrefixes\[0\] is "release-"; overlaps the environment tag prefix "release-"/,
      "lifecycle.releaseTagPrefixes[0]",
    ],
    [
      "an environment tag prefix that the default commit prefix overlaps",
      { repositories: [{ name: "hello", environmentTagPrefix: "git-env-" }] },
      /repositories\[0\]\.environmentTagPrefix is "git-env-"; overlaps the lifecycle tag prefix "git-"/,
      "repositories[0].environmentTagPrefix",
    ],
    [
      "an environment tag prefix with a wildcard",
      { environmentTagPrefix: "rel*" },
      /environmentTagPrefix is "rel\*"; a tag prefix/,
      "environmentTagPrefix",
    ],
    [
      "keeping 0 commit images",
      { lifecycle: { keepCommitImages: 0 } },
      /keepCommitImages is 0; must be a whole number from 1 to 10000 images/,
      "lifecycle.keepCommitImages",
    ],
    [
      "a tag key AWS reserves",
      { repositories: ["hello"], tags: { "aws:team": "x" } },
      /tags/,
      "tags.aws:team",
    ],
    [
      "a repository tag value that is not text",
      { repositories: [{ name: "hello", tags: { Team: 3 as unknown as string } }] },
      /repositories\[0\]\.tags/,
      "repositories[0].tags.Team",
    ],
    [
      "a secret outside the region given as an argument (over the stack's aws:region)",
      { region: "us-east-1", pullThroughCache: [{ upstream: "docker-hub", credentialArn: DOCKER_SECRET }] },
      /must be in the registry's region \(us-east-1\)/,
      "pullThroughCache[0].credentialArn",
    ],
  ];

  it.each(invalid)("rejects %s before creating anything", async (_what, args, message, field) => {
    const err = await expectInvalid(() => new Registry("shared", args), message, { config });
    expect(err.field).toBe(field);
  });
  it("rejects a component name with a space and args that are not an object, before creating anything", async () => {
    const name = await expectInvalid(() => new Registry("my registry", {}), /name is "my registry"/, {
      config,
    });
    expect(name.field).toBe("name");
    const args = await expectInvalid(
      () => new Registry("shared", ["hello"] as unknown as RegistryArgs),
      /give the arguments as an object/,
      { config },
    );
    expect(args.field).toBe("args");
  });

  it("rejects a bad repository name listed after valid ones before any repository registers", async () => {
    const err = await expectInvalid(
      () => new Registry("shared", { repositories: ["hello", "team/api", "acme/.."] }),
      /repositories\[2\]\.name is "acme\/\.\."; lowercase letters, digits/,
      { config },
    );
    expect(err.field).toBe("repositories[2].name");
  });

  it("accepts exactly 5 exclusion filters, and more patterns when the environment tags are off", async () => {
    const run = await runComponent(
      () =>
        new Registry("shared", {
          mutableTagPatterns: ["latest", "main", "dev-*"],
          repositories: [
            "hello",
            { name: "api", environmentTagPrefix: false, mutableTagPatterns: ["a", "b", "c", "d"] },
            { name: "loose", immutableTags: false, mutableTagPatterns: ["a", "b", "c", "d", "e", "f"] },
          ],
        }),
      { config },
    );
    const [hello, api, loose] = run.ofType(REPO);
    expect((hello!.inputs.imageTagMutabilityExclusionFilters as unknown[]).length).toBe(5);
    expect(api!.inputs.imageTagMutabilityExclusionFilters).toEqual(
      ["buildcache", "a", "b", "c", "d"].map((filter) => ({ filter, filterType: "WILDCARD" })),
    );
    // A mutable repository needs no exclusions at all.
    expect(loose!.inputs.imageTagMutability).toBe("MUTABLE");
    expect(loose!.inputs.imageTagMutabilityExclusionFilters).toBeUndefined();
    // Without environment tags, the policy has no rule for them.
    const apiPolicy = run.json(run.ofType(LIFECYCLE)[1]!, "policy") as LifecyclePolicyDocument;
    expect(apiPolicy.rules.some((r) => r.selection.tagPrefixList?.[0] === "release-")).toBe(false);
  });

  it("takes the region from its argument when the stack sets no aws:region", async () => {
    const args: RegistryArgs = {
      region: "eu-central-1",
      repositories: ["hello"],
      replication: { destinations: [{ region: "eu-central-1" }] },
    };
    const err = await expectInvalid(() => new Registry("shared", args), /is this registry's own region/);
    expect(err.field).toBe("replication.destinations[0].region");
    // Without the argument or the config, the region is unknown and not checked.
    await runComponent(() => new Registry("shared", { ...args, region: undefined }));
  });

  it("accepts a repository's own cache tag no pull-request prefix selects, or with no lifecycle policy", async () => {
    const run = await runComponent(
      () =>
        new Registry("shared", {
          repositories: [
            { name: "hello", cacheTag: "cache" },
            { name: "api", cacheTag: "pr-cache", lifecycle: false },
          ],
        }),
      { config },
    );
    const [hello, api] = run.ofType(REPO);
    expect(hello!.inputs.imageTagMutabilityExclusionFilters).toEqual([
      { filter: "cache", filterType: "WILDCARD" },
      { filter: "release-*", filterType: "WILDCARD" },
    ]);
    expect(api!.inputs.imageTagMutabilityExclusionFilters).toEqual([
      { filter: "pr-cache", filterType: "WILDCARD" },
      { filter: "release-*", filterType: "WILDCARD" },
    ]);
    expect(run.ofType(LIFECYCLE)).toHaveLength(1);
    await runComponent(
      () => new Registry("shared", { cacheTag: "pr-cache", lifecycle: false, repositories: ["hello"] }),
      { config },
    );
  });
});

describe("Registry pull-through cache secret account", () => {
  // ECR requires the credential secret in the pull-through cache rule's account and region.
  const OTHER = DOCKER_SECRET.replace("123456789012", "210987654321");
  const cache = (credentialArn: string) => [{ upstream: "docker-hub" as const, credentialArn }];

  it("rejects a secret in another account than the accountId given", async () => {
    const err = await expectInvalid(
      () => new Registry("shared", { accountId: "123456789012", pullThroughCache: cache(OTHER) }),
      /credentialArn is .*210987654321.*the secret must be in the registry's account \(123456789012\)/,
    );
    expect(err.field).toBe("pullThroughCache[0].credentialArn");
  });

  it("rejects a secret outside the accounts of aws:allowedAccountIds", async () => {
    const err = await expectInvalid(
      () => new Registry("shared", { pullThroughCache: cache(OTHER) }),
      /must be in the registry's account \(123456789012\)/,
      { config: { ...config, "aws:allowedAccountIds": '["123456789012"]' } },
    );
    expect(err.field).toBe("pullThroughCache[0].credentialArn");
    await expectInvalid(
      () => new Registry("shared", { pullThroughCache: cache(OTHER) }),
      /one of aws:allowedAccountIds \(123456789012, 111122223333\)/,
      { config: { ...config, "aws:allowedAccountIds": '["123456789012", "111122223333"]' } },
    );
  });

  it("accepts a secret in the registry's account, and leaves the account unchecked when it is unknown", async () => {
    const mine = await runComponent(
      () => new Registry("shared", { accountId: "123456789012", pullThroughCache: cache(DOCKER_SECRET) }),
      { config: { ...config, "aws:allowedAccountIds": '["210987654321"]' } },
    );
    expect(mine.ofType(CACHE_RULE)).toHaveLength(1);
    const listed = await runComponent(() => new Registry("shared", { pullThroughCache: cache(OTHER) }), {
      config: { ...config, "aws:allowedAccountIds": '["123456789012", "210987654321"]' },
    });
    expect(listed.ofType(CACHE_RULE)).toHaveLength(1);
    const unknown = await runComponent(() => new Registry("shared", { pullThroughCache: cache(OTHER) }), {
      config,
    });
    expect(unknown.ofType(CACHE_RULE)).toHaveLength(1);
  });

  it("rejects an accountId that is not 12 digits", async () => {
    const err = await expectInvalid(
      () => new Registry("shared", { accountId: "1234" }),
      /accountId is "1234"/,
    );
    expect(err.field).toBe("accountId");
  });
});

describe("Registry constants", () => {
  it("exports the default cache tag, the lifecycle limits and core's repository-name grammar", () => {
    expect(DEFAULT_CACHE_TAG).toBe("buildcache");
    expect(LIFECYCLE_LIMITS).toEqual({
      keepReleaseImages: { min: 1, max: 10000 },
      keepCommitImages: { min: 1, max: 10000 },
      days: { min: 1, max: 3650 },
    });
    expect(REPOSITORY_NAME).toBe(ECR_REPOSITORY_NAME);
    expect(REPOSITORY_NAME.test("team/api")).toBe(true);
    expect(REPOSITORY_NAME.test("Team/api")).toBe(false);
  });
});
