import type { Catalogue } from "../catalogue.js";
import type { Report } from "../report.js";
import type { CopilotWorkspace } from "./load.js";
export function mapCopilot(
  _ws: CopilotWorkspace,
  _report: Report,
  _opts: { serviceDir(name: string): string; environments: readonly string[] },
): Catalogue {
  return { drafts: [] };
}
