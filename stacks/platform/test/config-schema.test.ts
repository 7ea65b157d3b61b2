import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { platformConfigJsonSchema } from "../src/config.js";

const projectDir = join(__dirname, "..");
const file = join(projectDir, "..", "..", "schemas", "stack-config", "berth-platform.schema.json");

describe("schemas/stack-config/berth-platform.schema.json", () => {
  it("is the config schema's current JSON Schema (run `pnpm generate`)", () => {
    expect(readFileSync(file, "utf8")).toBe(`${JSON.stringify(platformConfigJsonSchema(), null, 2)}\n`);
  });

  it("knows every key the stack files set, and they set every required one", () => {
    const config = (
      platformConfigJsonSchema().properties as {
        config: { properties: object; required: string[]; patternProperties?: object };
      }
    ).config;
    const patterns = Object.keys(config.patternProperties ?? {}).map((p) => new RegExp(p));
    for (const name of readdirSync(projectDir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))) {
      const keys = Object.keys(parse(readFileSync(join(projectDir, name), "utf8")).config);
      const unknown = keys.filter((k) => !(k in config.properties) && !patterns.some((p) => p.test(k)));
      expect(unknown, name).toEqual([]);
      expect(
        config.required.filter((k) => !keys.includes(k)),
        name,
      ).toEqual([]);
    }
  });
});
