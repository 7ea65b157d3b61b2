import { describe, expect, it } from "vitest";
import { lifecyclePolicy } from "../src/index.js";
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
        releaseTagPrefixes: ["v", "release-"],
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
