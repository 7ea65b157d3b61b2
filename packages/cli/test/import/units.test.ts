// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests read Compose interpolations (${VAR:-default}), not templates
import { describe, expect, it } from "vitest";
import { parseEnvFile } from "../../src/import/envfile.js";
import { ImportError } from "../../src/import/errors.js";
import { interpolate, type Lookup } from "../../src/import/interpolate.js";
import { parseYaml } from "../../src/import/located.js";
import { PLACEHOLDER_SCHEDULE, toEventBridge } from "../../src/import/schedule.js";
import {
  berthName,
  durationSeconds,
  fargateFit,
  mebibytes,
  serviceNamer,
  shellWords,
} from "../../src/import/units.js";

const at = { file: "compose.yaml", line: 7, column: 12 };
const vars =
  (values: Record<string, string>): Lookup =>
  (name) =>
    name in values ? { value: values[name]!, source: ".env" } : undefined;
const sub = (s: string, values: Record<string, string> = {}) =>
  interpolate(s, vars(values), { at, hint: "set it in .env" });

describe("interpolation (the Compose specification's forms)", () => {
  it.each([
    ["${TAG}", { TAG: "1.2" }, "1.2"],
    ["$TAG-x", { TAG: "1.2" }, "1.2-x"],
    ["${TAG:-latest}", {}, "latest"],
    ["${TAG:-latest}", { TAG: "" }, "latest"],
    ["${TAG-latest}", { TAG: "" }, ""],
    ["${TAG-latest}", {}, "latest"],
    ["${TAG:+set}", { TAG: "1" }, "set"],
    ["${TAG:+set}", { TAG: "" }, ""],
    ["${TAG+set}", { TAG: "" }, "set"],
    ["${A:-${B:-deep}}", {}, "deep"],
    ["${A:-${B:-deep}}", { B: "b" }, "b"],
    ["price $$5 and $${NOT}", {}, "price $5 and ${NOT}"],
    ["100$", {}, "100$"],
    ["$1 stays", {}, "$1 stays"],
  ] as const)("%s with %j is %j", (input, values, expected) => {
    expect(sub(input, values)).toBe(expected);
  });

  it("names an unset variable without a default, and where it is", () => {
    expect(() => sub("postgres://${DB_HOST}/app")).toThrow(
      new ImportError(
        "compose.yaml:7:12: variable DB_HOST is not set and has no default; set it in .env, or give a default: ${DB_HOST:-value}",
      ),
    );
  });

  it("gives the message of ${VAR:?message} and ${VAR?message}", () => {
    expect(() => sub("${IMAGE:?give the image}", { IMAGE: "" })).toThrow(
      "compose.yaml:7:12: variable IMAGE is required: give the image (set it in .env)",
    );
    expect(sub("${IMAGE?give the image}", { IMAGE: "" })).toBe("");
    expect(() => sub("${IMAGE?give the image}")).toThrow("variable IMAGE is required: give the image");
  });

  it("refuses a malformed reference", () => {
    expect(() => sub("${TAG")).toThrow("compose.yaml:7:12: invalid interpolation: '${TAG' has no closing }");
    expect(() => sub("${TAG/a/b}")).toThrow("invalid interpolation: '${TAG/a/b}' in '${TAG/a/b}'");
    expect(() => sub("${-x}")).toThrow("does not start with a variable name");
  });
});

describe("env files (Compose's .env format)", () => {
  const read = (text: string, values: Record<string, string> = {}, raw = false) =>
    Object.fromEntries(
      parseEnvFile(text, { shown: "app.env", lookup: vars(values), hint: "set it", raw }).map((e) => [
        e.name,
        e.value,
      ]),
    );

  it("reads comments, quotes, escapes, inline comments and interpolation", () => {
    const text = [
      "# a comment",
      "",
      "export PLAIN=value",
      "SPACED = spaced value # a comment",
      "HASH=a#b",
      'DOUBLE="two words # kept"  # cut',
      "SINGLE='$NOT_INTERPOLATED'",
      'ESCAPED="tab\\there \\"quoted\\""',
      "INTERPOLATED=${BASE}/path",
      "REUSED=${PLAIN}-again",
      "EMPTY=",
      "BARE",
      'MULTI="line one',
      'line two"',
    ].join("\n");
    expect(read(text, { BASE: "/srv" })).toEqual({
      PLAIN: "value",
      SPACED: "spaced value",
      HASH: "a#b",
      DOUBLE: "two words # kept",
      SINGLE: "$NOT_INTERPOLATED",
      ESCAPED: 'tab\there "quoted"',
      INTERPOLATED: "/srv/path",
      REUSED: "value-again",
      EMPTY: "",
      BARE: undefined,
      MULTI: "line one\nline two",
    });
  });

  it("keeps values as written with format: raw", () => {
    expect(read("A=${NOT_SET} # raw\nB='x'", {}, true)).toEqual({ A: "${NOT_SET}", B: "x" });
  });

  it("names the line of a broken entry", () => {
    expect(() => read("OK=1\nnot a variable line")).toThrow(
      "app.env:2:1: not a NAME=value line: 'not a variable line'",
    );
    expect(() => read('A="never closed')).toThrow("app.env:1:3: A's \" is never closed");
    expect(() => read("A=${MISSING}")).toThrow("app.env:1:3: variable MISSING is not set and has no default");
  });
});

describe("YAML with positions", () => {
  it("expands anchors and merge keys, keys written here first and winning", () => {
    const node = parseYaml("base: &b { image: a, port: 1 }\nsvc:\n  <<: *b\n  port: 2\n", "c.yaml");
    expect(node?.kind).toBe("map");
    const svc = node?.kind === "map" ? node.entries[1]!.value : undefined;
    expect(
      svc?.kind === "map" &&
        svc.entries.map((e) => [e.key, e.value.kind === "scalar" && e.value.value, e.at.line]),
    ).toEqual([
      ["port", 2, 4],
      ["image", "a", 1],
    ]);
  });

  it("reports the first syntax error at its line and column", () => {
    expect(() => parseYaml("services:\n  web:\n    image: a\n   ports: []\n", "c.yaml")).toThrow(
      "c.yaml:4:1: not valid YAML: All mapping items must start at the same column",
    );
    expect(() => parseYaml("a: 1\na: 2\n", "c.yaml")).toThrow(
      "c.yaml:2:1: not valid YAML: Map keys must be unique",
    );
  });
});

describe("schedules (EventBridge Scheduler's syntax)", () => {
  it.each([
    ["@daily", "cron(0 0 * * ? *)"],
    ["@midnight", "cron(0 0 * * ? *)"],
    ["@hourly", "cron(0 * * * ? *)"],
    ["@weekly", "cron(0 0 ? * 1 *)"],
    ["@monthly", "cron(0 0 1 * ? *)"],
    ["@yearly", "cron(0 0 1 1 ? *)"],
    ["@annually", "cron(0 0 1 1 ? *)"],
    ["@every 10m", "rate(10 minutes)"],
    ["@every 1m", "rate(1 minute)"],
    ["@every 1h30m", "rate(90 minutes)"],
    ["@every 2h", "rate(2 hours)"],
    ["@every 24h", "rate(1 day)"],
    ["0 3 * * *", "cron(0 3 * * ? *)"],
    ["*/15 * * * *", "cron(0/15 * * * ? *)"],
    ["0 9 * * 1-5", "cron(0 9 ? * 2-6 *)"],
    ["30 7 * * MON-FRI", "cron(30 7 ? * 2-6 *)"],
    ["0 0 * * 0", "cron(0 0 ? * 1 *)"],
    ["0 0 * * 7", "cron(0 0 ? * 1 *)"],
    ["0 0 * * 5-7", "cron(0 0 ? * 1,6,7 *)"],
    ["0 0 * * */2", "cron(0 0 ? * 1,3,5,7 *)"],
    ["0 12 1 * *", "cron(0 12 1 * ? *)"],
    ["0 12 1,15 */3 *", "cron(0 12 1,15 1/3 ? *)"],
    ["0 4 * JAN,JUL *", "cron(0 4 * JAN,JUL ? *)"],
    ["cron(0 3 ? * MON *)", "cron(0 3 ? * MON *)"],
    ["rate(5 minutes)", "rate(5 minutes)"],
    ["rate(1 hours)", "rate(1 hour)"],
  ])("%s is %s", (input, expression) => {
    expect(toEventBridge(input)).toEqual({ expression });
  });

  it("drops a seconds field of 0 and says so", () => {
    expect(toEventBridge("0 30 2 * * *")).toEqual({
      expression: "cron(30 2 * * ? *)",
      note: "the seconds field (0) dropped",
    });
  });

  it.each([
    ["none", "the schedule is `none` (the job is disabled)"],
    ["@every 30s", "'@every 30s': EventBridge Scheduler runs at most once a minute, in whole minutes"],
    ["@every 90s", "'@every 90s': EventBridge Scheduler runs at most once a minute, in whole minutes"],
    ["@every soon", "'@every soon' is not @every <duration>"],
    [
      "*/10 * * * * *",
      "'*/10 * * * * *' runs at seconds past the minute: EventBridge Scheduler runs on whole minutes",
    ],
    [
      "0 0 1 * MON",
      "'0 0 1 * MON' restricts both the day of month and the day of week (cron runs when either matches); EventBridge cron takes one of them",
    ],
    ["0 25 * * *", "'0 25 * * *': its hour field is not one EventBridge cron can express"],
    [
      "every day",
      "'every day' is not a cron schedule (5 fields: minute hour day-of-month month day-of-week)",
    ],
  ])("%s cannot be converted: %s", (input, problem) => {
    expect(toEventBridge(input)).toEqual({ problem });
  });

  it("has a placeholder that is a valid schedule and never runs before 2199", () => {
    expect(PLACEHOLDER_SCHEDULE).toBe("cron(0 0 1 1 ? 2199)");
  });
});

describe("units", () => {
  it.each([
    ["10s", 10],
    ["1m30s", 90],
    ["1h5m30s", 3930],
    ["250ms", 0.25],
    ["96h", 345_600],
    ["5d", 432_000],
    ["30", 30],
  ])("duration %s is %d s", (input, seconds) => {
    expect(durationSeconds(input)).toBe(seconds);
  });

  it("rejects what is not a duration", () => {
    expect(durationSeconds("soon")).toBeUndefined();
    expect(durationSeconds("10 s")).toBeUndefined();
  });

  it.each([
    ["512m", 512],
    ["1g", 1024],
    ["1.5G", 1536],
    ["2048k", 2],
    ["768M", 768],
    ["1gb", 1024],
  ])("byte value %s is %d MiB", (input, mib) => {
    expect(mebibytes(input)).toBe(mib);
  });

  it.each([
    [512, 768, { cpu: 512, memory: 1024, note: "memory 768 MiB rounded up to 1024 (a Fargate task size)" }],
    [1024, 2048, { cpu: 1024, memory: 2048 }],
    [
      102,
      50,
      {
        cpu: 256,
        memory: 512,
        note: "CPU 102 units rounded up to 256; memory 50 MiB rounded up to 512 (a Fargate task size)",
      },
    ],
    [4096, 512, { cpu: 4096, memory: 8192, note: "memory 512 MiB rounded up to 8192 (a Fargate task size)" }],
    [
      undefined,
      3072,
      {
        cpu: 512,
        memory: 3072,
        note: "CPU 512 units: the least Fargate pairs with 3072 MiB (a Fargate task size)",
      },
    ],
    [
      2048,
      undefined,
      {
        cpu: 2048,
        memory: 4096,
        note: "memory 4096 MiB: the least Fargate pairs with 2048 CPU units (a Fargate task size)",
      },
    ],
    [
      32768,
      1024,
      {
        cpu: 16384,
        memory: 122880,
        note: "limits above Fargate's largest task (16384 CPU units, 122880 MiB): capped",
      },
    ],
  ])("limits %s CPU units and %s MiB fit %j", (cpu, memory, fit) => {
    expect(fargateFit(cpu, memory)).toEqual(fit);
  });

  it("splits a command line into words like a shell, without one", () => {
    expect(shellWords(`bundle exec "thin server" -p 3000 'a b' c\\ d`)).toEqual([
      "bundle",
      "exec",
      "thin server",
      "-p",
      "3000",
      "a b",
      "c d",
    ]);
    expect(shellWords('sh -c "echo \\"hi\\""')).toEqual(["sh", "-c", 'echo "hi"']);
    expect(shellWords("unterminated 'quote")).toBeUndefined();
  });

  it("turns compose names into service names", () => {
    expect(berthName("Web_App")).toBe("web-app");
    expect(berthName("api.v2")).toBe("api-v2");
    expect(berthName("2fa-service")).toBe("fa-service");
    expect(berthName("a-very-long-service-name-indeed")).toBe("a-very-long-servi");
    expect(berthName("x")).toBeUndefined();
  });
});

describe("service names for an import", () => {
  it("numbers taken names from the name itself, and keeps a valid name at the longest", () => {
    const name = serviceNamer();
    expect(name("api")).toEqual({ name: "api" });
    expect(name("API")).toEqual({ name: "api-2", why: "api is taken by another service" });
    expect(name("Api")).toEqual({ name: "api-3", why: "api is taken by another service" });
    expect(name("abcdefghijklmn-pq")).toEqual({ name: "abcdefghijklmn-pq" });
    // Cut to 15 characters, the cut's trailing hyphen is not doubled.
    expect(name("abcdefghijklmn-pq")).toEqual({
      name: "abcdefghijklmn-2",
      why: "abcdefghijklmn-pq is taken by another service",
    });
    expect(name("q").name).toBe("svc-q");
    expect(name("42").name).toBe("svc-42");
  });
});
