import { join, resolve } from "node:path";
import { loadCatalogue, ManifestError } from "@berth/core";
import { type ProgramRunOptions, type RunRecord, runProgram, runProgramInProcess } from "@berth/testing";
import { UsageError } from "./errors.js";
import { reportFailure } from "./failure.js";
import type { Io, PreviewOptions } from "./main.js";
import { toPreviewDigest } from "./preview-json.js";
import { renderMarkdown, renderText } from "./render.js";
import {
  APPS_DIR,
  appsDirOf,
  checkEnvironment,
  PLATFORM_DIR,
  platformEnvironments,
  repositoryRoot,
  SERVICE_DIR,
} from "./repo.js";
import { reportManifestError } from "./services-command.js";
import { styleFor } from "./style.js";

/** The Pulumi project of every service stack (`stacks/service`). */
export const SERVICE_PROJECT = "berth-service";
/** The Pulumi project of the environments (`stacks/platform`). */
export const PLATFORM_PROJECT = "berth-platform";

/** One stack to preview: where its program is and how the engine runs it. */
export interface StackTarget {
  /** How reports and the summary name it: `<project>/<stack>`. */
  label: string;
  run: ProgramRunOptions;
}

/** A service's stack in an environment: `<env>.<service>` of stacks/service, with no stack file. */
export function serviceStack(root: string, env: string, service: string): StackTarget {
  return {
    label: `${SERVICE_PROJECT}/${env}.${service}`,
    run: { projectDir: join(root, SERVICE_DIR), stack: `${env}.${service}`, stackConfigOptional: true },
  };
}

/** An environment's platform stack: `<env>` of stacks/platform, configured by Pulumi.<env>.yaml. */
export function platformStack(root: string, env: string): StackTarget {
  return { label: `${PLATFORM_PROJECT}/${env}`, run: { projectDir: join(root, PLATFORM_DIR), stack: env } };
}

/**
 * The stacks `berth preview --env <env> [--service <name>]` runs: the one service's, or the
 * platform's and then every service's of the catalogue. Throws {@link UsageError} for an unknown
 * environment or service, {@link ManifestError} for an invalid catalogue.
 */
export function stacksToPreview(
  root: string,
  env: string,
  service?: string,
  appsDir = appsDirOf(root, process.env),
): StackTarget[] {
  const environments = platformEnvironments(root);
  checkEnvironment(env, environments);
  const catalogue = loadCatalogue(appsDir, { environments });
  const names = catalogue.services.filter((s) => s.environments[env] !== undefined).map((s) => s.name);
  if (service !== undefined) {
    if (!names.includes(service)) {
      throw new UsageError(
        `--service '${service}' is not in the catalogue (${APPS_DIR}/*/berth.yaml): ${names.join(", ") || "no services"}`,
      );
    }
    return [serviceStack(root, env, service)];
  }
  return [platformStack(root, env), ...names.map((name) => serviceStack(root, env, name))];
}

function checkCombination(opts: PreviewOptions): string {
  if (opts.stack !== undefined) {
    throw new UsageError(
      "-s picks one stack of the -C project; --env and --service pick stacks by name: give one",
    );
  }
  if (opts.env === undefined)
    throw new UsageError("--service needs --env <env>: a service has a stack per environment");
  if (opts.service === undefined) {
    for (const [flag, given] of [
      ["--config-file", opts.configFile],
      ["--fixtures", opts.fixtures],
    ] as const) {
      if (given !== undefined) {
        throw new UsageError(`${flag} applies to one stack: use it with --service, or with -C and -s`);
      }
    }
  }
  return opts.env;
}

function created(record: RunRecord): number {
  return record.resources.filter((r) => !r.read).length;
}

/** `berth preview --env <env> [--service <name>]`. */
export async function previewStacks(opts: PreviewOptions, io: Io): Promise<number> {
  const env = checkCombination(opts);
  const root = repositoryRoot(opts.cwd);
  let targets: StackTarget[];
  try {
    targets = stacksToPreview(root, env, opts.service, appsDirOf(root, io.env));
  } catch (err) {
    if (err instanceof ManifestError) return reportManifestError(err, io);
    throw err;
  }
  const extra = {
    ...(opts.fixtures ? { fixtures: resolve(opts.fixtures) } : {}),
    ...(opts.configFile ? { configFile: resolve(opts.configFile) } : {}),
    // The programs read the catalogue the CLI read.
    ...(io.env.BERTH_APPS_DIR ? { environment: { BERTH_APPS_DIR: io.env.BERTH_APPS_DIR } } : {}),
  };
  if (targets.length === 1) {
    // One stack: as `-s` does, in this process.
    const record = await runProgramInProcess({ ...targets[0]!.run, ...extra });
    return report(record, opts, io, targets[0]!.label, false) ? 0 : 1;
  }
  // Several: each in the engine's worker processes (a failing program never shares a runtime with
  // the next one), as many at once as the engine allows; the reports come out in order.
  const runs = targets.map((t) => runProgram({ ...t.run, ...extra }));
  const records: RunRecord[] = [];
  if (opts.json) {
    for (const run of runs) records.push(await run);
    const doc = {
      stacks: records.map((record, i) => ({
        stack: targets[i]!.label,
        ok: !record.error,
        preview: toPreviewDigest(record),
      })),
    };
    io.stdout.write(`${JSON.stringify(doc, null, 4)}\n`);
    records.forEach((r, i) => {
      if (r.error) reportFailure(r, io, opts.debug, targets[i]!.label);
    });
  } else {
    for (const [i, run] of runs.entries()) {
      const record = await run;
      records.push(record);
      if (i > 0) io.stdout.write("\n");
      report(record, opts, io, targets[i]!.label);
    }
    io.stdout.write(summary(records, targets, opts, io));
  }
  return records.some((r) => r.error) ? 1 : 0;
}

/** Writes one stack's report; false when its program failed. */
function report(record: RunRecord, opts: PreviewOptions, io: Io, label: string, several = true): boolean {
  if (opts.json) io.stdout.write(`${JSON.stringify(toPreviewDigest(record), null, 4)}\n`);
  else if (opts.format === "markdown") io.stdout.write(renderMarkdown(record));
  else if (!record.error) io.stdout.write(renderText(record, styleFor(io.stdout, io.env)));
  else if (several)
    io.stdout.write(`Previewing update (${record.stack}) of ${label.split("/")[0]}: failed\n`);
  if (record.error) reportFailure(record, io, opts.debug, label);
  return !record.error;
}

/** The closing lines: one per stack, ok or failed, and what it would create. */
function summary(records: RunRecord[], targets: StackTarget[], opts: PreviewOptions, io: Io): string {
  const failed = records.filter((r) => r.error).length;
  const head = `${records.length} stacks, ${records.length - failed} ok, ${failed} failed`;
  if (opts.format === "markdown") {
    const rows = records.map((r, i) => {
      const result = r.error ? "❌ failed" : "✅ ok";
      const detail = r.error
        ? r.error.message.split("\n")[0]!.replace(/\|/g, "\\|")
        : `+${created(r)} to create`;
      return `| \`${targets[i]!.label}\` | ${result} | ${detail} |`;
    });
    const marker = `<!-- berth-preview-summary:${targets[0]?.label ?? ""} -->`;
    return [
      "",
      marker,
      `### Offline preview summary: ${head}`,
      "",
      "| Stack | Result | Plan |",
      "| --- | --- | --- |",
      ...rows,
      "",
    ].join("\n");
  }
  const style = styleFor(io.stdout, io.env);
  const width = Math.max(...targets.map((t) => t.label.length));
  const lines = records.map((r, i) => {
    const label = targets[i]!.label.padEnd(width);
    return r.error
      ? `  ${style.red("failed")}  ${label}  ${r.error.message.split("\n")[0]}`
      : `  ${style.green("ok    ")}  ${label}  +${created(r)} to create`;
  });
  return ["", `Summary: ${head}`, ...lines, ""].join("\n");
}
