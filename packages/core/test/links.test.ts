import { describe, expect, it } from "vitest";
import { emptyGrant, envPrefix, type LinkGrant, mergeGrants } from "../src/index.js";

describe("links", () => {
  it.each([
    ["orders-db", "ORDERS_DB"],
    ["jobs", "JOBS"],
    ["uploads.v2", "UPLOADS_V2"],
    ["-odd--name-", "ODD_NAME"],
  ])("envPrefix(%s) is %s", (name, prefix) => expect(envPrefix(name)).toBe(prefix));

  it("merges statements, variables, secrets, keys and paths of every grant", () => {
    const a: LinkGrant = {
      ...emptyGrant(),
      taskRoleStatements: [
        { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: ["arn:aws:sqs:us-east-1:1:a"] },
      ],
      environment: { A_URL: "https://a" },
    };
    const b: LinkGrant = {
      ...emptyGrant(),
      secrets: { B_PASSWORD: "arn:aws:secretsmanager:us-east-1:1:secret:b:password::" },
      secretKmsKeyArns: ["arn:aws:kms:us-east-1:1:key/b"],
      ingress: [{ securityGroupId: "sg-1", port: 5432, description: "b" }],
    };
    const merged = mergeGrants([a, b]);
    expect(merged.taskRoleStatements).toHaveLength(1);
    expect(merged.environment).toEqual({ A_URL: "https://a" });
    expect(Object.keys(merged.secrets)).toEqual(["B_PASSWORD"]);
    expect(merged.secretKmsKeyArns).toEqual(["arn:aws:kms:us-east-1:1:key/b"]);
    expect(merged.ingress).toEqual([{ securityGroupId: "sg-1", port: 5432, description: "b" }]);
  });

  it("refuses two grants that set the same variable, plain or secret", () => {
    const plain = { ...emptyGrant(), environment: { X: "1" } };
    const secret = { ...emptyGrant(), secrets: { X: "arn:aws:ssm:us-east-1:1:parameter/x" } };
    expect(() => mergeGrants([plain, secret])).toThrow(/two linked resources set the variable X/);
  });
});
