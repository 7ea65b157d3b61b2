import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jsonSchemaText, stackFileConfigProblems } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { platformConfigJsonSchema } from "../src/config.js";

const projectDir = join(__dirname, "..");
const file = join(projectDir, "..", "..", "schemas", "stack-config", "berth-platform.schema.json");

describe("schemas/stack-config/berth-platform.schema.json", () => {
  it("is the config schema's current JSON Schema (run `pnpm generate`)", () => {
    expect(readFileSync(file, "utf8")).toBe(jsonSchemaText(platformConfigJsonSchema()));
  });

  it("knows every key the stack files set, and they set every required one", () => {
    expect(stackFileConfigProblems(projectDir, platformConfigJsonSchema())).toEqual([]);
  });
});
