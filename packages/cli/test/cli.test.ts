import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Io, main, type PreviewDigest } from "../src/index.js";

const fixture = join(__dirname, "fixtures", "web");

function io(opts: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  let out = "";
  let err = "";
  const value: Io = {
    stdout: { write: (s: string) => (out += s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: opts.tty ?? false },
    env: opts.env ?? {},
    cwd: fixture,
  };
  return { io: value, out: () => out, err: () => err };
}

describe("berth preview (text)", () => {
  it("shows the resource tree, outputs, totals and counts per type", async () => {
    const t = io();
    expect(await main(["preview", "-s", "dev"], t.io)).toBe(0);
    const text = t.out();
    expect(text).toContain("Previewing update (dev) of berth-cli-fixture");
    expect(text).toMatch(/\+ {3}pulumi:pulumi:Stack\s+berth-cli-fixture-dev\s+create/);
    expect(text).toMatch(/\+ {3}├─ berth:test:Web\s+web\s+create/);
    expect(text).toMatch(/│ {2}├─ aws:ecs\/cluster:Cluster\s+web-cluster\s+create/);
    expect(text).toMatch(/└─ aws:cloudwatch\/logGroup:LogGroup\s+web-logs\s+create \(protected\)/);
    expect(text).toMatch(/token:\s+"\[secret\]"/);
    expect(text).toContain("+ 6 to create");
    expect(text).toMatch(/aws:secretsmanager\/secret:Secret\s+1/);
    expect(text).not.toContain("bm90LWEtcmVhbC10b2tlbg");
    expect(t.err()).toBe("");
  });

  it("colours only on a terminal, and never with NO_COLOR", async () => {
    const plain = io({ tty: false });
    await main(["preview", "-s", "dev"], plain.io);
    expect(plain.out()).not.toContain("\u001b[");
    const tty = io({ tty: true });
    await main(["preview", "-s", "dev"], tty.io);
    expect(tty.out()).toContain("\u001b[32m+\u001b[39m");
    const noColor = io({ tty: true, env: { NO_COLOR: "1" } });
    await main(["preview", "-s", "dev"], noColor.io);
    expect(noColor.out()).not.toContain("\u001b[");
  });
});

describe("berth preview --json", () => {
  it("prints the document `pulumi preview --json` prints", async () => {
    const t = io();
    expect(await main(["preview", "-C", fixture, "-s", "dev", "--json"], t.io)).toBe(0);
    const digest = JSON.parse(t.out()) as PreviewDigest;
    expect(digest.changeSummary).toEqual({ create: 6 });
    expect(digest.config).toMatchObject({ "aws:region": "us-east-1", "berth-cli-fixture:token": "[secret]" });
    expect(digest.duration).toBeGreaterThan(0);
    const steps = digest.steps!;
    expect(steps.every((s) => s.op === "create" && s.urn === s.newState?.urn)).toBe(true);
    const root = steps.find((s) => s.newState?.type === "pulumi:pulumi:Stack")!;
    expect(root.newState?.outputs).toMatchObject({ token: "[secret]" });
    expect(root.newState?.outputs?.clusterName).toMatch(/^web-cluster-[0-9a-f]{7}$/);
    const logs = steps.find((s) => s.newState?.type === "aws:cloudwatch/logGroup:LogGroup")!;
    expect(logs.newState).toMatchObject({
      custom: true,
      inputs: { retentionInDays: 30 },
      parent: "urn:pulumi:dev::berth-cli-fixture::berth:test:Web::web",
      protect: true,
    });
    expect(logs.newState?.outputs?.arn).toMatch(/^arn:aws:logs:us-east-1:123456789012:log-group:web-logs-/);
    const version = steps.find((s) => s.newState?.type === "aws:secretsmanager/secretVersion:SecretVersion")!;
    expect(version.newState?.inputs?.secretString).toBe("[secret]");
  });

  it("still prints the document with an error diagnostic when the program fails, and exits 1", async () => {
    const t = io();
    expect(await main(["preview", "-s", "bad", "--json"], t.io)).toBe(1);
    const digest = JSON.parse(t.out()) as PreviewDigest;
    expect(digest.diagnostics).toContainEqual({
      severity: "error",
      message: "berth:test:Web 'web': cpu is 300; allowed: 256, 512, 1024\n",
    });
  });
});

describe("berth preview --format markdown", () => {
  it("writes a pull-request comment with a marker to update it in place", async () => {
    const t = io();
    expect(await main(["preview", "-s", "dev", "--format", "markdown"], t.io)).toBe(0);
    const md = t.out();
    expect(md.split("\n")[0]).toBe("<!-- berth-preview:berth-cli-fixture/dev -->");
    expect(md).toContain("### Offline preview of `berth-cli-fixture` / `dev`: ✅ ok");
    expect(md).toContain("**+6 to create**");
    expect(md).toContain("| `aws:ecs/cluster:Cluster` | 1 |");
    expect(md).toContain('| `token` | `"[secret]"` |');
  });

  it("reports a failed program in the comment", async () => {
    const t = io();
    expect(await main(["preview", "-s", "bad", "--format", "markdown"], t.io)).toBe(1);
    expect(t.out()).toContain("❌ failed");
    expect(t.out()).toContain("cpu is 300; allowed: 256, 512, 1024");
  });
});

describe("failures and usage", () => {
  it("prints a validation error without a stack trace and exits 1", async () => {
    const t = io();
    expect(await main(["preview", "-s", "bad"], t.io)).toBe(1);
    expect(t.err()).toBe("error: berth:test:Web 'web': cpu is 300; allowed: 256, 512, 1024\n");
    expect(t.out()).toBe("");
  });

  it("asks for a stack when the project has several", async () => {
    const t = io();
    expect(await main(["preview"], t.io)).toBe(2);
    expect(t.err()).toBe("berth preview: choose a stack with -s: bad, dev\n");
  });

  it("rejects unknown options and formats with exit code 2", async () => {
    const a = io();
    expect(await main(["preview", "-s", "dev", "--yes"], a.io)).toBe(2);
    expect(a.err()).toContain("unknown option '--yes'");
    const b = io();
    expect(await main(["preview", "-s", "dev", "--format=html"], b.io)).toBe(2);
    expect(b.err()).toContain("--format is 'html'; use text or markdown");
    const c = io();
    expect(await main(["deploy"], c.io)).toBe(2);
    expect(c.err()).toContain("unknown command 'deploy'");
  });

  it("names a missing project folder", async () => {
    const t = io();
    expect(await main(["preview", "-C", join(fixture, "nope"), "-s", "dev"], t.io)).toBe(1);
    expect(t.err()).toMatch(/error: no Pulumi\.yaml in .*nope: not a Pulumi project/);
  });
});

describe("the berth binary", () => {
  it("runs as a process: exit 0 with the report, exit 1 with the error on stderr", () => {
    const bin = join(__dirname, "..", "bin", "berth.cjs");
    const ok = spawnSync(process.execPath, [bin, "preview", "-C", fixture, "-s", "dev", "--json"], {
      encoding: "utf8",
    });
    expect(ok.status).toBe(0);
    expect((JSON.parse(ok.stdout) as PreviewDigest).changeSummary).toEqual({ create: 6 });
    const bad = spawnSync(process.execPath, [bin, "preview", "-C", fixture, "-s", "bad"], {
      encoding: "utf8",
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("error: berth:test:Web 'web': cpu is 300; allowed: 256, 512, 1024\n");
  });
});

describe("--config-file", () => {
  it("configures the stack from another file, like pulumi preview --config-file", async () => {
    const t = io();
    const code = await main(
      ["preview", "-s", "dev", "--config-file", join(fixture, "Pulumi.bad.yaml")],
      t.io,
    );
    expect(code).toBe(1);
    expect(t.err()).toContain("cpu is 300");
    const missing = io();
    expect(await main(["preview", "-s", "dev", "--config-file", "nope.yaml"], missing.io)).toBe(1);
    expect(missing.err()).toMatch(/error: config file .*nope\.yaml does not exist/);
  });
});
