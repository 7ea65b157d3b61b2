import { describe, expect, it } from "vitest";
import { ecrPullStatements, ecrPushStatements, repositoryPolicy } from "../src/index.js";

const ARN = "arn:aws:ecr:eu-west-1:123456789012:repository/hello";

describe("IAM statement helpers", () => {
  it("pull: only GetAuthorizationToken is on '*', reads are scoped to the repository", () => {
    const statements = ecrPullStatements(ARN);
    const wildcard = statements.filter((s) => s.Resource === "*");
    expect(wildcard).toEqual([expect.objectContaining({ Action: "ecr:GetAuthorizationToken" })]);
    const scoped = statements.find((s) => s.Resource !== "*")!;
    expect(scoped.Resource).toEqual([ARN]);
    expect(scoped.Action).toEqual(
      expect.arrayContaining([
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
      ]),
    );
    expect(scoped.Action).not.toContain("ecr:PutImage");
  });

  it("push: adds the upload actions, still scoped to the repositories given", () => {
    const other = "arn:aws:ecr:eu-west-1:123456789012:repository/team/api";
    const statements = ecrPushStatements([ARN, other]);
    const scoped = statements.find((s) => s.Resource !== "*")!;
    expect(scoped.Resource).toEqual([ARN, other]);
    expect(scoped.Action).toEqual(
      expect.arrayContaining([
        "ecr:PutImage",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
      ]),
    );
    for (const s of statements) {
      const actions = [s.Action].flat();
      expect(actions.every((a) => a?.startsWith("ecr:") && !a.includes("*"))).toBe(true);
    }
  });

  it.each([
    ["*", /repositoryArns\[0\] is "\*"/],
    ["arn:aws:ecr:eu-west-1:123456789012:repository/*", /never a wildcard/],
    ["arn:aws:s3:::bucket", /must be one repository's ARN/],
  ])("refuses %s as a repository", (arn, message) => {
    expect(() => ecrPullStatements(arn)).toThrow(message);
    expect(() => ecrPushStatements([arn])).toThrow(message);
  });

  it("repository policy: account roots may pull, named principals may push, nothing else", () => {
    const doc = repositoryPolicy({
      pullAccountIds: ["111111111111"],
      pushPrincipalArns: ["arn:aws:iam::222222222222:role/pipeline"],
    })!;
    const [pull, push] = doc.Statement;
    expect(pull!.Principal).toEqual({ AWS: ["arn:aws:iam::111111111111:root"] });
    expect(pull!.Action).not.toContain("ecr:PutImage");
    expect(push!.Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:role/pipeline"] });
    expect(push!.Action).toContain("ecr:PutImage");
    expect(doc.Statement.every((s) => s.Resource === undefined && s.Effect === "Allow")).toBe(true);
    expect(repositoryPolicy({ pullAccountIds: [], pushPrincipalArns: [] })).toBeUndefined();
  });
});
