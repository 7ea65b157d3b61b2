import type { LifecyclePolicyDocument } from "../src/index.js";

/** An image in a repository, for the lifecycle model. */
export interface Image {
  id: string;
  tags: string[];
  /** Days since push. */
  age: number;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

/**
 * A model of how ECR applies a lifecycle policy, from the ECR User Guide: rules run from the lowest
 * priority number up; a tagged selection with a prefix or pattern list needs every entry to match
 * one of the image's tags; an image matched by an earlier rule's selection cannot be expired by a
 * later rule (but still counts for it); `imageCountMoreThan` keeps the newest N of what it selects,
 * `sinceImagePushed` expires what is older than N days. Returns the ids of expired images.
 */
export function expiredBy(policy: LifecyclePolicyDocument, images: Image[]): Set<string> {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const claimed = new Set<string>();
  const expired = new Set<string>();
  for (const rule of rules) {
    const s = rule.selection;
    const selected = images.filter((img) => {
      if (s.tagStatus === "untagged") return img.tags.length === 0;
      if (s.tagStatus === "any") return true;
      if (img.tags.length === 0) return false;
      const prefixes = s.tagPrefixList ?? [];
      const patterns = (s.tagPatternList ?? []).map(wildcard);
      return (
        prefixes.every((p) => img.tags.some((t) => t.startsWith(p))) &&
        patterns.every((re) => img.tags.some((t) => re.test(t)))
      );
    });
    const byAge = [...selected].sort((a, b) => a.age - b.age);
    const candidates =
      s.countType === "imageCountMoreThan"
        ? byAge.slice(s.countNumber)
        : byAge.filter((img) => img.age > s.countNumber);
    for (const img of candidates) if (!claimed.has(img.id)) expired.add(img.id);
    for (const img of selected) claimed.add(img.id);
  }
  return expired;
}
