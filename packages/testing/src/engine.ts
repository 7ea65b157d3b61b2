import { type ChildProcess, fork } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { CONFIG_FILE_ENV } from "@berth/core";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { type CloudContext, type Props, partitionOf, synthesizeAws } from "./aws.js";
import { synthesizeAwsxVpc } from "./awsx.js";
import { hex } from "./hash.js";
import { answerInvoke } from "./invokes.js";
import { RecordingMonitor, type SynthesisRequest } from "./monitor.js";
import { findProjectFile, loadProject, loadStackConfig, ProjectError, resolveEntry } from "./project.js";
import type { Diagnostic, RecordedResource, RunError, RunRecord } from "./record.js";
import { ReferenceCache } from "./ref-cache.js";

/** Values the engine cannot compute by itself. Kept in `berth.fixtures.yaml` next to Pulumi.yaml. */
export interface Fixtures {
  /** Invoke results by token, e.g. `aws:route53/getZone:getZone`. */
  invokes?: Record<string, Props>;
  /** Values of SSM parameters read with `aws.ssm.getParameter`, by parameter name. */
  ssmParameters?: Record<string, string>;
  /** Outputs of referenced stacks (`org/project/stack`) that are not in this repository. */
  stackReferences?: Record<string, Record<string, unknown>>;
  /** Plaintext stand-ins for `secure:` config values, by namespaced key. */
  secrets?: Record<string, string>;
  /**
   * The registry that holds every service's image (`<account>.dkr.ecr.<region>.amazonaws.com`).
   * With it, the engine answers every release pointer `<prefix>/<env>/<service>/image` that
   * `ssmParameters` does not list with `<releaseRegistry>/<service>@sha256:<digest>`, a digest
   * derived from the environment and the service: each service of the catalogue gets its own image.
   */
  releaseRegistry?: string;
}

export interface EngineOptions {
  /** Organization of the stack (as in `org/project/stack`). @default "organization" */
  organization?: string;
  /** The AWS account the run pretends to deploy into. @default "123456789012" */
  account?: string;
  /** Fixtures, or the path of a fixtures file. @default `<project>/berth.fixtures.yaml` when present */
  fixtures?: Fixtures | string;
  /** Folders whose sub-folders hold the Pulumi projects stack references resolve to. */
  projectSearchDirs?: string[];
  /** Stack references being resolved above this run (cycle detection). @internal */
  referenceChain?: string[];
}

export interface ProgramRunOptions extends EngineOptions {
  /** The Pulumi project folder (with Pulumi.yaml). */
  projectDir: string;
  /** The stack whose `Pulumi.<stack>.yaml` configures the run. */
  stack: string;
  /** Use this file instead of `Pulumi.<stack>.yaml` (like `pulumi preview --config-file`). */
  configFile?: string;
  /**
   * Run with an empty config when the stack has no `Pulumi.<stack>.yaml`, as the Pulumi CLI does
   * for a stack created by `pulumi stack init` (the per-service stacks). Otherwise a missing file
   * is an error naming it (a mistyped stack name).
   * @default false
   */
  stackConfigOptional?: boolean;
  /**
   * Environment variables the program sees during this run only (set before it loads, restored
   * after), e.g. `{ BERTH_APPS_DIR: dir }`. Runs in a reused child process get them too.
   * @default {}
   */
  environment?: Record<string, string>;
  /**
   * How TypeScript is loaded. `"tsx"` transpiles without type checking (fast; `pnpm typecheck`
   * checks types). `"pulumi"` does what the Pulumi CLI's Node.js host does (`@pulumi/pulumi`'s
   * cmd/run): ts-node (the project's, else the one vendored in @pulumi/pulumi) with the project's
   * TypeScript and tsconfig, type-checked unless the tsconfig says `noCheck`, so a program that would
   * not load under `pulumi up` fails here too. Such a run gets a process of its own.
   * @default "tsx"
   */
  loader?: "tsx" | "pulumi";
}

export interface InlineRunOptions extends EngineOptions {
  project?: string;
  stack?: string;
  /** Config values by namespaced key (`project:key`, `aws:region`); objects are JSON-encoded. */
  config?: Record<string, unknown>;
  /** Keys of `config` that are secrets. */
  secretKeys?: string[];
}

// Runtime internals the mocks API builds on (not in the SDK's typings).
const settings = require("@pulumi/pulumi/runtime/settings") as {
  setMockOptions(
    monitor: unknown,
    project: string,
    stack: string,
    preview: boolean,
    organization: string,
  ): void;
  waitForRPCs(): Promise<void>;
};
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };
const { setMockOptions, waitForRPCs } = settings;
const { getStore } = state;

const DEFAULT_ACCOUNT = "123456789012";
const DEFAULT_REGION = "us-east-1";
const DEFAULT_ORG = "organization";

function loadFixtures(fixtures: Fixtures | string | undefined, projectDir?: string): Fixtures {
  if (fixtures && typeof fixtures === "object") return fixtures;
  const file = fixtures ?? (projectDir ? join(projectDir, "berth.fixtures.yaml") : undefined);
  if (!file) return {};
  if (!existsSync(file)) {
    if (fixtures) throw new ProjectError(`fixtures file ${file} does not exist`);
    return {};
  }
  return (parse(readFileSync(file, "utf8")) ?? {}) as Fixtures;
}

/** The repository root: the nearest folder up with pnpm-workspace.yaml or .git. */
export function findRepoRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml")) || existsSync(join(dir, ".git"))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Finds the folder of the Pulumi project with the given name. */
export function findProjectByName(name: string, searchDirs: string[]): string | undefined {
  for (const dir of searchDirs) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const candidate = join(dir, entry.name);
      const file = findProjectFile(candidate);
      if (!file) continue;
      try {
        if (loadProject(candidate).name === name) return candidate;
      } catch {
        // not a loadable project: skip
      }
    }
  }
  return undefined;
}

interface Session {
  project: string;
  stack: string;
  organization: string;
  ctx: CloudContext;
  fixtures: Fixtures;
  projectDir?: string;
  options: EngineOptions;
  diagnostics: Diagnostic[];
  /** Region and account of explicit aws providers, by provider reference (`<urn>::<id>`). */
  providerContexts: Map<string, CloudContext>;
}

/** A run's session: who it pretends to be (organization, account, region) and what it has been given. */
function newSession(
  project: string,
  stack: string,
  region: string | undefined,
  fixtures: Fixtures,
  options: EngineOptions,
  warnings: string[],
  projectDir?: string,
): Session {
  return {
    project,
    stack,
    organization: options.organization ?? DEFAULT_ORG,
    ctx: {
      region: region ?? DEFAULT_REGION,
      account: options.account ?? DEFAULT_ACCOUNT,
      partition: partitionOf(region ?? DEFAULT_REGION),
    },
    fixtures,
    ...(projectDir ? { projectDir } : {}),
    options,
    diagnostics: warnings.map((message) => ({ severity: "warning" as const, message })),
    providerContexts: new Map(),
  };
}

/** The region and account an explicit aws provider pins (`region`, a single `allowedAccountIds`). */
function providerContext(session: Session, inputs: Props): CloudContext {
  let accounts = inputs.allowedAccountIds;
  if (typeof accounts === "string") {
    try {
      accounts = JSON.parse(accounts);
    } catch {
      accounts = undefined;
    }
  }
  const account =
    Array.isArray(accounts) && accounts.length === 1 ? String(accounts[0]) : session.ctx.account;
  const region = typeof inputs.region === "string" && inputs.region ? inputs.region : session.ctx.region;
  return { ...session.ctx, region, account, partition: partitionOf(region) };
}

/** The context a resource or invoke is answered in: its provider's, else the run's. */
function contextFor(session: Session, provider: string | undefined, inputs: Props): CloudContext {
  const ctx = (provider && session.providerContexts.get(provider)) || session.ctx;
  return typeof inputs.region === "string" && inputs.region
    ? { ...ctx, region: inputs.region, partition: partitionOf(inputs.region) }
    : ctx;
}

async function resolveStackReference(session: Session, name: string): Promise<Record<string, unknown>> {
  const fixture = session.fixtures.stackReferences?.[name];
  if (fixture) return fixture;
  const parts = name.split("/");
  const [org, project, stack] =
    parts.length === 3
      ? parts
      : parts.length === 2
        ? [session.organization, parts[0], parts[1]]
        : [session.organization, session.project, parts[0]];
  const full = `${org}/${project}/${stack}`;
  const chain = session.options.referenceChain ?? [
    `${session.organization}/${session.project}/${session.stack}`,
  ];
  if (chain.includes(full)) {
    throw new Error(`stack reference '${name}' forms a cycle: ${[...chain, full].join(" -> ")}`);
  }
  const searchDirs =
    session.options.projectSearchDirs ??
    [
      session.projectDir ? dirname(session.projectDir) : undefined,
      (() => {
        const root = session.projectDir ? findRepoRoot(session.projectDir) : undefined;
        return root ? join(root, "stacks") : undefined;
      })(),
    ].filter((d): d is string => d !== undefined);
  const dir = findProjectByName(project!, searchDirs);
  if (!dir) {
    throw new Error(
      `stack reference '${name}': no Pulumi project named '${project}' in ${searchDirs.join(", ") || "(no folders)"}` +
        ` and no entry for it under 'stackReferences' in the fixtures`,
    );
  }
  const repoRoot = findRepoRoot(dir);
  const cache = ReferenceCache.forRepo(repoRoot);
  const environment = (session.options as ProgramRunOptions).environment ?? {};
  const key = cache?.key(dir, stack!, org!, session.ctx.account, repoRoot!, environment);
  const cached = key ? cache?.get(key) : undefined;
  if (cached) {
    session.diagnostics.push({
      severity: "debug",
      message: `stack reference '${name}' from the cache (${key})`,
    });
    return cached;
  }
  const record = await runProgram({
    ...session.options,
    projectDir: dir,
    stack: stack!,
    fixtures: undefined,
    configFile: undefined,
    // A referenced stack has its own file: a missing one is the error it always is.
    stackConfigOptional: undefined,
    referenceChain: [...chain, full],
  });
  if (!record.error && key) cache?.set(key, record.outputs);
  if (record.error) {
    throw new Error(
      `stack reference '${name}': the referenced stack failed offline: ${record.error.message}`,
    );
  }
  session.diagnostics.push({ severity: "debug", message: `stack reference '${name}' resolved from ${dir}` });
  return record.outputs;
}

async function synthesize(session: Session, req: SynthesisRequest): Promise<{ id?: string; state: Props }> {
  const { type, name, inputs } = req;
  if (type === "pulumi:pulumi:StackReference") {
    const refName = String(inputs.name ?? name);
    const outputs = await resolveStackReference(session, refName);
    return { id: refName, state: { name: refName, outputs, secretOutputNames: [] } };
  }
  if (type.startsWith("pulumi:providers:")) {
    const id = hex(8, "provider", name);
    if (type === "pulumi:providers:aws") {
      session.providerContexts.set(`${req.urn}::${id}`, providerContext(session, inputs));
    }
    return { id, state: inputs };
  }
  if (type === "awsx:ec2:Vpc") {
    return synthesizeAwsxVpc(name, inputs, contextFor(session, req.providers.aws ?? req.provider, inputs));
  }
  if (req.remote) {
    session.diagnostics.push({
      severity: "warning",
      message: `remote component ${type} ('${name}') is not synthesized offline; its outputs echo its inputs`,
      urn: req.urn,
    });
    return { state: inputs };
  }
  if (!req.custom) return { state: {} };
  if (type.startsWith("aws:"))
    return synthesizeAws(type, name, inputs, contextFor(session, req.provider, inputs));
  return { id: `${name}-${hex(8, type, name)}`, state: inputs };
}

function toRunError(err: unknown): RunError {
  if (err instanceof Error) {
    const field = (err as { field?: unknown }).field;
    return {
      name: err.name,
      message: err.message,
      ...(typeof field === "string" ? { field } : {}),
      ...(err.stack ? { stack: err.stack } : {}),
    };
  }
  return { name: "Error", message: String(err) };
}

const RUNTIME_PREFIX = /^(debug|info|warning|error): \[runtime\] /;

/** Routes what the program prints into diagnostics while it runs. */
function captureConsole(diagnostics: Diagnostic[]): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const sink =
    (fallback: Diagnostic["severity"]) =>
    (...args: unknown[]) => {
      const text = args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
      const m = RUNTIME_PREFIX.exec(text);
      diagnostics.push({
        severity: m ? (m[1] as Diagnostic["severity"]) : fallback,
        message: m ? text.slice(m[0].length) : text,
      });
    };
  console.log = sink("info");
  console.info = sink("info");
  console.warn = sink("warning");
  console.error = sink("error");
  return () => Object.assign(console, saved);
}

let activeFailures: unknown[] | undefined;
const reportedErrors = new WeakSet<object>();
let routerInstalled = false;

/**
 * A program's failure also rejects promises inside Pulumi's runtime that nobody awaits. While a run
 * is active those rejections belong to it; afterwards, the ones already reported as a run's error
 * are dropped, and anything else is rethrown as the process would have.
 */
function installRejectionRouter(): void {
  if (routerInstalled) return;
  routerInstalled = true;
  process.on("unhandledRejection", (reason) => {
    if (activeFailures) {
      activeFailures.push(reason);
      if (reason !== null && typeof reason === "object") reportedErrors.add(reason);
      return;
    }
    if (reason !== null && typeof reason === "object" && reportedErrors.has(reason)) return;
    throw reason;
  });
}

/**
 * When a program fails inside an apply whose value feeds a resource, the resources that wait on it
 * never register and the stack's promise never settles: under the Pulumi CLI the language host
 * exits on the error. Offline, once a failure has been seen and registrations have stopped moving
 * for a moment, the run is over and fails with the first failure.
 */
function stallWatchdog(
  monitor: RecordingMonitor,
  failures: unknown[],
): { failed: Promise<never>; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    let last = -1;
    let quiet = 0;
    timer = setInterval(() => {
      const failure = failures[0] ?? monitor.failures[0]?.error;
      if (failure === undefined) return;
      if (monitor.busy || monitor.activity !== last) {
        last = monitor.activity;
        quiet = 0;
        return;
      }
      if (++quiet >= 4) {
        clearInterval(timer);
        reject(failure);
      }
    }, 25);
  });
  failed.catch(() => undefined);
  return { failed, stop: () => clearInterval(timer) };
}

let queue: Promise<unknown> = Promise.resolve();

/** Pulumi's runtime is process-global: runs in one process take turns. */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

async function execute(
  session: Session,
  config: { values: Record<string, string>; secretKeys: string[]; display: Record<string, string> },
  program: () => unknown,
): Promise<RunRecord> {
  const started = Date.now();
  const monitor = new RecordingMonitor(
    {
      call: (args) => {
        try {
          return answerInvoke(
            args.token,
            args.inputs as Props,
            contextFor(session, args.provider, {}),
            invokeFixtures(session.fixtures),
          );
        } catch (err) {
          // The SDK reports an invoke failure by the gRPC error's `details`.
          throw Object.assign(err as Error, { details: (err as Error).message });
        }
      },
      newResource: async (args) => {
        const r = await synthesize(session, {
          type: args.type,
          name: args.name,
          urn: "",
          inputs: args.inputs as Props,
          custom: args.custom ?? true,
          remote: false,
          provider: args.provider ?? "",
          providers: {},
        });
        return { id: r.id, state: r.state };
      },
    },
    session.project,
    session.stack,
    (req) => synthesize(session, req),
  );
  trimRuntimeDiagnostics();
  const order = new Map<string, number[]>();
  let sequence = 0;
  constructed = (type, name) => {
    const key = `${type}::${name}`;
    order.set(key, [...(order.get(key) ?? []), sequence++]);
  };
  setMockOptions(monitor, session.project, session.stack, false, session.organization);
  const store = getStore();
  store.supportsSecrets = true;
  store.supportsResourceReferences = true;
  store.supportsOutputValues = false;
  store.supportsDeletedWith = true;
  store.supportsAliasSpecs = true;
  store.supportsParameterization = true;
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);

  const diagnostics = session.diagnostics;
  const failures: unknown[] = [];
  installRejectionRouter();
  activeFailures = failures;
  const restoreConsole = captureConsole(diagnostics);
  let error: RunError | undefined;
  const watchdog = stallWatchdog(monitor, failures);
  try {
    const run = (async () => {
      await pulumi.runtime.runInPulumiStack(async () => {
        const exported = await program();
        return typeof exported === "function" ? await (exported as () => unknown)() : exported;
      });
      await waitForRPCs();
      await monitor.idle();
      await new Promise((r) => setImmediate(r));
      await waitForRPCs();
    })();
    await Promise.race([run, watchdog.failed]);
  } catch (err) {
    if (err !== null && typeof err === "object") reportedErrors.add(err);
    error = toRunError(err);
  } finally {
    watchdog.stop();
    constructed = undefined;
    // Late rejections of the same failure (the stack's own promises) still belong to this run.
    await new Promise((r) => setImmediate(r));
    activeFailures = undefined;
    restoreConsole();
  }
  if (!error && monitor.failures.length > 0) {
    const f = monitor.failures[0]!;
    error = toRunError(f.error);
    error.message = `${f.urn}: ${error.message}`;
  }
  if (!error && failures.length > 0) error = toRunError(failures[0]);
  if (error) diagnostics.push({ severity: "error", message: error.message });
  return {
    project: session.project,
    stack: session.stack,
    organization: session.organization,
    region: session.ctx.region,
    account: session.ctx.account,
    config: config.display,
    secretKeys: config.secretKeys,
    resources: inConstructionOrder(monitor.records, order),
    outputs: monitor.stackOutputs,
    diagnostics: diagnostics.filter((d) => d.severity !== "debug"),
    ...(error ? { error } : {}),
    durationMs: Date.now() - started,
  };
}

/** Resources in the order the program constructed them (same type and name: in answer order). */
function inConstructionOrder(records: RecordedResource[], order: Map<string, number[]>): RecordedResource[] {
  const taken = new Map<string, number>();
  const position = records.map((r, i) => {
    const key = `${r.type}::${r.name}`;
    const n = taken.get(key) ?? 0;
    taken.set(key, n + 1);
    return { r, at: order.get(key)?.[n] ?? Number.MAX_SAFE_INTEGER, i };
  });
  return position.sort((a, b) => a.at - b.at || a.i - b.i).map((p) => p.r);
}

function invokeFixtures(f: Fixtures): Record<string, Props> {
  return {
    ...(f.invokes ?? {}),
    ...(f.ssmParameters ? { "aws:ssm/getParameter:getParameter#values": f.ssmParameters } : {}),
    ...(f.releaseRegistry
      ? { "aws:ssm/getParameter:getParameter#releaseRegistry": { host: f.releaseRegistry } }
      : {}),
  };
}

/** A program runs again on the next run: drop its own modules (not its dependencies) from the cache. */
function forgetModulesUnder(dir: string): void {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  for (const key of Object.keys(require.cache)) {
    // The program's own modules, not its dependencies (a project may itself sit below a node_modules).
    if (key.startsWith(prefix) && !key.slice(prefix.length).includes("node_modules/"))
      delete require.cache[key];
  }
}

let diagnosticsTrimmed = false;

/**
 * Pulumi's runtime captures a formatted stack trace for every promise it creates (to report leaked
 * promises when the process exits) and for every resource (its source position, shown by the
 * Pulumi Cloud console). Offline runs use neither, and on a stack of 900 resources they were most
 * of the run's time. The promises behave exactly as before: same values, same errors.
 */
function trimRuntimeDiagnostics(): void {
  if (diagnosticsTrimmed) return;
  diagnosticsTrimmed = true;
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
  };
  debuggable.debuggablePromise = (p) => p;
  (pulumi.Resource as unknown as { stackTrace: () => unknown[] }).stackTrace = () => [];

  // The order in which the program constructs resources: the record follows it, so two runs of
  // a program list their resources alike however long each registration takes to answer.
  const runtime = require("@pulumi/pulumi/runtime/resource") as Record<
    "registerResource" | "readResource",
    (...args: unknown[]) => unknown
  >;
  for (const fn of ["registerResource", "readResource"] as const) {
    const original = runtime[fn];
    runtime[fn] = (...args: unknown[]) => {
      constructed?.(String(args[2]), String(args[3]));
      return original(...args);
    };
  }
}

/** Called with (type, name) as the program constructs each resource, while a run is active. */
let constructed: ((type: string, name: string) => void) | undefined;

let tsRegistered: "tsx" | "pulumi" | undefined;

function registerTypeScript(loader: "tsx" | "pulumi", projectDir: string): void {
  if (tsRegistered) {
    if (tsRegistered !== loader)
      throw new Error(`this process loads TypeScript with ${tsRegistered}, not ${loader}`);
    return;
  }
  tsRegistered = loader;
  if (loader === "pulumi") {
    registerLikePulumi(projectDir);
    return;
  }
  // tsx transpiles TypeScript the way the program's own tsconfig says, without type checking
  // (`pnpm typecheck` does that), so the program runs exactly as written.
  require("tsx/cjs/api").register();
  // tsx turns Node's source maps on. Pulumi's runtime formats a stack trace for every promise and
  // every resource it registers; mapping each through source maps tripled the time of a large run.
  // Offline reports never show those traces, so keep them off unless asked (BERTH_SOURCE_MAPS=1).
  if (process.env.BERTH_SOURCE_MAPS !== "1") process.setSourceMapsEnabled(false);
}

/** ts-node registered the way @pulumi/pulumi's cmd/run/run.js does it for a CommonJS project. */
function registerLikePulumi(projectDir: string): void {
  const tsutils = require("@pulumi/pulumi/tsutils") as {
    typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
    loadTypeScriptCompilerOptions(path: string): Record<string, unknown>;
  };
  const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json";
  const compilerOptions = tsutils.loadTypeScriptCompilerOptions(join(projectDir, tsConfigPath));
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  const ts = require(typescriptRequire) as { version: string };
  const [major, minor] = ts.version.split(".").map(Number) as [number, number];
  const useNodeNext = major > 4 || (major === 4 && minor >= 7);
  const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  (require(tsnodeRequire) as { register(o: unknown): void }).register({
    compiler: typescriptRequire,
    transpileOnly: transpileOnlyEnv ? transpileOnlyEnv === "true" : compilerOptions.noCheck,
    project: join(projectDir, tsConfigPath),
    skipProject: !existsSync(join(projectDir, tsConfigPath)),
    compilerOptions: {
      target: "ES2020",
      module: useNodeNext ? "nodenext" : "commonjs",
      moduleResolution: useNodeNext ? "nodenext" : "node",
      sourceMap: "true",
      ...compilerOptions,
    },
  });
}

/**
 * Runs a Pulumi program in this process, as the Pulumi CLI would: reads Pulumi.yaml and the stack's
 * config, loads the entry the CLI would load (TypeScript included), and records every resource.
 * The process should be fresh: Pulumi's runtime state and the module cache are process-wide.
 */
export function runProgramInProcess(opts: ProgramRunOptions): Promise<RunRecord> {
  return serialized(async () => {
    try {
      return await runLoaded(opts);
    } catch (err) {
      // The project or its config could not be loaded: nothing ran.
      const error = toRunError(err);
      return {
        project: "",
        stack: opts.stack,
        organization: opts.organization ?? DEFAULT_ORG,
        region: "",
        account: opts.account ?? DEFAULT_ACCOUNT,
        config: {},
        secretKeys: [],
        resources: [],
        outputs: {},
        diagnostics: [{ severity: "error", message: error.message }],
        error,
        durationMs: 0,
      };
    }
  });
}

async function runLoaded(opts: ProgramRunOptions): Promise<RunRecord> {
  {
    const project = loadProject(opts.projectDir);
    const fixtures = loadFixtures(opts.fixtures, project.dir);
    const config = loadStackConfig(
      project,
      opts.stack,
      fixtures.secrets,
      opts.configFile,
      opts.stackConfigOptional,
    );
    const region = config.values["aws:region"];
    const session = newSession(
      project.name,
      opts.stack,
      region,
      fixtures,
      opts,
      config.warnings,
      project.dir,
    );
    const entry = resolveEntry(project);
    if (project.runtime.options.typescript !== false) registerTypeScript(opts.loader ?? "tsx", project.dir);
    const cwd = process.cwd();
    // The file the run's config came from, for programs whose errors name it (@berth/core's
    // readStackConfig reads BERTH_CONFIG_FILE; `pulumi preview --config-file` users set it too).
    const variables = {
      ...(opts.environment ?? {}),
      ...(config.file ? { [CONFIG_FILE_ENV]: config.file } : {}),
    };
    const before = Object.fromEntries(Object.keys(variables).map((k) => [k, process.env[k]]));
    Object.assign(process.env, variables);
    runVariablesBefore = before;
    process.chdir(project.dir);
    try {
      forgetModulesUnder(project.dir);
      return await execute(session, config, () => require(entry));
    } finally {
      process.chdir(cwd);
      runVariablesBefore = undefined;
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }
}

/**
 * Runs a function that creates resources (a component, a piece of a stack) under the offline
 * engine, in this process. Runs take turns; each gets a fresh monitor and config.
 */
export function runInline(program: () => unknown, opts: InlineRunOptions = {}): Promise<RunRecord> {
  return serialized(async () => {
    const project = opts.project ?? "berth-test";
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.config ?? {}))
      values[k] = typeof v === "string" ? v : JSON.stringify(v);
    const secretKeys = opts.secretKeys ?? [];
    const display = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, secretKeys.includes(k) ? "[secret]" : v]),
    );
    const session = newSession(
      project,
      opts.stack ?? "test",
      values["aws:region"],
      loadFixtures(opts.fixtures),
      opts,
      [],
    );
    return execute(session, { values, secretKeys, display }, program);
  });
}

/**
 * Runs a Pulumi program offline in a child process (Pulumi's runtime is process-global), and
 * returns the record of the run. Never rejects for a failing program: the failure is in
 * `record.error`.
 *
 * The child processes are kept and reused (see {@link WorkerPool}): loading the Pulumi SDKs is
 * most of a small run's time, and a test file runs many programs. At most
 * `BERTH_ENGINE_WORKERS` (default: one per spare core, at least one) run at once; further runs
 * wait their turn instead of competing for the cores.
 */
export function runProgram(opts: ProgramRunOptions): Promise<RunRecord> {
  const run = { ...opts, projectDir: resolve(opts.projectDir) };
  // The CLI's loader hooks TypeScript differently: a process of its own, never reused.
  return opts.loader === "pulumi" ? new WorkerPool(1, false).run(run) : programWorkers().run(run);
}

let pool: WorkerPool | undefined;
function programWorkers(): WorkerPool {
  if (!pool) {
    const configured = Number(process.env.BERTH_ENGINE_WORKERS);
    const size =
      Number.isInteger(configured) && configured > 0 ? configured : Math.max(1, availableParallelism() - 1);
    pool = new WorkerPool(size);
  }
  return pool;
}

/**
 * Child processes that each run one program at a time, reused from run to run. A child is kept
 * only after a run that cannot have left anything behind in its runtime: one that succeeded, or
 * one that failed before it registered any resource (bad config, bad arguments: the checks run
 * first). A child whose program failed midway is ended, so a late rejection of that program can
 * never land in the next run. Idle children do not keep the parent alive, and end when it does.
 */
class WorkerPool {
  private readonly idle: ChildProcess[] = [];
  private readonly waiting: (() => void)[] = [];
  private busy = 0;

  constructor(
    private readonly size: number,
    private readonly reuse = true,
  ) {}

  async run(opts: ProgramRunOptions): Promise<RunRecord> {
    if (this.busy >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.busy++;
    const child = this.idle.pop() ?? spawnWorker();
    holdParent(child, true);
    try {
      const record = await runOn(child, opts);
      if (this.reuse && reusable(record)) {
        holdParent(child, false);
        this.idle.push(child);
      } else {
        child.kill();
      }
      return record;
    } catch (err) {
      child.kill();
      throw err;
    } finally {
      this.busy--;
      this.waiting.shift()?.();
    }
  }
}

function reusable(record: RunRecord): boolean {
  return !record.error || record.resources.every((r) => r.type === "pulumi:pulumi:Stack");
}

/** The process variables the run in progress replaced (their values before it), if one is running. */
let runVariablesBefore: Record<string, string | undefined> | undefined;

function spawnWorker(): ChildProcess {
  // Built: dist/worker.js. From sources (this package's own tests): worker.ts through tsx.
  const built = join(__dirname, "worker.js");
  const [worker, execArgv] = existsSync(built)
    ? [built, []]
    : [join(__dirname, "worker.ts"), ["--require", require.resolve("tsx/cjs")]];
  // A child may be spawned during a run (a stack reference) and then serve later runs: it starts
  // with the environment as it is between runs, never with this run's variables (BERTH_APPS_DIR…),
  // which each run passes on explicitly.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const [k, v] of Object.entries(runVariablesBefore ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = fork(worker, [], { stdio: ["ignore", "pipe", "pipe", "ipc"], env, execArgv });
  child.stdout?.on("data", () => undefined);
  // A child that is never used again must not make its parent wait for it.
  child.on("error", () => undefined);
  return child;
}

/** Whether a child (its process, IPC channel and pipes) keeps the parent's event loop alive. */
function holdParent(child: ChildProcess, hold: boolean): void {
  const handles = [child, child.channel, child.stdout, child.stderr] as ({
    ref?(): void;
    unref?(): void;
  } | null)[];
  for (const h of handles) {
    if (hold) h?.ref?.();
    else h?.unref?.();
  }
}

function runOn(child: ChildProcess, opts: ProgramRunOptions): Promise<RunRecord> {
  return new Promise((resolvePromise, reject) => {
    let stderr = "";
    const onStderr = (d: unknown) => {
      stderr = (stderr + String(d)).slice(-16_384);
    };
    const done = () => {
      child.stderr?.off("data", onStderr);
      child.off("message", onMessage);
      child.off("exit", onExit);
      child.off("error", onError);
    };
    const onMessage = (msg: unknown) => {
      done();
      resolvePromise(msg as RunRecord);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(
        new Error(
          `offline run of ${opts.projectDir} (${opts.stack}) exited with ${code ?? signal}: ${stderr.trim()}`,
        ),
      );
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    child.stderr?.on("data", onStderr);
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.on("error", onError);
    child.send(opts);
  });
}
