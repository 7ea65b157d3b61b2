import { describe, expect, it } from "vitest";
import {
  costDelta,
  diffFromPreviewJson,
  diffRecords,
  estimateCost,
  estimateRollouts,
  renderReport,
  reviewRecords,
  type StackReview,
} from "../src/index.js";
import { record, res, service, TG, targetGroup, taskDefinition } from "./records.js";

const base = () => record([targetGroup(), taskDefinition(), service()], { url: "https://hello.example.com" });

function lines(md: string): string[] {
  return md.split("\n");
}

describe("diffRecords", () => {
  it("identical records → no changes", () => {
    const d = diffRecords(base(), base());
    expect(d.counts).toEqual({ create: 0, update: 0, replace: 0, delete: 0, same: 3 });
    expect(d.changes).toEqual([]);
    const md = renderReport([reviewRecords(base(), base())]);
    expect(lines(md)).toEqual([
      "<!-- berth-review -->",
      "## Berth review",
      "",
      "| Stack | Changes | Idle cost | Rollout | Policies |",
      "|---|---|---|---|---|",
      "| `app/prod` | no changes | ±$0.00/mo ($28.84 → $28.84) | ±0s | – |",
      "",
      "No changes.",
      "",
    ]);
  });

  it('an output that changed is not "no changes" in the summary', () => {
    const head = record([targetGroup(), taskDefinition(), service()], { url: "https://shop.example.com" });
    const md = renderReport([reviewRecords(base(), head)]);
    expect(lines(md)[5]).toBe("| `app/prod` | 1 output changed | ±$0.00/mo ($28.84 → $28.84) | ±0s | – |");
  });

  it("a config change that only updates", () => {
    const head = record(
      [targetGroup({ deregistrationDelay: 30 }), taskDefinition(), service({ desiredCount: 3 })],
      {
        url: "https://hello.example.com",
      },
    );
    const d = diffRecords(base(), head);
    expect(d.counts).toEqual({ create: 0, update: 2, replace: 0, delete: 0, same: 1 });
    expect(d.changes.map((c) => [c.kind, c.name, c.properties])).toEqual([
      ["update", "hello-tg", [{ path: "deregistrationDelay", old: "15", new: "30", replaces: false }]],
      ["update", "hello", [{ path: "desiredCount", old: "2", new: "3", replaces: false }]],
    ]);
  });

  it("a protocolVersion change replaces the target group, on top of the report in bold", () => {
    const head = record([targetGroup({ protocolVersion: "HTTP2" }), taskDefinition(), service()], {
      url: "https://hello.example.com",
    });
    const d = diffRecords(base(), head);
    expect(d.counts.replace).toBe(1);
    expect(d.changes[0]).toMatchObject({
      kind: "replace",
      type: TG,
      stateful: true,
      properties: [{ path: "protocolVersion", old: "(none)", new: '"HTTP2"', replaces: true }],
    });
    const md = renderReport([reviewRecords(base(), head)]);
    expect(lines(md).slice(5, 8)).toEqual([
      "| `app/prod` | +0 ~0 -0 ±1 | ±$0.00/mo ($28.84 → $28.84) | ±0s | – |",
      "",
      "- **`app/prod` replaces `aws:lb/targetGroup:TargetGroup` `hello-tg`** (`protocolVersion`)",
    ]);
    expect(md).toContain(
      [
        "<details><summary>1 to replace</summary>",
        "",
        "- replace `aws:lb/targetGroup:TargetGroup` `hello-tg`",
        "",
        "```",
        'protocolVersion: (none) → "HTTP2"  (forces replacement)',
        "```",
        "",
        "</details>",
      ].join("\n"),
    );
  });

  it("a removed resource is a deletion; stack outputs that changed are listed", () => {
    const head = record([taskDefinition(), service()], {});
    const d = diffRecords(base(), head);
    expect(d.counts).toEqual({ create: 0, update: 0, replace: 0, delete: 1, same: 2 });
    expect(d.changes.map((c) => `${c.kind} ${c.name}`)).toEqual(["delete hello-tg"]);
    expect(d.outputs).toEqual([
      { name: "url", kind: "delete", old: '"https://hello.example.com"', new: "(none)" },
    ]);
    const md = renderReport([reviewRecords(base(), head)]);
    expect(md).toContain("- **`app/prod` deletes `aws:lb/targetGroup:TargetGroup` `hello-tg`**\n");
    expect(md).toContain('- delete `url`: `"https://hello.example.com"` → `(none)`');
  });

  it("never prints a secret", () => {
    const a = record([
      res("aws:secretsmanager/secretVersion:SecretVersion", "pw", { secretString: "[secret]" }),
    ]);
    const b = record([
      res("aws:secretsmanager/secretVersion:SecretVersion", "pw", { secretString: "hunter2-plain" }),
    ]);
    const d = diffRecords(a, b);
    expect(d.changes[0]!.properties).toEqual([
      { path: "secretString", old: "[secret]", new: "[secret]", replaces: true },
    ]);
    expect(JSON.stringify(d)).not.toContain("hunter2");
  });
});

describe("cost", () => {
  it("itemizes the idle cost: Fargate tasks by size and architecture", () => {
    const c = estimateCost(base());
    expect(c.items.map((i) => [i.what, i.quantity, i.monthly])).toEqual([
      ["Fargate task 0.5 vCPU / 1 GB ARM64", 2, 28.84],
    ]);
  });

  it("more tasks and a NAT gateway raise it", () => {
    const head = record([
      res("awsx:ec2:Vpc", "vpc", { natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 3 }),
      targetGroup(),
      taskDefinition(),
      service({ desiredCount: 4 }),
    ]);
    const d = costDelta(estimateCost(base()), estimateCost(head));
    expect(d).toEqual({
      baseMonthly: 28.84,
      headMonthly: 94.17,
      deltaMonthly: 65.33,
      lines: [
        { what: "Fargate task 0.5 vCPU / 1 GB ARM64", name: "hello", base: 28.84, head: 57.67, delta: 28.83 },
        { what: "NAT gateway", name: "vpc", base: 0, head: 32.85, delta: 32.85 },
        { what: "public IPv4 (NAT gateway Elastic IP)", name: "vpc", base: 0, head: 3.65, delta: 3.65 },
      ],
    });
    const md = renderReport([reviewRecords(base(), head)]);
    expect(lines(md)[5]).toBe("| `app/prod` | +1 ~1 -0 ±0 | +$65.33/mo ($28.84 → $94.17) | ±0s | – |");
  });

  it("uses the scaling target's minimum, Spot share and public IPs on tasks", () => {
    const r = record([
      taskDefinition({ runtimePlatform: undefined }),
      service({
        launchType: undefined,
        capacityProviderStrategies: [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 3 },
        ],
        networkConfiguration: { assignPublicIp: true },
      }),
      res("aws:appautoscaling/target:Target", "hello-scaling", {
        minCapacity: 5,
        maxCapacity: 10,
        resourceId: "service/c/hello",
        scalableDimension: "ecs:service:DesiredCount",
      }),
    ]);
    expect(estimateCost(r).items.map((i) => [i.what, i.quantity, i.monthly])).toEqual([
      ["Fargate task 0.5 vCPU / 1 GB X86_64", 2, 36.04],
      ["Fargate task 0.5 vCPU / 1 GB X86_64 on Spot", 3, 16.22],
      ["public IPv4 (tasks)", 5, 18.25],
    ]);
  });
});

describe("rollout", () => {
  it("computes the worst case from the recorded inputs and its delta", () => {
    const [r] = estimateRollouts(base());
    // 10 s grace + 2 × 10 s checks + 15 s drain + 10 s stop = 55 s; 2 tasks at 200/100 % = 1 batch.
    expect([r!.batchSeconds, r!.totalSeconds, r!.formula]).toEqual([55, 55, "1 × 55s"]);
    const head = record([
      targetGroup({ deregistrationDelay: 300 }),
      taskDefinition(),
      service({
        deploymentConfiguration: {
          strategy: "CANARY",
          bakeTimeInMinutes: "10",
          canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" },
        },
      }),
    ]);
    const [c] = estimateRollouts(head);
    expect([c!.totalSeconds, c!.formula]).toEqual([
      1270,
      "canary 30s + 300s, rest 30s + bake 600s + drain 310s",
    ]);
    expect(lines(renderReport([reviewRecords(base(), head)]))[5]).toBe(
      "| `app/prod` | +0 ~2 -0 ±0 | ±$0.00/mo ($28.84 → $28.84) | +20m 15s (`hello`) | – |",
    );
  });
});

describe("diffFromPreviewJson", () => {
  it("reads a real pulumi preview --json document; its replacement decisions win", () => {
    const doc = {
      config: {},
      steps: [
        {
          op: "same",
          urn: "urn:pulumi:prod::app::pulumi:pulumi:Stack::app-prod",
          oldState: { type: "pulumi:pulumi:Stack", outputs: { url: "a" } },
          newState: { type: "pulumi:pulumi:Stack", outputs: { url: "b" } },
        },
        {
          op: "update",
          urn: "urn:pulumi:prod::app::aws:ecs/service:Service::hello",
          oldState: { type: "aws:ecs/service:Service", inputs: { desiredCount: 2 } },
          newState: { type: "aws:ecs/service:Service", inputs: { desiredCount: 3 } },
          diffReasons: ["desiredCount"],
          detailedDiff: { desiredCount: { kind: "update", inputDiff: true } },
        },
        {
          op: "create-replacement",
          urn: "urn:pulumi:prod::app::aws:lb/targetGroup:TargetGroup::hello-tg",
          oldState: { type: TG, inputs: { port: 8080, name: "x" } },
          newState: { type: TG, inputs: { port: 9090, name: "x" } },
          replaceReasons: ["port"],
          detailedDiff: { port: { kind: "update-replace", inputDiff: true } },
        },
        { op: "replace", urn: "urn:pulumi:prod::app::aws:lb/targetGroup:TargetGroup::hello-tg" },
        { op: "delete-replaced", urn: "urn:pulumi:prod::app::aws:lb/targetGroup:TargetGroup::hello-tg" },
        {
          op: "update",
          urn: "urn:pulumi:prod::app::aws:ssm/parameter:Parameter::token",
          oldState: {
            type: "aws:ssm/parameter:Parameter",
            inputs: {
              value: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "old" },
            },
          },
          newState: { type: "aws:ssm/parameter:Parameter", inputs: { value: "[secret]" } },
          detailedDiff: { value: { kind: "update", inputDiff: true } },
        },
        {
          op: "delete",
          urn: "urn:pulumi:prod::app::aws:cloudwatch/logGroup:LogGroup::old-logs",
          oldState: { type: "aws:cloudwatch/logGroup:LogGroup", inputs: { name: "/old" } },
        },
        {
          op: "same",
          urn: "urn:pulumi:prod::app::aws:iam/role:Role::r",
          newState: { type: "aws:iam/role:Role" },
        },
      ],
      changeSummary: { same: 2, update: 2, replace: 1, delete: 1 },
    };
    const d = diffFromPreviewJson(JSON.stringify(doc));
    expect(d.source).toBe("preview");
    expect(d.counts).toEqual({ create: 0, update: 2, replace: 1, delete: 1, same: 1 });
    expect(
      d.changes.map((c) => [
        c.kind,
        c.name,
        c.properties.map((p) => `${p.path}: ${p.old} → ${p.new}${p.replaces ? " !" : ""}`),
      ]),
    ).toEqual([
      ["update", "hello", ["desiredCount: 2 → 3"]],
      ["replace", "hello-tg", ["port: 8080 → 9090 !"]],
      ["update", "token", ["value: [secret] → [secret]"]],
      ["delete", "old-logs", []],
    ]);
    expect(d.outputs).toEqual([{ name: "url", kind: "update", old: '"a"', new: '"b"' }]);
  });
});

describe("renderReport", () => {
  it("escapes program-derived text: no markdown, HTML, mention or fence escape", () => {
    const evil = "x`y``z</details><img src=x onerror=alert(1)> @octocat | *bold*\n# heading";
    const review: StackReview = {
      stack: "app/prod",
      diff: diffRecords(record([]), record([res("aws:ecs/cluster:Cluster", evil, { name: evil })])),
      policy: {
        findings: [
          {
            rule: "ecs-no-public-ip",
            control: "ECS.2",
            severity: "high",
            level: "mandatory",
            status: "violation",
            message: evil,
            name: evil,
          },
        ],
      },
    };
    const md = renderReport([review]);
    expect(md).toContain(
      "- create `aws:ecs/cluster:Cluster` ```x`y``z</details><img src=x onerror=alert(1)> @octocat \\| *bold* # heading```",
    );
    expect(md).not.toMatch(/^# heading/m);
    expect(lines(md)[5]).toBe("| `app/prod` | +1 ~0 -0 ±0 | – | – | ❌ 1 mandatory |");
    // Every @ sits inside a code span (or is HTML-escaped in a summary).
    for (const line of lines(md)) {
      const outside = line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, "");
      expect(outside).not.toContain("@");
      expect(outside).not.toContain("<img");
    }
  });

  it("reports waived rules as waived and a failed program", () => {
    const md = renderReport([
      {
        stack: "app/dev",
        diff: diffRecords(record([]), record([])),
        policy: {
          findings: [
            {
              rule: "ecs-no-public-ip",
              control: "ECS.2",
              severity: "high",
              level: "mandatory",
              status: "waived",
              message: "public IP",
              name: "hello",
            },
          ],
        },
      },
      { stack: "app/prod", diff: diffRecords(record([]), record([])), error: "config key missing" },
    ]);
    expect(lines(md).slice(5, 7)).toEqual([
      "| `app/dev` | no changes | – | – | ✅ pass, 1 waived |",
      "| `app/prod` | program failed | – | – | – |",
    ]);
    expect(md).toContain("| waived | `high` | `ecs-no-public-ip` (`ECS.2`) | `hello` | `public IP` |");
  });
});
