import { describe, expect, it } from "vitest";
import {
  diffRecords,
  parseChangeset,
  renderGuard,
  renderStackText,
  responsiblePackage,
  reviewRecords,
  upgradeGuard,
} from "../src/index.js";
import { record, res, TG, targetGroup } from "./records.js";

const RULE = "aws:lb/listenerRule:ListenerRule";

/** A target group a listener rule uses, under the component `berth:cluster:Service`. */
function web(protocolVersion: string, withRule = true) {
  const tg = targetGroup({ protocolVersion });
  tg.urn = "urn:pulumi:prod::app::berth:cluster:Service$aws:lb/targetGroup:TargetGroup::hello-tg";
  const rule = res(RULE, "hello-rule", { priority: 10 }, { dependencies: [tg.urn] });
  return record(withRule ? [tg, rule] : [tg]);
}

describe("parseChangeset", () => {
  it("reads the releases of the front matter and the ## Migration section", () => {
    const cs = parseChangeset(
      ".changeset/http2.md",
      "---\n\"@berth/cluster\": major\n'@berth/data': minor\n---\n\nHTTP/2 to the targets.\n\n## Migration\n\nDeploy it outside business hours.\n\n## Notes\n\nMore.\n",
    );
    expect(cs).toEqual({
      file: ".changeset/http2.md",
      releases: { "@berth/cluster": "major", "@berth/data": "minor" },
      migration: "Deploy it outside business hours.",
    });
    expect(
      parseChangeset("x.md", '---\n"@berth/cluster": major\n---\n\n## Migration\n\n').migration,
    ).toBeUndefined();
  });
});

describe("responsiblePackage", () => {
  it("is the outermost Berth component of the URN, else the stack's package", () => {
    expect(
      responsiblePackage(
        "urn:pulumi:dev::p::berth:cluster:WebService$berth:cluster:Task$aws:ecs/taskDefinition:TaskDefinition::x",
        "@berth-stacks/service",
      ),
    ).toBe("@berth/cluster");
    expect(
      responsiblePackage(
        "urn:pulumi:dev::p::berth:networking:Network$awsx:ec2:Vpc::net",
        "@berth-stacks/platform",
      ),
    ).toBe("@berth/networking");
    expect(responsiblePackage("urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", "@berth-stacks/shared")).toBe(
      "@berth-stacks/shared",
    );
  });
});

describe("upgradeGuard", () => {
  const stacks = (base = web("HTTP1"), head = web("HTTP2")) => [
    { stack: "app/prod", package: "@berth-stacks/app", diff: diffRecords(base, head) },
  ];

  it("stops the replacement of a target group in use until a major changeset with a migration note", () => {
    const stopped = upgradeGuard(stacks(), []);
    expect(stopped.passed).toBe(false);
    expect(stopped.violations).toEqual([
      {
        stack: "app/prod",
        urn: "urn:pulumi:prod::app::berth:cluster:Service$aws:lb/targetGroup:TargetGroup::hello-tg",
        type: TG,
        name: "hello-tg",
        action: "replace",
        because: ["protocolVersion"],
        package: "@berth/cluster",
      },
    ]);
    const minor = parseChangeset("m.md", '---\n"@berth/cluster": minor\n---\n\n## Migration\n\nx\n');
    const other = parseChangeset("o.md", '---\n"@berth/data": major\n---\n\n## Migration\n\nx\n');
    expect(upgradeGuard(stacks(), [minor, other]).passed).toBe(false);
    const major = parseChangeset("M.md", '---\n"@berth/cluster": major\n---\n\n## Migration\n\nx\n');
    const ok = upgradeGuard(stacks(), [major]);
    expect(ok.passed).toBe(true);
    expect(ok.acknowledged.map((f) => f.acknowledgedBy)).toEqual(["M.md"]);
  });

  it("lets a target group nothing uses be replaced, and stops deletions of stateful resources", () => {
    expect(upgradeGuard(stacks(web("HTTP1", false), web("HTTP2", false)), []).passed).toBe(true);
    const bucket = res("aws:s3/bucket:Bucket", "data", { bucket: "data" });
    const gone = upgradeGuard(
      [{ stack: "app/prod", package: "@berth-stacks/app", diff: diffRecords(record([bucket]), record([])) }],
      [],
    );
    expect(gone.violations.map((v) => [v.action, v.type, v.package])).toEqual([
      ["delete", "aws:s3/bucket:Bucket", "@berth-stacks/app"],
    ]);
    expect(renderGuard(gone).split("\n").slice(0, 2)).toEqual([
      "Upgrade guard: 1 unacknowledged replacement(s) or deletion(s):",
      "  app/prod: delete aws:s3/bucket:Bucket data — @berth-stacks/app",
    ]);
  });
});

describe("renderStackText", () => {
  it("lists replacements first with the property that forces them, then the counts' other kinds", () => {
    const base = record([targetGroup({ protocolVersion: "HTTP1" }), res("aws:kms/key:Key", "k", {})]);
    const head = record([targetGroup({ protocolVersion: "HTTP2" }), res("aws:sqs/queue:Queue", "q", {})]);
    const text = renderStackText({ ...reviewRecords(base, head), stack: "app/prod" });
    expect(text.split("\n")).toEqual([
      "app/prod: 1 to create, 1 to replace, 1 to delete, 0 unchanged",
      "  +- replace aws:lb/targetGroup:TargetGroup  hello-tg (stateful)",
      '        protocolVersion: "HTTP1" → "HTTP2"  (forces replacement)',
      "  -  delete  aws:kms/key:Key  k (stateful)",
      "  +  create  aws:sqs/queue:Queue  q",
      "  idle cost: -$1.00/mo ($1.00 → $0.00)",
      "    -$1.00/mo  k  KMS key ($1.00 → $0.00)",
      "",
    ]);
  });

  it("never prints a secret and drops control characters", () => {
    const base = record([
      res("aws:ssm/parameter:Parameter", "p\u001b[31m", { value: "hunter2", tier: "Standard" }),
    ]);
    const head = record([
      res("aws:ssm/parameter:Parameter", "p\u001b[31m", { value: "[secret]", tier: "Advanced" }),
    ]);
    const text = renderStackText({ ...reviewRecords(base, head), stack: "app/prod" });
    expect(text).toContain('        tier: "Standard" → "Advanced"');
    // A value that became secret is masked on both sides.
    expect(text).toContain("        value: [secret] → [secret]");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("\u001b");
  });
});
