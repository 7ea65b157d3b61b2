import { describe, expect, it } from "vitest";
import { closest, loadManifest, ManifestError, mergeOverride } from "../src/index.js";

const FILE = "apps/api/berth.yaml";

function errorsOf(text: string): string[] {
  try {
    loadManifest(FILE, { text });
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return (err as ManifestError).message.split("\n");
  }
  throw new Error("expected the manifest to be rejected");
}

const web = (rest = "") => `name: api\nkind: web\nhttp: { paths: ["/api/*"] }\n${rest}`;
const worker = (rest = "") => `name: jobs\nkind: worker\n${rest}`;
const job = (rest = "") => `name: nightly\nkind: job\nschedule: cron(0 3 * * ? *)\n${rest}`;

// [title, manifest, the whole first line of the error, by file:line:column]
const invalid: [string, string, string | RegExp][] = [
  [
    "a list instead of a map",
    "- a\n- b\n",
    `${FILE}:1:1: a manifest is a map of fields (name, kind, …), not ["a","b"]`,
  ],
  ["YAML that does not parse", "name: a\n  kind: : x\n", /^apps\/api\/berth.yaml:1:7: not valid YAML: /],
  [
    "a key given twice",
    "name: a\nname: b\nkind: web\n",
    /^apps\/api\/berth.yaml:2:1: not valid YAML: Map keys must be unique/,
  ],
  [
    "an unknown kind",
    "name: api\nkind: cron\n",
    `${FILE}:2:7: kind is "cron"; kind is one of web, internal, worker, job`,
  ],
  ["no kind", "name: api\n", /^apps\/api\/berth.yaml:1:1: kind is undefined; kind is one of web/],
  ["no name", "kind: worker\n", `${FILE}:1:1: name is undefined; name is required`],
  [
    "an upper-case name",
    web().replace("api", "Api"),
    /:1:7: name is "Api"; lower-case letters, digits and single hyphens/,
  ],
  ["a name with an underscore", web().replace("api", "my_api"), /:1:7: name is "my_api"; lower-case letters/],
  ["a name of one character", web().replace("api", "a"), /:1:7: name is "a"; must be at least 2 characters/],
  [
    "a name too long for a target group",
    web().replace("api", "a-very-long-service"),
    /:1:7: name is "a-very-long-service"; must be at most 17 characters/,
  ],
  [
    "a misspelt field",
    web("portt: 8080\n"),
    `${FILE}:4:1: portt is 8080; not a field here; did you mean port?`,
  ],
  [
    "a misspelt nested field",
    web("healthCheck: { intervalSecond: 5 }\n"),
    `${FILE}:4:16: healthCheck.intervalSecond is 5; not a field here; did you mean intervalSeconds?`,
  ],
  [
    "a field of another kind (worker with a port)",
    worker("port: 8080\n"),
    `${FILE}:3:1: port is 8080; port applies to kind web, internal; this is a worker`,
  ],
  [
    "a worker with http routes",
    worker("http: { paths: [/x] }\n"),
    /:3:1: http is .*; http applies to kind web; this is a worker/,
  ],
  [
    "a job without a schedule",
    "name: nightly\nkind: job\n",
    `${FILE}:1:1: schedule is undefined; schedule is required`,
  ],
  [
    "a schedule that is not an expression",
    job().replace("cron(0 3 * * ? *)", "every night"),
    /:3:11: schedule is "every night"; an EventBridge Scheduler expression/,
  ],
  [
    "a rate with a unit Scheduler lacks",
    job().replace("cron(0 3 * * ? *)", "rate(2 weeks)"),
    /schedule is "rate\(2 weeks\)"; an EventBridge Scheduler expression/,
  ],
  [
    "a job with a count",
    job("count: 2\n"),
    `${FILE}:4:8: count is 2; a job runs one task per schedule: no count`,
  ],
  [
    "a health-check path on an internal service",
    "name: orders\nkind: internal\nhealthCheck: { path: /healthz }\n",
    /healthCheck.path is "\/healthz"; applies to kind web \(the load balancer checks it\); give the container a healthCheck.command/,
  ],
  [
    "an SSM secret outside /berth/<env>/ (the tasks could not read it)",
    web("secrets: { STRIPE_KEY: { ssm: /shared/stripe } }\n"),
    /:4:31: secrets.STRIPE_KEY.ssm is "\/shared\/stripe"; in dev, tasks may read only SSM parameters under \/berth\/dev\/ \(write \/berth\/<env>\/…\)/,
  ],
  [
    "a secret of another environment",
    web("secrets: { DB: { secretsManager: berth/prod/db, key: password } }\n"),
    /secrets.DB.secretsManager is "berth\/prod\/db"; in dev, tasks may read only Secrets Manager secrets named berth\/dev\/…/,
  ],
  [
    "calls to more than four services (a task has at most 5 security groups)",
    web("calls: [aa, bb, cc, dd, ee]\n"),
    /:4:8: calls is \["aa","bb","cc","dd","ee"\]; must be at most 4 items/,
  ],
  [
    "a job with calls",
    job("calls: [orders]\n"),
    /:4:8: calls is \["orders"\]; a scheduled task is not an ECS service and cannot use Service Connect/,
  ],
  [
    "a deregistration delay over an hour",
    web("deregistrationDelaySeconds: 4000\n"),
    /deregistrationDelaySeconds is 4000; must be at most 3600/,
  ],
  [
    "a worker with a deregistration delay",
    worker("deregistrationDelaySeconds: 5\n"),
    /deregistrationDelaySeconds is 5; deregistrationDelaySeconds applies to kind web; this is a worker/,
  ],
  [
    "a job with a release task",
    job("release: { command: [migrate] }\n"),
    /:4:10: release is .*; a job has no rollout/,
  ],
  ["a port out of range", web("port: 70000\n"), `${FILE}:4:7: port is 70000; must be at most 65535`],
  ["a port given as text", web('port: "8080"\n'), `${FILE}:4:7: port is "8080"; expected a number`],
  [
    "a CPU Fargate does not offer",
    web("cpu: 300\n"),
    `${FILE}:4:6: cpu is 300; one of 256, 512, 1024, 2048, 4096, 8192, 16384`,
  ],
  [
    "a memory that does not pair with the CPU",
    web("cpu: 256\nmemory: 4096\n"),
    `${FILE}:5:9: memory is 4096; with cpu 256, Fargate accepts memory 512, 1024, 2048 (MiB)`,
  ],
  [
    "an architecture Fargate lacks",
    web("architecture: arm\n"),
    /:4:15: architecture is "arm"; one of "ARM64", "X86_64"/,
  ],
  [
    "a number as an environment value",
    web("environment: { WORKERS: 3 }\n"),
    /:4:25: environment.WORKERS is 3; a text value \(quote numbers/,
  ],
  [
    "an environment name with a dash",
    web("environment: { LOG-LEVEL: info }\n"),
    /:4:16: environment.LOG-LEVEL is "LOG-LEVEL"; an environment variable name/,
  ],
  [
    "a password in plain environment",
    web("environment: { DB_PASSWORD: hunter2 }\n"),
    /:4:29: environment.DB_PASSWORD is "hunter2"; a secret never goes in plain environment: move it to secrets.DB_PASSWORD/,
  ],
  [
    "AWS credentials in environment",
    web("environment: { AWS_SECRET_ACCESS_KEY: x }\n"),
    /environment.AWS_SECRET_ACCESS_KEY is "x"; AWS credentials never go in environment/,
  ],
  [
    "a secret given as its value",
    web("secrets: { STRIPE_KEY: sk_live_123 }\n"),
    /:4:24: secrets.STRIPE_KEY is "sk_live_123"; a reference: \{ ssm: \/parameter\/name \} or \{ secretsManager/,
  ],
  [
    "an SSM secret without the leading slash",
    web("secrets: { A: { ssm: berth/a } }\n"),
    /secrets.A.ssm is "berth\/a"; an SSM parameter name starting with \//,
  ],
  [
    "a Secrets Manager reference with a misspelt key",
    web("secrets: { A: { secretsManager: db, keys: pw } }\n"),
    /secrets.A.keys is "pw"; not a field here; did you mean key\?/,
  ],
  [
    "a variable both plain and secret",
    web("environment: { A: x }\nsecrets: { A: { ssm: /a } }\n"),
    /environment.A is "x"; A is also in secrets: give it once/,
  ],
  [
    "count.min above count.max",
    web("count: { min: 5, max: 2 }\n"),
    `${FILE}:4:15: count.min is 5; count.min must not be above count.max (2)`,
  ],
  ["count without max", web("count: { min: 2 }\n"), /:4:8: count.max is undefined; max is required/],
  [
    "count as text",
    web("count: lots\n"),
    /:4:8: count is "lots"; a number of tasks, or \{ min, max, cpuTarget… \}/,
  ],
  [
    "a CPU target over 100",
    web("count: { max: 4, cpuTarget: 150 }\n"),
    /count.cpuTarget is 150; must be at most 100/,
  ],
  [
    "requests-per-target scaling on a worker",
    worker("count: { max: 4, requestsPerTarget: 100 }\n"),
    /count.requestsPerTarget is 100; applies to kind web/,
  ],
  [
    "backlog scaling on a web service",
    web("count: { max: 4, backlogPerTask: 10 }\n"),
    /count.backlogPerTask is 10; applies to kind worker/,
  ],
  [
    "scale to zero with count.min 1",
    worker("queue: { scaleToZero: true }\ncount: { min: 1, max: 3 }\n"),
    /count.min is 1; queue.scaleToZero needs count.min 0/,
  ],
  [
    "a strategy that does not exist",
    web("deployment: { strategy: RECREATE }\n"),
    /deployment.strategy is "RECREATE"; one of "ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"/,
  ],
  [
    "canary settings with a rolling strategy",
    web("deployment: { canary: { percent: 10 } }\n"),
    /deployment.canary is .*; applies to strategy CANARY/,
  ],
  [
    "blue/green on an internal service",
    "name: orders\nkind: internal\ndeployment: { strategy: BLUE_GREEN }\n",
    /deployment.strategy is "BLUE_GREEN"; .*kind web only/,
  ],
  [
    "a health-check timeout not below the interval",
    web("healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 }\n"),
    /healthCheck.timeoutSeconds is 5; must be less than healthCheck.intervalSeconds \(5\)/,
  ],
  [
    "a health-check path without a slash",
    web("healthCheck: { path: healthz }\n"),
    /healthCheck.path is "healthz"; a URL path starting with \//,
  ],
  [
    "http with neither hosts nor paths",
    "name: api\nkind: web\nhttp: {}\n",
    /:3:7: http is \{\}; give http.hosts, http.paths or both/,
  ],
  [
    "more than three paths in one rule",
    web().replace('["/api/*"]', "[/a, /b, /c, /d]"),
    /http.paths is .*; must be at most 3 items/,
  ],
  [
    "a listener priority out of range",
    web().replace("}", ", priority: 60000 }"),
    /http.priority is 60000; must be at most 50000/,
  ],
  [
    "a log retention CloudWatch lacks",
    web("logs: { retentionDays: 10 }\n"),
    /logs.retentionDays is 10; one of 1, 3, 5, 7, 14, 30/,
  ],
  [
    "both image and build",
    web("image: nginx@sha256:abc\nbuild: {}\n"),
    /:4:8: image is .*; give either image or build, not both/,
  ],
  ["a service calling itself", web("calls: [api]\n"), /calls is \["api"\]; a service does not call itself/],
  [
    "a sidecar named like the service",
    web("sidecars: [{ name: api, image: x }]\n"),
    /sidecars.0.name is "api"; container names must be unique/,
  ],
  [
    "an environment the platform lacks",
    web("environments: { qa: { count: 2 } }\n"),
    `${FILE}:4:17: environments.qa is "qa"; no environment is named so; the platform has dev, staging, prod`,
  ],
  [
    "an override with a misspelt field",
    web("environments:\n  prod:\n    cuont: 3\n"),
    `${FILE}:6:5: environments.prod.cuont is 3; not a field here; did you mean count?`,
  ],
  [
    "an override that changes the kind",
    web("environments:\n  prod:\n    kind: worker\n"),
    `${FILE}:6:5: environments.prod.kind is "worker"; kind cannot differ per environment`,
  ],
  [
    "an override with a bad value",
    web("count: { min: 1, max: 4 }\nenvironments:\n  prod:\n    count: { max: 0 }\n"),
    `${FILE}:7:19: environments.prod.count.max is 0; must be at least 1`,
  ],
  [
    "an override that breaks a cross-field rule",
    web("environments:\n  prod:\n    cpu: 1024\n"),
    /:6:10: environments.prod.cpu is 1024; with cpu 1024, Fargate accepts memory from 2048 to 8192 MiB in steps of 1024; memory defaults to 512: set it too/,
  ],
];

describe("invalid manifests are rejected with file:line:column, the path, the value and what is allowed", () => {
  it("has at least 40 cases", () => expect(invalid.length).toBeGreaterThanOrEqual(40));
  it.each(invalid)("%s", (_title, text, expected) => {
    const lines = errorsOf(text);
    if (typeof expected === "string") expect(lines).toContain(expected);
    else
      expect(
        lines.some((l) => expected.test(l)),
        `no line matches ${expected}:\n${lines.join("\n")}`,
      ).toBe(true);
  });

  it("reports every problem of a file at once, in line order", () => {
    const lines = errorsOf(web("portt: 1\ncpu: 300\nenvironment: { N: 3 }\n"));
    expect(lines.map((l) => l.split(":").slice(0, 2).join(":"))).toEqual([
      `${FILE}:4`,
      `${FILE}:5`,
      `${FILE}:6`,
    ]);
  });
});

describe("environments: the body with each environment's overrides, merged before validation", () => {
  const api = loadManifest(FILE, {
    text: web(`count: { min: 1, max: 10, cpuTarget: 60 }
environment: { LOG_LEVEL: debug, REGION_HINT: us }
deployment: { strategy: CANARY, canary: { percent: 10 } }
environments:
  dev:
    count: 1
    environment: { LOG_LEVEL: info }
    deployment: null
  prod:
    count: { max: 20 }
    cpu: 512
    memory: 1024
`),
  });

  it("resolves every environment of the platform", () => {
    expect(Object.keys(api.environments)).toEqual(["dev", "staging", "prod"]);
    expect(api.environments.staging).toMatchObject({ count: { min: 1, max: 10, cpuTarget: 60 } });
  });

  it("a shorthand replaces the whole field; maps merge per key; null removes", () => {
    expect(api.environments.dev!.count).toBe(1);
    expect(api.environments.dev!.environment).toEqual({ LOG_LEVEL: "info", REGION_HINT: "us" });
    expect(api.environments.dev!.deployment).toBeUndefined();
    expect(api.environments.prod!.count).toEqual({ min: 1, max: 20, cpuTarget: 60 });
    expect(api.environments.prod!).toMatchObject({ cpu: 512, memory: 1024 });
  });

  it.each([
    ["scalar over scalar", { a: 1 }, { a: 2 }, { a: 2 }],
    ["list replaces list", { a: [1, 2] }, { a: [3] }, { a: [3] }],
    ["map merges per key", { a: { x: 1, y: 2 } }, { a: { y: 3 } }, { a: { x: 1, y: 3 } }],
    ["shorthand over map", { a: { min: 1, max: 2 } }, { a: 4 }, { a: 4 }],
    ["map over shorthand", { a: 4 }, { a: { max: 2 } }, { a: { max: 2 } }],
    ["null removes", { a: 1, b: 2 }, { a: null }, { b: 2 }],
    ["false is a value", { a: true }, { a: false }, { a: false }],
    ["empty map keeps all", { a: { x: 1 } }, { a: {} }, { a: { x: 1 } }],
    ["absent override", { a: 1 }, undefined, { a: 1 }],
  ])("%s", (_t, base, over, expected) => {
    expect(mergeOverride(base, over)).toEqual(expected);
  });
});

describe("secrets: <env> stands for the environment", () => {
  it("accepts references under /berth/<env>/ and berth/<env>/ in every environment", () => {
    const m = loadManifest(FILE, {
      text: web(
        "secrets:\n  STRIPE_KEY: { ssm: /berth/<env>/api/stripe }\n  DB_PASSWORD: { secretsManager: berth/<env>/db, key: password }\n",
      ),
    });
    expect(m.environments.prod!.secrets).toEqual({
      STRIPE_KEY: { ssm: "/berth/<env>/api/stripe" },
      DB_PASSWORD: { secretsManager: "berth/<env>/db", key: "password" },
    });
  });
});

describe("suggestions", () => {
  it.each([
    ["portt", ["port", "cpu"], "port"],
    ["Port", ["port"], "port"],
    ["healtcheck", ["healthCheck"], "healthCheck"],
    ["zzz", ["port", "cpu"], undefined],
  ])("%s → %s", (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});
