import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { ImportError } from "../errors.js";
import { entry, fmt, get, isLMap, type LMap, type Position, parseYaml, text } from "../located.js";

/** A service or job of a Copilot workspace: `copilot/<name>/manifest.yml`. */
export interface CopilotService {
  /** The folder under copilot/. */
  dir: string;
  /** The manifest as shown: `copilot/api/manifest.yml`. */
  shown: string;
  node: LMap;
  /** `name`, else the folder's name. */
  name: string;
  /** `type`: Load Balanced Web Service, Backend Service, Worker Service, Scheduled Job … */
  type: string;
  typeAt: Position;
  /** CloudFormation addons next to the manifest (`addons/*.yml`), as shown. */
  addons: { file: string; types: string[] }[];
}

/** An environment of the workspace: `copilot/environments/<name>/manifest.yml`. */
export interface CopilotEnvironment {
  name: string;
  shown: string;
  node: LMap | undefined;
}

export interface CopilotWorkspace {
  /** The copilot/ folder as shown. */
  shown: string;
  /** The workspace root (the folder holding copilot/): image and env_file paths are relative to it. */
  root: string;
  application?: string;
  /** Where `copilot/.workspace` names the application. */
  applicationAt?: Position;
  environments: CopilotEnvironment[];
  services: CopilotService[];
  /** Pipeline manifests (`copilot/pipelines/*`), as shown. */
  pipelines: string[];
  /** Shows a path relative to the working folder. */
  shownOf(path: string): string;
}

/**
 * Reads a Copilot workspace: the folder holding `copilot/`, or `copilot/` itself. Every service
 * and job manifest (`copilot/<name>/manifest.yml`), the environments
 * (`copilot/environments/<env>/manifest.yml`) and the application's name (`copilot/.workspace`).
 */
export function loadCopilot(dir: string, opts: { cwd: string }): CopilotWorkspace {
  const abs = resolve(opts.cwd, dir);
  if (!existsSync(abs)) throw new UsageError(`${dir}: no such folder`);
  if (!statSync(abs).isDirectory()) {
    throw new UsageError(`${dir} is a file; give the workspace folder (the one holding copilot/)`);
  }
  const shownOf = (p: string) => {
    const r = relative(opts.cwd, p);
    return r === "" ? "." : r && !r.startsWith("..") && !isAbsolute(r) ? r : p;
  };
  const nested = join(abs, "copilot");
  const copilotDir =
    existsSync(nested) && statSync(nested).isDirectory()
      ? nested
      : basename(abs) === "copilot" || existsSync(join(abs, ".workspace"))
        ? abs
        : undefined;
  if (!copilotDir) {
    throw new ImportError(
      `${dir} is not a Copilot workspace: it has no copilot/ folder (copilot/.workspace, copilot/<service>/manifest.yml)`,
    );
  }
  const root = dirname(copilotDir);
  const ws: CopilotWorkspace = {
    shown: shownOf(copilotDir),
    root,
    environments: [],
    services: [],
    pipelines: [],
    shownOf,
  };
  const workspaceFile = join(copilotDir, ".workspace");
  if (existsSync(workspaceFile)) {
    const node = parseYaml(readFileSync(workspaceFile, "utf8"), shownOf(workspaceFile));
    const app = entry(isLMap(node) ? node : undefined, "application");
    const name = text(app?.value);
    if (app && name) {
      ws.application = name;
      ws.applicationAt = app.at;
    }
  }
  for (const d of readdirSync(copilotDir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!d.isDirectory()) continue;
    if (d.name === "environments") {
      for (const e of readdirSync(join(copilotDir, d.name), { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        const file = join(copilotDir, d.name, e.name, "manifest.yml");
        const node = existsSync(file) ? parseYaml(readFileSync(file, "utf8"), shownOf(file)) : undefined;
        ws.environments.push({
          name: text(get(node, "name")) ?? e.name,
          shown: shownOf(file),
          node: isLMap(node) ? node : undefined,
        });
      }
      ws.environments.sort((a, b) => a.name.localeCompare(b.name));
      continue;
    }
    if (d.name === "pipelines") {
      ws.pipelines.push(shownOf(join(copilotDir, d.name)));
      continue;
    }
    const file = ["manifest.yml", "manifest.yaml"].map((f) => join(copilotDir, d.name, f)).find(existsSync);
    if (!file) continue;
    const shown = shownOf(file);
    const node = parseYaml(readFileSync(file, "utf8"), shown);
    if (!isLMap(node))
      throw new ImportError(`${shown} is not a Copilot manifest: it is not a map of settings`);
    const type = entry(node, "type");
    if (!type || !text(type.value)) {
      throw new ImportError(
        `${fmt(node)}: ${shown} is not a Copilot manifest: it has no type (Load Balanced Web Service, Backend Service, Worker Service, Request-Driven Web Service, Scheduled Job)`,
      );
    }
    const addonsDir = join(copilotDir, d.name, "addons");
    const addons = existsSync(addonsDir)
      ? readdirSync(addonsDir)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => ({
            file: shownOf(join(addonsDir, f)),
            // CloudFormation YAML has tags (!Ref) a plain parser refuses: the resource types are enough.
            types: [
              ...new Set(
                [
                  ...readFileSync(join(addonsDir, f), "utf8").matchAll(
                    /^\s*Type:\s*['"]?(AWS::[A-Za-z0-9:]+)/gm,
                  ),
                ].map((m) => m[1]!),
              ),
            ],
          }))
      : [];
    ws.services.push({
      dir: d.name,
      shown,
      node,
      name: text(get(node, "name")) ?? d.name,
      type: text(type.value)!,
      typeAt: type.at,
      addons,
    });
  }
  if (ws.services.length === 0) {
    throw new ImportError(
      `${dir} is not a Copilot workspace with services: ${ws.shown} has no <service>/manifest.yml`,
    );
  }
  return ws;
}
