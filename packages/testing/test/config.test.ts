import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject, loadStackConfig, resolveEntry } from "../src/index.js";

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "berth-config-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("Pulumi.yaml and Pulumi.<stack>.yaml", () => {
  it("namespaces bare keys with the project and keeps namespaced ones", () => {
    const dir = project({
      "Pulumi.yaml": "name: shop\nruntime: nodejs\n",
      "Pulumi.dev.yaml": "config:\n  shop:size: small\n  color: blue\n  aws:region: eu-west-2\n",
    });
    const cfg = loadStackConfig(loadProject(dir), "dev");
    expect(cfg.values).toEqual({ "shop:size": "small", "shop:color": "blue", "aws:region": "eu-west-2" });
    expect(cfg.secretKeys).toEqual([]);
  });

  it("encodes objects, lists, numbers and booleans the way Pulumi stores them", () => {
    const dir = project({
      "Pulumi.yaml": "name: shop\nruntime: nodejs\n",
      "Pulumi.dev.yaml":
        "config:\n  shop:db:\n    engine: postgres\n    sizes: [1, 2]\n  shop:zones:\n    - a\n    - b\n  shop:count: 3\n  shop:on: true\n",
    });
    const { values } = loadStackConfig(loadProject(dir), "dev");
    expect(JSON.parse(values["shop:db"]!)).toEqual({ engine: "postgres", sizes: [1, 2] });
    expect(JSON.parse(values["shop:zones"]!)).toEqual(["a", "b"]);
    expect(values["shop:count"]).toBe("3");
    expect(values["shop:on"]).toBe("true");
  });

  it("marks a key secret when a secure value sits anywhere inside it, and masks it for display", () => {
    const dir = project({
      "Pulumi.yaml": "name: shop\nruntime: nodejs\n",
      "Pulumi.dev.yaml":
        "config:\n  shop:apiKey:\n    secure: v1:AAAA\n  shop:creds:\n    - user: ci\n      password:\n        secure: v1:BBBB\n",
    });
    const cfg = loadStackConfig(loadProject(dir), "dev", { "shop:apiKey": "stand-in" });
    expect(cfg.secretKeys.sort()).toEqual(["shop:apiKey", "shop:creds"]);
    expect(cfg.values["shop:apiKey"]).toBe("stand-in");
    expect(JSON.parse(cfg.values["shop:creds"]!)).toEqual([{ user: "ci", password: "[secret]" }]);
    expect(cfg.display).toEqual({ "shop:apiKey": "[secret]", "shop:creds": "[secret]" });
    expect(JSON.stringify(cfg)).not.toMatch(/v1:AAAA|v1:BBBB/);
  });

  it("applies project-level defaults and declared values under the stack's own", () => {
    const dir = project({
      "Pulumi.yaml":
        "name: shop\nruntime: nodejs\nconfig:\n  tier:\n    type: string\n    default: web\n  aws:region: us-west-2\n  size:\n    value: large\n",
      "Pulumi.dev.yaml": "config:\n  aws:region: ap-south-1\n",
    });
    const { values } = loadStackConfig(loadProject(dir), "dev");
    expect(values).toEqual({ "shop:tier": "web", "aws:region": "ap-south-1", "shop:size": "large" });
  });

  it("warns that ESC environments are not resolved offline", () => {
    const dir = project({
      "Pulumi.yaml": "name: shop\nruntime: nodejs\n",
      "Pulumi.dev.yaml": "environment:\n  - shop/dev\nconfig: {}\n",
    });
    expect(loadStackConfig(loadProject(dir), "dev").warnings[0]).toMatch(
      /'environment' \(Pulumi ESC\) is not resolved offline/,
    );
  });

  it("reads the stack file from stackConfigDir", () => {
    const dir = project({
      "Pulumi.yaml": "name: shop\nruntime: nodejs\nstackConfigDir: .\n",
      "Pulumi.qa.yml": "config:\n  shop:x: 1\n",
    });
    expect(loadStackConfig(loadProject(dir), "qa").values["shop:x"]).toBe("1");
  });

  it("rejects invalid YAML, a missing name and other runtimes with the file named", () => {
    expect(() => loadProject(project({ "Pulumi.yaml": "name: [unclosed\n" }))).toThrow(
      /Pulumi\.yaml: not valid YAML/,
    );
    expect(() => loadProject(project({ "Pulumi.yaml": "runtime: nodejs\n" }))).toThrow(
      /Pulumi\.yaml: 'name' is required/,
    );
    expect(() => loadProject(project({ "Pulumi.yaml": "name: x\nruntime: python\n" }))).toThrow(
      /runtime 'python' is not supported offline/,
    );
  });

  it("finds the entry the Pulumi CLI would run: main, then package.json, then the folder", () => {
    const withMain = project({ "Pulumi.yaml": "name: a\nruntime: nodejs\nmain: app.ts\n", "app.ts": "" });
    expect(resolveEntry(loadProject(withMain))).toBe(join(withMain, "app.ts"));
    const withPkg = project({
      "Pulumi.yaml": "name: a\nruntime: nodejs\n",
      "package.json": JSON.stringify({ main: "src/index.ts" }),
    });
    expect(resolveEntry(loadProject(withPkg))).toBe(`${withPkg}/`);
    const bare = project({ "Pulumi.yaml": "name: a\nruntime: nodejs\n" });
    expect(resolveEntry(loadProject(bare))).toBe(`${bare}/`);
    const badMain = project({ "Pulumi.yaml": "name: a\nruntime: nodejs\nmain: nope.ts\n" });
    expect(() => resolveEntry(loadProject(badMain))).toThrow(/main 'nope\.ts' does not exist/);
  });
});

describe("stack files the Pulumi CLI cannot load are refused before the program runs, naming the file", () => {
  const yaml = "name: shop\nruntime: nodejs\n";
  it.each([
    [
      "a top level that is a list",
      "- a\n- b\n",
      /Pulumi\.dev\.yaml: the top level is a list; a stack file is a map with a config: key/,
    ],
    ["a top level that is text", "hello\n", /the top level is the string "hello"/],
    [
      "config: as a list",
      "config:\n  - shop:size\n",
      /Pulumi\.dev\.yaml: config is a list; it must be a map of keys to values/,
    ],
  ])("%s", (_title, stackFile, message) => {
    const dir = project({ "Pulumi.yaml": yaml, "Pulumi.dev.yaml": stackFile });
    expect(() => loadStackConfig(loadProject(dir), "dev")).toThrow(message);
  });

  it("names the file given instead of Pulumi.<stack>.yaml", () => {
    const dir = project({ "Pulumi.yaml": yaml, "other.yaml": "config: [a]\n" });
    expect(() => loadStackConfig(loadProject(dir), "dev", {}, join(dir, "other.yaml"))).toThrow(
      /other\.yaml: config is a list/,
    );
  });

  it("runs a stack without a file of its own only when the run allows it (stackConfigOptional)", () => {
    const dir = project({ "Pulumi.yaml": yaml });
    expect(() => loadStackConfig(loadProject(dir), "prod.orders")).toThrow(
      /no stack 'prod\.orders'.*does not exist/,
    );
    const cfg = loadStackConfig(loadProject(dir), "prod.orders", {}, undefined, true);
    expect(cfg.values).toEqual({});
    expect(cfg.file).toBeUndefined();
  });
});
