export interface CopilotWorkspace {
  shown: string;
}
export function loadCopilot(dir: string, _opts: { cwd: string }): CopilotWorkspace {
  return { shown: dir };
}
