import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_CACHE_TAG,
  DEFAULT_ENVIRONMENT_TAG_PREFIX,
  LIFECYCLE_DEFAULTS,
  lifecyclePolicy,
} from "../src/index.js";
import { expiredBy, type Image } from "./ecr-lifecycle.js";

const releases = (n: number, prefix = "v"): Image[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${n - i}`, tags: [`${prefix}1.0.${n - i}`], age: i }));

describe("lifecyclePolicy", () => {
  it("keeps the newest 30 release images and expires older ones", () => {
    const images = releases(40);
    const expired = expiredBy(lifecyclePolicy(), images);
    const kept = images.filter((i) => !expired.has(i.id)).map((i) => i.id);
    expect(kept).toHaveLength(30);
    expect(kept).toContain("v40");
    expect(expired).toContain("v1");
    expect(expired).toContain("v10");
    expect(expired).not.toContain("v11");
  });

  it("expires preview and untagged images by age, and keeps images no rule selects", () => {
    const images: Image[] = [
      { id: "pr-new", tags: ["pr-12"], age: 3 },
      { id: "pr-old", tags: ["pr-7"], age: 15 },
      { id: "untagged-new", tags: [], age: 2 },
      { id: "untagged-old", tags: [], age: 8 },
      { id: "sha", tags: ["3f2a9c1"], age: 400 },
    ];
    const expired = expiredBy(lifecyclePolicy(), images);
    expect([...expired].sort()).toEqual(["pr-old", "untagged-old"]);
  });

  it("never expires the build-cache image, however old, whichever rules are on", () => {
    const policy = lifecyclePolicy(
      {
        keepReleaseImages: 1,
        releaseTagPrefixes: ["b", "v"],
        pullRequestTagPrefixes: ["pr-"],
        pullRequestExpireAfterDays: 1,
        untaggedExpireAfterDays: 1,
        expireOtherImagesAfterDays: 1,
      },
      "buildcache",
    );
    const images: Image[] = [
      { id: "b-new", tags: ["b2"], age: 0 },
      { id: "cache", tags: ["buildcache"], age: 900 },
      ...releases(5),
    ];
    const expired = expiredBy(policy, images);
    expect(expired).not.toContain("cache");
    // The release prefix "b" also matches "buildcache", yet only the other "b" image may go.
    expect(expired).not.toContain("b-new");
    // The cache rule comes first and selects exactly the cache tag, nothing else.
    expect(policy.rules[0]!.selection).toMatchObject({ tagStatus: "tagged", tagPatternList: ["buildcache"] });
    expect(policy.rules[0]!.rulePriority).toBe(1);
  });

  it("gives unique, ascending priorities, one rule per prefix, and puts an 'any' rule last", () => {
    const policy = lifecyclePolicy(
      {
        releaseTagPrefixes: ["v", "stable-"],
        pullRequestTagPrefixes: ["pr-", "preview-"],
        expireOtherImagesAfterDays: 90,
      },
      "buildcache",
    );
    const priorities = policy.rules.map((r) => r.rulePriority);
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    expect(new Set(priorities).size).toBe(priorities.length);
    for (const r of policy.rules) expect(r.selection.tagPrefixList?.length ?? 0).toBeLessThanOrEqual(1);
    expect(policy.rules.at(-1)!.selection.tagStatus).toBe("any");
    expect(policy.rules.filter((r) => r.selection.tagStatus === "untagged")).toHaveLength(1);
  });

  it("expires commit-only images after N days only when asked, leaving releases alone", () => {
    const images: Image[] = [
      { id: "sha-old", tags: ["3f2a9c1"], age: 120 },
      { id: "sha-new", tags: ["9b1"], age: 10 },
      ...releases(3),
    ];
    images.push({ id: "v-ancient", tags: ["v0.0.1"], age: 1000 });
    const expired = expiredBy(lifecyclePolicy({ expireOtherImagesAfterDays: 90 }), images);
    expect([...expired]).toEqual(["sha-old"]);
  });

  it("writes no cache rule when there is no cache tag", () => {
    const policy = lifecyclePolicy({}, false);
    expect(policy.rules.some((r) => r.selection.tagPatternList)).toBe(false);
    expect(policy.rules[0]!.rulePriority).toBe(1);
  });
});

describe("the default policy and the tags the shipped pipeline pushes", () => {
  // The buildspecs' own defaults: build-image pushes <IMAGE_TAG_PREFIX><commit>, each deploy moves
  // <RELEASE_TAG_PREFIX><environment> to the image it releases, --cache-to writes <CACHE_TAG>.
  const CI = join(__dirname, "..", "..", "..", "ci", "buildspecs");
  const variable = (file: string, name: string) =>
    new RegExp(`^    ${name}: "([^"]*)"$`, "m").exec(readFileSync(join(CI, file), "utf8"))?.[1];
  const commitPrefix = variable("build-image.yml", "IMAGE_TAG_PREFIX")!;
  const releasePrefix = variable("deploy.yml", "RELEASE_TAG_PREFIX")!;
  const cacheTag = variable("build-image.yml", "CACHE_TAG")!;

  it("selects what the pipeline pushes: git-<commit>, release-<environment> and the cache tag", () => {
    expect(commitPrefix).toBe("git-");
    expect(LIFECYCLE_DEFAULTS.commitTagPrefixes).toEqual([commitPrefix]);
    expect(releasePrefix).toBe(DEFAULT_ENVIRONMENT_TAG_PREFIX);
    expect(cacheTag).toBe(DEFAULT_CACHE_TAG);
  });

  /** 100 builds, one a day (git-<sha>, newest first), the cache, and what each environment runs. */
  function history(): Image[] {
    const sha = (n: number) => n.toString(16).padStart(40, "0");
    const images: Image[] = Array.from({ length: 100 }, (_, i) => ({
      id: `build-${100 - i}`,
      tags: [`${commitPrefix}${sha(100 - i)}`],
      age: i,
    }));
    const release = (id: string, env: string) =>
      images.find((img) => img.id === id)!.tags.push(`${releasePrefix}${env}`);
    release("build-100", "dev"); // dev runs the newest build
    release("build-60", "staging"); // staging is 40 builds behind
    release("build-5", "prod"); // prod was rolled back to a 95-day-old image
    images.push({ id: "cache", tags: [cacheTag], age: 0 }, { id: "old-cache-manifest", tags: [], age: 30 });
    return images;
  }

  it("keeps the newest 30 builds and every image an environment runs, however old; expires the rest", () => {
    const images = history();
    const expired = expiredBy(lifecyclePolicy(), images);
    const kept = images.filter((img) => !expired.has(img.id)).map((img) => img.id);
    // Released images are kept: no release pointer ever names an expired image.
    for (const id of ["build-100", "build-60", "build-5"]) expect(kept).toContain(id);
    // The newest 30 builds (by push time) and the cache.
    for (let n = 71; n <= 100; n++) expect(kept).toContain(`build-${n}`);
    expect(kept).toContain("cache");
    // Everything else built by the pipeline expires, and superseded cache manifests too.
    expect(expired).toContain("build-70");
    expect(expired).toContain("build-1");
    expect(expired).toContain("old-cache-manifest");
    expect(kept).toHaveLength(30 + 2 + 1);
  });

  it("lets a previous release go once its environment tag moved on (when it is not among the newest builds)", () => {
    const images = history();
    // prod moves on to build-99: the deploy moved release-prod off build-5.
    const b5 = images.find((img) => img.id === "build-5")!;
    b5.tags = b5.tags.filter((t) => t !== `${releasePrefix}prod`);
    images.find((img) => img.id === "build-99")!.tags.push(`${releasePrefix}prod`);
    const expired = expiredBy(lifecyclePolicy(), images);
    expect(expired).toContain("build-5");
    expect(expired).not.toContain("build-99");
    expect(expired).not.toContain("build-60");
  });

  it("gives the environment tags the priority right after the cache, before any rule that could expire them", () => {
    const rules = lifecyclePolicy().rules;
    expect(
      rules.map((r) => [
        r.rulePriority,
        r.selection.tagPrefixList ?? r.selection.tagPatternList ?? r.selection.tagStatus,
      ]),
    ).toEqual([
      [1, [DEFAULT_CACHE_TAG]],
      [2, [DEFAULT_ENVIRONMENT_TAG_PREFIX]],
      [3, ["v"]],
      [4, ["git-"]],
      [5, ["pr-"]],
      [6, "untagged"],
    ]);
    expect(rules[1]!.selection).toMatchObject({ tagStatus: "tagged", countType: "imageCountMoreThan" });
  });
});
