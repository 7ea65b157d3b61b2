import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Io, main, type PreviewDigest, parsePreviewArgs, UsageError } from "../src/index.js";

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
    const usage = spawnSync(process.execPath, [bin, "preview", "-C", fixture, "--stack"], {
      encoding: "utf8",
    });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe(
      "berth preview: option '-s, --stack <name>' argument missing\nRun 'berth preview --help' for the options.\n",
    );
    expect(usage.stdout).toBe("");
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

describe("commands, help and usage errors (exit 2, one message on stderr, no stack trace)", () => {
  it("prints help per command on stdout with exit 0, and the overview on stderr with exit 2 without a command", async () => {
    const preview = io();
    expect(await main(["preview", "--help"], preview.io)).toBe(0);
    expect(preview.out()).toMatch(/^Usage: berth preview \[options\]/);
    for (const flag of ["-C, --cwd <dir>", "-s, --stack <name>", "-j, --json", "--format <fmt>"]) {
      expect(preview.out()).toContain(flag);
    }
    for (const flag of ["--config-file <file>", "--fixtures <file>", "--debug", "-h, --help"]) {
      expect(preview.out()).toContain(flag);
    }
    expect(preview.err()).toBe("");
    const helpCommand = io();
    expect(await main(["help", "preview"], helpCommand.io)).toBe(0);
    expect(helpCommand.out()).toBe(preview.out());
    const short = io();
    expect(await main(["preview", "-h"], short.io)).toBe(0);
    expect(short.out()).toBe(preview.out());
    const none = io();
    expect(await main([], none.io)).toBe(2);
    expect(none.err()).toMatch(/^Usage: berth .*\n[\s\S]*preview \[options\] +Run a Pulumi program offline/);
    expect(none.out()).toBe("");
    const version = io();
    expect(await main(["--version"], version.io)).toBe(0);
    expect(version.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.each([
    [["preview", "-s", "dev", "--yes"], "berth preview: unknown option '--yes'"],
    [["preview", "-s"], "berth preview: option '-s, --stack <name>' argument missing"],
    [["preview", "-s", "-j"], "berth preview: -s needs a value"],
    [["preview", "-C"], "berth preview: option '-C, --cwd <dir>' argument missing"],
    [
      ["preview", "-s", "dev", "--config-file"],
      "berth preview: option '--config-file <file>' argument missing",
    ],
    [["preview", "-s", "dev", "extra"], "berth preview: too many arguments for 'preview'"],
    [["preveiw"], "berth: unknown command 'preveiw'\n(Did you mean preview?)"],
  ])("%j: exit 2 and %j", async (argv, message) => {
    const t = io();
    expect(await main(argv, t.io)).toBe(2);
    expect(t.err()).toContain(`${message}`);
    expect(t.err()).toMatch(/Run 'berth( preview)? --help' for the options\.\n$/);
    expect(t.err()).not.toMatch(/\n\s+at /);
    expect(t.out()).toBe("");
  });

  it("keeps every flag's long, short and --flag=value forms", () => {
    expect(
      parsePreviewArgs(
        [
          "-C",
          "..",
          "-s",
          "dev",
          "-j",
          "--format=markdown",
          "--config-file=c.yaml",
          "--fixtures",
          "f.yaml",
          "--debug",
        ],
        fixture,
      ),
    ).toEqual({
      cwd: join(fixture, ".."),
      stack: "dev",
      json: true,
      format: "markdown",
      configFile: join(fixture, "c.yaml"),
      fixtures: join(fixture, "f.yaml"),
      debug: true,
    });
    expect(parsePreviewArgs(["--cwd=sub", "--stack=prod", "--json"], fixture)).toMatchObject({
      cwd: join(fixture, "sub"),
      stack: "prod",
      json: true,
      format: "text",
      debug: false,
    });
    expect(() => parsePreviewArgs(["--format", "html"], fixture)).toThrow(
      new UsageError("--format is 'html'; use text or markdown"),
    );
  });
});

describe("stack names, checked as Pulumi checks them", () => {
  it.each([
    [
      "/../../shared/Pulumi.shared",
      "is not a stack name: a stack is <stack>, <org>/<stack> or <org>/<project>/<stack> (it has 5 parts)",
    ],
    [
      "..\\..\\x",
      "is not a stack name: a stack name may only contain letters, digits, '-', '_' and '.' (invalid character '\\' at position 2 of '..\\..\\x')",
    ],
    [
      "dev/",
      "is not a stack name: its stack is empty; a stack is <stack>, <org>/<stack> or <org>/<project>/<stack>",
    ],
    [
      "a b",
      "is not a stack name: a stack name may only contain letters, digits, '-', '_' and '.' (invalid character ' ' at position 1 of 'a b')",
    ],
    ["x".repeat(101), "is not a stack name: a stack name has at most 100 characters"],
  ])("rejects -s %j before reading any file", async (stack, message) => {
    const t = io();
    expect(await main(["preview", "-s", stack], t.io)).toBe(2);
    expect(t.err()).toBe(`berth preview: -s '${stack}' ${message}\n`);
  });

  it("accepts <org>/<project>/<stack> of this project, and refuses another project's", async () => {
    const t = io();
    expect(await main(["preview", "-s", "acme/berth-cli-fixture/dev", "--json"], t.io)).toBe(0);
    const digest = JSON.parse(t.out()) as PreviewDigest;
    expect(digest.steps?.[0]?.urn).toBe(
      "urn:pulumi:dev::berth-cli-fixture::pulumi:pulumi:Stack::berth-cli-fixture-dev",
    );
    // Only the last part names the file, and it has no '/': `..` as an organization reads nothing outside.
    const dots = io();
    expect(await main(["preview", "-s", "../Pulumi.dev"], dots.io)).toBe(1);
    expect(dots.err()).toBe(
      `error: no stack 'Pulumi.dev' in ${fixture}: ${join(fixture, "Pulumi.Pulumi.dev.yaml")} does not exist (create it, or pick another stack with -s)\n`,
    );
    const other = io();
    expect(await main(["preview", "-s", "acme/berth-shared/dev"], other.io)).toBe(2);
    expect(other.err()).toBe(
      `berth preview: -s 'acme/berth-shared/dev' names project 'berth-shared', but ${fixture} is project 'berth-cli-fixture'\n`,
    );
  });
});

describe("the stack file the program is told it was configured from", () => {
  const outputs = async (argv: string[]) => {
    const t = io();
    expect(await main(["preview", ...argv, "--json"], t.io)).toBe(0);
    const digest = JSON.parse(t.out()) as PreviewDigest;
    return digest.steps!.find((s) => s.newState?.type === "pulumi:pulumi:Stack")!.newState!.outputs!;
  };

  it("is Pulumi.<stack>.yaml by default and the --config-file file when given; the variable is restored after", async () => {
    expect((await outputs(["-s", "dev"])).configFile).toBe(join(fixture, "Pulumi.dev.yaml"));
    const dir = mkdtempSync(join(tmpdir(), "berth-cli-config-"));
    try {
      const file = join(dir, "ci.yaml");
      copyFileSync(join(fixture, "Pulumi.dev.yaml"), file);
      expect((await outputs(["-s", "dev", "--config-file", file])).configFile).toBe(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(process.env.BERTH_CONFIG_FILE).toBeUndefined();
  });
});
