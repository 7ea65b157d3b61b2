import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

/**
 * Outputs of referenced stacks, kept between offline runs. Resolving a StackReference means running
 * the referenced program in a process of its own, which loads the Pulumi SDKs a second time; the
 * outputs only change when that program, its config, the packages it loads or this engine change,
 * so they are reused until one of those files changes (by path, size and modification time).
 * `BERTH_NO_CACHE=1` turns it off.
 */
export class ReferenceCache {
  constructor(private readonly dir: string) {}

  static forRepo(repoRoot: string | undefined): ReferenceCache | undefined {
    if (process.env.BERTH_NO_CACHE === "1" || !repoRoot) return undefined;
    return new ReferenceCache(join(repoRoot, "node_modules", ".cache", "berth", "stack-references"));
  }

  /** The key of a referenced stack's run: what it runs, with which config, on which engine. */
  key(
    projectDir: string,
    stack: string,
    organization: string,
    account: string,
    repoRoot: string,
    environment: Record<string, string> = {},
  ): string {
    const h = createHash("sha256");
    h.update(`${stack}\0${organization}\0${account}\0`);
    for (const k of Object.keys(environment).sort()) h.update(`env\0${k}\0${environment[k]}\0`);
    const visit = (path: string, skip: (name: string) => boolean) => {
      if (!existsSync(path)) return;
      const st = statSync(path);
      if (st.isDirectory()) {
        for (const name of readdirSync(path).sort()) if (!skip(name)) visit(join(path, name), skip);
      } else {
        // Contents, not times: a checkout or a copy can keep a changed file's modification time.
        h.update(`${path}\0${st.size}\0`);
        h.update(readFileSync(path));
      }
    };
    visit(projectDir, (n) => n === "node_modules" || n.startsWith("."));
    // The workspace packages the program loads, as built.
    const scope = join(projectDir, "node_modules", "@berth");
    if (existsSync(scope)) {
      for (const pkg of readdirSync(scope).sort())
        visit(join(realpathSync(join(scope, pkg)), "dist"), () => false);
    }
    visit(join(repoRoot, "pnpm-lock.yaml"), () => false);
    // The service catalogue (apps/*/berth.yaml, or the folder BERTH_APPS_DIR names): the platform
    // and shared stacks read it, so their outputs change with it.
    const apps = environment.BERTH_APPS_DIR ?? join(repoRoot, "apps");
    if (existsSync(apps)) {
      for (const entry of readdirSync(apps).sort()) {
        // A service's manifest, or a catalogue file beside them (apps/berth.shared.yaml).
        const path = join(apps, entry);
        visit(statSync(path).isDirectory() ? join(path, "berth.yaml") : path, () => false);
      }
    }
    visit(__dirname, (n) => !n.endsWith(".js"));
    return h.digest("hex");
  }

  get(key: string): Record<string, unknown> | undefined {
    const file = join(this.dir, `${key}.json`);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  set(key: string, outputs: Record<string, unknown>): void {
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${key}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(outputs));
    renameSync(tmp, file);
  }
}
