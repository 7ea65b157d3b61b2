export {
  checkConfig,
  evaluate,
  type Finding,
  type PolicyConfig,
  PolicyConfigError,
  type PolicyResult,
  runRule,
  subjects,
} from "./evaluate.js";
export {
  type Level,
  type PolicySubject,
  RULES,
  type Rule,
  type RuleContext,
  type Severity,
  type Violation,
} from "./rules.js";
