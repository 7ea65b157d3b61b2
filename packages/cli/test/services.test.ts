import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/index.js";
import type { ServicesDocument } from "../src/services.js";
import { capture, FIXTURE_REPO, REPO, tempRepo } from "./helpers.js";

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const repo = (files: Record<string, string>) => {
  const dir = tempRepo(files);
  temps.push(dir);
  return dir;
};

describe("berth services", () => {
  it("shows the four example apps: a line per group of environments where a service differs", async () => {
    const t = capture(REPO);
    expect(await main(["services"], t.io)).toBe(0);
    expect(t.out()).toBe(
      [
        "Name     Kind      Environments        Route / schedule                               Count                    Calls   Uses",
        "hello    web       dev                 /* (priority 48990)                            1                        orders  —",
        "                   staging             hello.staging.example.com /* (priority 11490)  2-4 (cpu 70%)            orders  —",
        "                   prod                hello.example.com /* (priority 11490)          3-10 (cpu 60%)           orders  —",
        "mailer   worker    dev                 queue                                          1                        —       —",
        "                   staging             queue                                          1-4 (backlog 100/task)   —       —",
        "                   prod                queue                                          2-10 (backlog 100/task)  —       —",
        "nightly  job       dev, staging, prod  cron(0 3 * * ? *) Europe/Paris                 —                        —       —",
        "orders   internal  dev, staging        http://orders:8080                             1                        —       orders-db, receipts",
        "                   prod                http://orders:8080                             2-6                      —       orders-db, receipts",
        "",
      ].join("\n"),
    );
    expect(t.err()).toBe("");
  });

  it("shows one environment with --env, from any folder of the repository (-C)", async () => {
    const t = capture(join(REPO, "packages"));
    expect(await main(["services", "--env", "prod", "-C", "cli/src"], t.io)).toBe(0);
    expect(t.out()).toBe(
      [
        "Name     Kind      Environments  Route / schedule                       Count                    Calls   Uses",
        "hello    web       prod          hello.example.com /* (priority 11490)  3-10 (cpu 60%)           orders  —",
        "mailer   worker    prod          queue                                  2-10 (backlog 100/task)  —       —",
        "nightly  job       prod          cron(0 3 * * ? *) Europe/Paris         —                        —       —",
        "orders   internal  prod          http://orders:8080                     2-6                      —       orders-db, receipts",
        "",
      ].join("\n"),
    );
  });

  it("--json prints a stable document: every service in every environment", async () => {
    const t = capture(REPO);
    expect(await main(["services", "--json"], t.io)).toBe(0);
    const doc = JSON.parse(t.out()) as ServicesDocument;
    expect(doc.version).toBe(1);
    expect(doc.environments).toEqual(["dev", "staging", "prod"]);
    expect(doc.services.map((s) => [s.name, s.kind, s.manifest])).toEqual([
      ["hello", "web", "apps/hello/berth.yaml"],
      ["mailer", "worker", "apps/mailer/berth.yaml"],
      ["nightly", "job", "apps/nightly/berth.yaml"],
      ["orders", "internal", "apps/orders/berth.yaml"],
    ]);
    const [hello, mailer, nightly, orders] = doc.services;
    expect(hello!.environments.prod).toEqual({
      route: { hosts: ["hello.example.com"], paths: ["/*"], priority: 11490 },
      endpoint: null,
      queue: null,
      schedule: null,
      count: { min: 3, max: 10, cpuTarget: 60 },
      calls: ["orders"],
      uses: [],
    });
    expect(hello!.environments.dev!.route).toEqual({ hosts: [], paths: ["/*"], priority: 48990 });
    expect(mailer!.environments.staging).toMatchObject({
      queue: { processingSeconds: 30, maxReceiveCount: 5, scaleToZero: false },
      count: { min: 1, max: 4, backlogPerTask: 100 },
    });
    expect(nightly!.environments.dev).toMatchObject({
      schedule: { expression: "cron(0 3 * * ? *)", timezone: "Europe/Paris" },
      count: null,
      route: null,
    });
    expect(orders!.environments.staging).toMatchObject({
      endpoint: "http://orders:8080",
      count: 1,
      uses: [
        { name: "orders-db", kind: "postgres", access: "connect", shared: false },
        { name: "receipts", kind: "bucket", access: "readwrite", shared: false },
      ],
    });
    expect(Object.keys(orders!.environments)).toEqual(["dev", "staging", "prod"]);

    const prod = capture(REPO);
    expect(await main(["services", "--env", "prod", "-j"], prod.io)).toBe(0);
    const one = JSON.parse(prod.out()) as ServicesDocument;
    expect(one.environments).toEqual(["prod"]);
    expect(one.services.every((s) => Object.keys(s.environments).join() === "prod")).toBe(true);
    expect(one.services[0]!.environments.prod).toEqual(hello!.environments.prod);
  });

  it("reads the environments from the platform's stack files (the fixture has dev and prod)", async () => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["services"], t.io)).toBe(0);
    expect(t.out()).toBe(
      [
        "Name   Kind  Environments  Route / schedule          Count  Calls  Uses",
        "shop   web   dev           /shop/* (priority 31358)  1      —      —",
        "             prod          /shop/* (priority 31358)  2-4    —      —",
        "tasks  job   dev, prod     rate(1 hour)              —      —      —",
        "",
      ].join("\n"),
    );
    const staging = capture(FIXTURE_REPO);
    expect(await main(["services", "--env", "staging"], staging.io)).toBe(2);
    expect(staging.err()).toBe(
      "berth services: --env 'staging' is not an environment of the platform: dev, prod\n",
    );
  });

  it("prints every problem of the manifests as file:line:column lines and exits 1, without a stack trace", async () => {
    const root = repo({
      "apps/api/berth.yaml": "name: api\nkind: webb\n",
      "apps/web/berth.yaml":
        "name: web\nkind: web\ncount: 0\ncalls: [nope]\nhttp: { paths: ['/*'] }\nprot: 80\n",
    });
    const t = capture(root);
    expect(await main(["services"], t.io)).toBe(1);
    expect(t.err()).toBe(
      [
        `${join(root, "apps/api/berth.yaml")}:2:7: kind is "webb"; kind is one of web, internal, worker, job`,
        `${join(root, "apps/web/berth.yaml")}:6:1: prot is 80; not a field here; did you mean port?`,
        "",
      ].join("\n"),
    );
    expect(t.out()).toBe("");
    const json = capture(root);
    expect(await main(["services", "--json"], json.io)).toBe(1);
    expect(json.out()).toBe("");
  });

  it("names a call to a service that does not exist (the catalogue's own check)", async () => {
    const root = repo({ "apps/web/berth.yaml": "name: web\nkind: web\ncalls: [nope]\n" });
    const t = capture(root);
    expect(await main(["services"], t.io)).toBe(1);
    expect(t.err()).toBe(
      `${join(root, "apps/web/berth.yaml")}:3:9: calls.0 is "nope"; no service is named nope; the catalogue has web\n`,
    );
  });

  it("prints only the header for a repository without services", async () => {
    const t = capture(repo({}));
    expect(await main(["services"], t.io)).toBe(0);
    expect(t.out()).toBe("Name  Kind  Environments  Route / schedule  Count  Calls  Uses\n");
  });

  it.each([
    [["services", "--env"], "berth services: option '--env <env>' argument missing"],
    [["services", "--yaml"], "berth services: unknown option '--yaml'"],
    [
      ["services", "extra"],
      "berth services: too many arguments for 'services'. Expected 0 arguments but got 1.",
    ],
    [
      ["services", "-C", "/"],
      "berth services: no repository around /: no pnpm-workspace.yaml or .git in it or above it; pass -C <repository>",
    ],
  ])("%j: exit 2 and %j", async (argv, message) => {
    const t = capture(REPO);
    expect(await main(argv, t.io)).toBe(2);
    expect(t.err().split("\n")[0]).toBe(message);
    expect(t.out()).toBe("");
  });

  it("has its help", async () => {
    const t = capture(REPO);
    expect(await main(["services", "--help"], t.io)).toBe(0);
    expect(t.out()).toMatch(/^Usage: berth services \[options\]/);
    for (const flag of [
      "-C, --cwd <dir>",
      "--env <env>",
      "-j, --json",
      "-h, --help",
      "berth services --env prod --json",
    ]) {
      expect(t.out()).toContain(flag);
    }
  });
});

describe("BERTH_APPS_DIR: another catalogue folder, for the CLI and the programs it runs alike", () => {
  it("lists the services of that folder", async () => {
    const apps = repo({ "billing/berth.yaml": "name: billing\nkind: internal\n" });
    const t = capture(REPO, { env: { BERTH_APPS_DIR: apps } });
    expect(await main(["services", "--json"], t.io)).toBe(0);
    expect((JSON.parse(t.out()) as ServicesDocument).services.map((s) => s.name)).toEqual(["billing"]);
  });
});
