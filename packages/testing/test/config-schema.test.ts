import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jsonSchemaText, stackFileConfigProblems } from "../src/index.js";

const schema = {
  type: "object",
  properties: {
    config: {
      type: "object",
      properties: { "app:env": { type: "string" }, "aws:region": { type: "string" } },
      patternProperties: { "^app:tags\\.": { type: "string" } },
      required: ["app:env"],
    },
  },
};

const dir = mkdtempSync(join(tmpdir(), "berth-config-schema-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stackFileConfigProblems", () => {
  it("names each stack file's unknown and missing keys, and only files with a problem", () => {
    writeFileSync(join(dir, "Pulumi.yaml"), "name: app\nruntime: nodejs\n");
    writeFileSync(join(dir, "Pulumi.good.yaml"), "config:\n  app:env: dev\n  app:tags.team: x\n");
    writeFileSync(join(dir, "Pulumi.typo.yaml"), "config:\n  app:evn: dev\n  aws:region: us-east-1\n");
    writeFileSync(join(dir, "Pulumi.empty.yaml"), "");
    expect(stackFileConfigProblems(dir, schema)).toEqual([
      { file: "Pulumi.empty.yaml", unknown: [], missing: ["app:env"] },
      { file: "Pulumi.typo.yaml", unknown: ["app:evn"], missing: ["app:env"] },
    ]);
  });

  it("refuses a schema that is not a stack config schema", () => {
    expect(() => stackFileConfigProblems(dir, { type: "object" })).toThrow(/properties\.config\.properties/);
  });
});

describe("jsonSchemaText", () => {
  it("is the two-space JSON with a final newline that `pnpm generate` writes", () => {
    expect(jsonSchemaText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });
});
