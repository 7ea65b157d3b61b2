import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** A stack file whose `config:` keys disagree with the stack's config JSON Schema. */
export interface StackFileConfigProblem {
  /** The stack file's name, e.g. `Pulumi.prod.yaml`. */
  file: string;
  /** Keys the file sets that the schema neither names nor matches by pattern. */
  unknown: string[];
  /** Keys the schema requires that the file does not set. */
  missing: string[];
}

interface ConfigSchemaShape {
  properties?: {
    config?: {
      properties?: Record<string, unknown>;
      required?: string[];
      patternProperties?: Record<string, unknown>;
    };
  };
}

/** The text `pnpm generate` writes for a JSON Schema (two-space indent, final newline). */
export function jsonSchemaText(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * Checks every `Pulumi.<stack>.yaml` in `projectDir` against a stack config JSON Schema (the
 * document under `schemas/stack-config/`): keys the schema does not know, and required keys the
 * file does not set. Returns only the files with a problem, so `[]` means all agree.
 */
export function stackFileConfigProblems(projectDir: string, schema: object): StackFileConfigProblem[] {
  const config = (schema as ConfigSchemaShape).properties?.config;
  if (!config?.properties) {
    throw new Error("stackFileConfigProblems: the schema has no properties.config.properties");
  }
  const known = config.properties;
  const patterns = Object.keys(config.patternProperties ?? {}).map((p) => new RegExp(p));
  const problems: StackFileConfigProblem[] = [];
  for (const file of readdirSync(projectDir)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .sort()) {
    const doc = parse(readFileSync(join(projectDir, file), "utf8")) as {
      config?: Record<string, unknown>;
    } | null;
    const keys = Object.keys(doc?.config ?? {});
    const unknown = keys.filter((k) => !(k in known) && !patterns.some((p) => p.test(k)));
    const missing = (config.required ?? []).filter((k) => !keys.includes(k));
    if (unknown.length > 0 || missing.length > 0) problems.push({ file, unknown, missing });
  }
  return problems;
}
