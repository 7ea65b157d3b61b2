import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCatalogue } from "@berth/core";
import { afterEach, describe, expect, it } from "vitest";
import { runComposeImport } from "../../src/import/index.js";
import { capture, tempRepo } from "../helpers.js";
import { berthCompose, parseCompose } from "./harness.js";

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("berth compose, then berth import compose", () => {
  it("gives back the same services, kinds, calls and variable names", async () => {
    const root = tempRepo({
      "apps/shop/berth.yaml": [
        "name: shop",
        "kind: web",
        "http: { paths: ['/*'] }",
        "calls: [orders]",
        "environment: { ORDERS_URL: 'http://orders:9000', LOG_LEVEL: debug }",
        "secrets: { STRIPE_KEY: { ssm: /berth/<env>/shop/stripe } }",
        "",
      ].join("\n"),
      "apps/orders/berth.yaml": [
        "name: orders",
        "kind: internal",
        "port: 9000",
        "healthCheck: { command: [CMD, node, healthcheck.js] }",
        "environment: { MAX_ORDERS: '10' }",
        "",
      ].join("\n"),
    });
    const out = mkdtempSync(join(tmpdir(), "berth-compose-import-"));
    temps.push(root, out);
    expect(await berthCompose(["-o", "compose.yaml"], capture(root).io)).toBe(0);
    const compose = parseCompose(readFileSync(join(root, "compose.yaml"), "utf8"));

    const imported = capture(root);
    const code = await runComposeImport(
      { cwd: root, file: "compose.yaml", envFiles: [], out: join(out, "apps") },
      imported.io,
    );
    expect(imported.err()).toBe("");
    expect(code).toBe(0);
    const back = loadCatalogue(join(out, "apps"), { environments: ["dev"] });
    expect(back.services.map((s) => [s.name, s.kind])).toEqual([
      ["orders", "internal"],
      ["shop", "web"],
    ]);
    for (const s of back.services) {
      const m = s.environments.dev!;
      const read = [...Object.keys(m.environment ?? {}), ...Object.keys(m.secrets ?? {})].sort();
      expect(read, s.name).toEqual(Object.keys(compose.services[s.name]!.environment ?? {}));
    }
    expect(back.service("shop", "dev")!.calls).toEqual(["orders"]);
    expect(back.service("shop", "dev")!.secrets).toEqual({
      STRIPE_KEY: { ssm: expect.stringMatching(/^\/berth\/<env>\//) },
    });
    expect(back.service("orders", "dev")).toMatchObject({
      port: 9000,
      healthCheck: { command: ["CMD", "node", "healthcheck.js"] },
    });
  });
});
