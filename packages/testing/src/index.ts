export { type CloudContext, physicalName, synthesizeAws } from "./aws.js";
export { synthesizeAwsxVpc } from "./awsx.js";
export { jsonSchemaText, type StackFileConfigProblem, stackFileConfigProblems } from "./config-schema.js";
export {
  type EngineOptions,
  type Fixtures,
  findProjectByName,
  findRepoRoot,
  type InlineRunOptions,
  type ProgramRunOptions,
  runInline,
  runProgram,
  runProgramInProcess,
} from "./engine.js";
export { expectInvalid, type RunComponentOptions, runComponent, runStack } from "./helpers.js";
export { UnknownInvokeError } from "./invokes.js";
export {
  loadProject,
  loadStackConfig,
  ProjectError,
  type PulumiProject,
  resolveEntry,
  type StackConfig,
} from "./project.js";
export {
  type Diagnostic,
  parseJsonInput,
  type RecordedOptions,
  type RecordedResource,
  type RunError,
  type RunRecord,
  RunResult,
  readPath,
  SECRET_PLACEHOLDER,
  STACK_TYPE,
} from "./record.js";
