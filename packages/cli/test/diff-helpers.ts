// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are the JavaScript programs the tests commit
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The workspace's installed SDKs (@pulumi/pulumi, @pulumi/aws), shared by every temporary repository. */
export const SDKS = join(__dirname, "..", "node_modules");

/** A git repository in the system's temporary folder whose commits the tests write. */
export class TempRepo {
  readonly root = mkdtempSync(join(tmpdir(), "berth-diff-"));

  constructor() {
    this.git("init", "-q", "-b", "main");
    this.write(".gitignore", "/node_modules/\n");
  }

  git(...args: string[]): string {
    const r = spawnSync(
      "git",
      [
        "-c",
        "user.name=Berth Test",
        "-c",
        "user.email=test@example.com",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      { cwd: this.root, encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  }

  write(path: string, text: string): this {
    mkdirSync(dirname(join(this.root, path)), { recursive: true });
    writeFileSync(join(this.root, path), text);
    return this;
  }

  remove(path: string): this {
    rmSync(join(this.root, path), { recursive: true, force: true });
    return this;
  }

  /** A committed symlink `<dir>/node_modules` → the workspace's SDKs: no install in the repository. */
  linkSdks(dir: string): this {
    mkdirSync(join(this.root, dir), { recursive: true });
    symlinkSync(SDKS, join(this.root, dir, "node_modules"));
    return this;
  }

  commit(message: string): string {
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  dispose(): void {
    spawnSync("git", ["worktree", "prune"], { cwd: this.root });
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The Pulumi project `berth-app` (JavaScript, so nothing compiles): a log group and a web component. */
export function appProject(options: {
  retention?: number;
  protocolVersion?: "HTTP1" | "HTTP2";
  key?: boolean;
  repository?: { scanOnPush: boolean };
}): Record<string, string> {
  const lines = [
    'const pulumi = require("@pulumi/pulumi");',
    'const aws = require("@pulumi/aws");',
    "",
    "const config = new pulumi.Config();",
    "",
    "/** A web service's routing: a target group and the listener rule that uses it. */",
    "class Web extends pulumi.ComponentResource {",
    "  constructor(name, args, opts) {",
    '    super("berth:cluster:Web", name, {}, opts);',
    "    const tg = new aws.lb.TargetGroup(",
    "      `${name}-tg`,",
    '      { port: 8080, protocol: "HTTP", protocolVersion: args.protocolVersion, targetType: "ip", vpcId: "vpc-0123456789abcdef0" },',
    "      { parent: this },",
    "    );",
    "    new aws.lb.ListenerRule(",
    "      `${name}-rule`,",
    "      {",
    '        listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/0123456789abcdef/0123456789abcdef",',
    "        priority: 10,",
    '        actions: [{ type: "forward", targetGroupArn: tg.arn }],',
    '        conditions: [{ pathPattern: { values: ["/*"] } }],',
    "      },",
    "      { parent: this },",
    "    );",
    "    this.registerOutputs({});",
    "  }",
    "}",
    "",
    'const logs = new aws.cloudwatch.LogGroup("app-logs", { retentionInDays: config.requireNumber("retention") });',
    `new Web("web", { protocolVersion: "${options.protocolVersion ?? "HTTP1"}" });`,
    ...(options.key ? ['new aws.kms.Key("app-key", { enableKeyRotation: true });'] : []),
    ...(options.repository
      ? [
          `new aws.ecr.Repository("app-images", { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: ${options.repository.scanOnPush} } });`,
        ]
      : []),
    "exports.logGroup = logs.name;",
    "",
  ];
  return {
    "stacks/app/Pulumi.yaml":
      "name: berth-app\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
    "stacks/app/Pulumi.dev.yaml": `config:\n  aws:region: us-east-1\n  berth-app:retention: ${options.retention ?? 7}\n`,
    "stacks/app/package.json": '{ "name": "@berth-stacks/app", "private": true }\n',
    "stacks/app/index.js": lines.join("\n"),
  };
}
