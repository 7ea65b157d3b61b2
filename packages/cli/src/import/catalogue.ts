import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { MANIFEST_FILE } from "@berth/core";
import { UsageError } from "../errors.js";
import { stripDefaults, stripResource } from "./defaults.js";
import { type Comment, type ManifestDraft, render } from "./draft.js";
import type { Report } from "./report.js";

/** The file of resources several services use, next to the service folders. */
export const SHARED_FILE = "berth.shared.yaml";
/** The import report, next to the service folders. */
export const REPORT_FILE = "IMPORT-REPORT.md";

/** Resources shared by several services: `apps/berth.shared.yaml`. */
export class SharedDraft {
  readonly resources: Record<string, Record<string, unknown>> = {};
  readonly comments = new Map<string, Comment>();
  readonly header: string[] = [];

  toYaml(): string {
    const resources = Object.fromEntries(
      Object.entries(this.resources).map(([n, r]) => [n, stripResource(n, r)]),
    );
    return render({ resources }, this.comments, this.header);
  }
}

/** What an import produces: a manifest per service, and maybe shared resources. */
export interface Catalogue {
  drafts: ManifestDraft[];
  shared?: SharedDraft;
}

export interface WriteOptions {
  /** The folder of the service folders (`apps`). */
  outDir: string;
  /** The manifest JSON Schema, for the first line of each manifest (`# yaml-language-server: $schema=…`). */
  schemaFile: string | undefined;
}

/** The files an import would write, absolute. */
export function plannedFiles(cat: Catalogue, outDir: string): string[] {
  return [
    ...cat.drafts.map((d) => join(outDir, d.name, MANIFEST_FILE)),
    ...(cat.shared ? [join(outDir, SHARED_FILE)] : []),
    join(outDir, REPORT_FILE),
  ];
}

/** Refuses to overwrite: every file that already exists, in one message (nothing is written). */
export function checkFree(files: string[], cwd: string): void {
  const existing = files.filter((f) => existsSync(f));
  if (existing.length) {
    throw new UsageError(
      `will not overwrite ${existing.map((f) => relativeTo(cwd, f)).join(", ")}: move ${existing.length === 1 ? "it" : "them"} away or choose another --out; nothing was written`,
    );
  }
}

/** Writes the manifests, the shared file and the report; returns the files written, absolute. */
export function writeCatalogue(cat: Catalogue, report: Report, opts: WriteOptions, cwd: string): string[] {
  const written: string[] = [];
  const write = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(file);
  };
  for (const d of cat.drafts) {
    const dir = join(opts.outDir, d.name);
    const stripped = stripDefaults(d.kind, d.body);
    for (const k of Object.keys(d.body)) delete d.body[k];
    Object.assign(d.body, stripped);
    const schema = opts.schemaFile
      ? posix(relative(dir, opts.schemaFile))
      : "../../schemas/berth-manifest.schema.json";
    write(join(dir, MANIFEST_FILE), d.toYaml(schema));
  }
  if (cat.shared) write(join(opts.outDir, SHARED_FILE), cat.shared.toYaml());
  for (const f of [...written, join(opts.outDir, REPORT_FILE)]) report.written.push(relativeTo(cwd, f));
  write(join(opts.outDir, REPORT_FILE), report.markdown());
  return written;
}

function posix(p: string): string {
  return p.split(sep).join("/");
}

export function relativeTo(cwd: string, file: string): string {
  const r = relative(cwd, file);
  return posix(r && !r.startsWith("..") ? r : file);
}
