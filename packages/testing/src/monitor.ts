// biome-ignore-all lint/suspicious/noExplicitAny: the SDK hands the monitor untyped protobuf requests
import { createRequire } from "node:module";
import type { Mocks } from "@pulumi/pulumi/runtime/mocks";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import type { Props } from "./aws.js";
import { type RecordedResource, SECRET_PLACEHOLDER, STACK_TYPE } from "./record.js";

// The protobuf classes the Pulumi SDK speaks; loaded from the SDK's own dependency tree.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/runtime/mocks"));
const structproto = sdkRequire("google-protobuf/google/protobuf/struct_pb");
const resproto = sdkRequire("../proto/resource_pb");

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Turns the wire form of properties into plain JSON: secrets masked (their paths collected) or
 * revealed, resource references as URNs, assets and archives as small descriptors.
 */
export function unwrap(value: unknown, mode: "mask" | "reveal", path = "", secrets: string[] = []): unknown {
  if (value === UNKNOWN) return "[unknown]";
  if (Array.isArray(value)) return value.map((v, i) => unwrap(v, mode, `${path}[${i}]`, secrets));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    switch (obj[SIG]) {
      case SECRET_SIG:
        secrets.push(path);
        return mode === "mask" ? SECRET_PLACEHOLDER : unwrap(obj.value, mode, path, []);
      case RESOURCE_SIG:
        return obj.urn;
      case ASSET_SIG:
        return { asset: obj.path ?? obj.uri ?? (obj.text === undefined ? undefined : "<text>") };
      case ARCHIVE_SIG:
        return { archive: obj.path ?? obj.uri ?? Object.keys((obj.assets as object | undefined) ?? {}) };
      case OUTPUT_SIG: {
        if (obj.secret === true) {
          secrets.push(path);
          if (mode === "mask") return SECRET_PLACEHOLDER;
        }
        return "value" in obj ? unwrap(obj.value, mode, path, secrets) : "[unknown]";
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = unwrap(v, mode, path ? `${path}.${k}` : k, secrets);
    return out;
  }
  return value;
}

/** Writes the placeholder at each path (paths as produced by {@link unwrap}). */
function maskPaths(obj: Record<string, unknown>, paths: string[]): void {
  for (const path of paths) {
    const parts = path.match(/[^.[\]]+/g) ?? [];
    let cur: Record<string, unknown> | undefined = obj;
    for (let i = 0; i < parts.length - 1 && cur; i++)
      cur = cur[parts[i]!] as Record<string, unknown> | undefined;
    const last = parts[parts.length - 1];
    if (cur && last !== undefined && last in cur) cur[last] = SECRET_PLACEHOLDER;
  }
}

export interface SynthesisRequest {
  type: string;
  name: string;
  urn: string;
  inputs: Props;
  custom: boolean;
  remote: boolean;
  provider: string;
  /** Providers by package a remote component was given (`{ aws: <provider reference> }`). */
  providers: Record<string, string>;
}

export type Synthesizer = (req: SynthesisRequest) => Promise<{ id?: string; state: Props }>;

interface PendingOutputs {
  urn: string;
  outputs: Record<string, unknown>;
}

/**
 * Pulumi's mock monitor, extended to record everything a program registers — parent, provider,
 * dependencies, options and real-format URNs — and to answer with synthesized cloud state.
 */
export class RecordingMonitor extends MockMonitor {
  readonly records: RecordedResource[] = [];
  readonly failures: { urn: string; error: Error }[] = [];
  stackOutputs: Record<string, unknown> = {};
  private inflight = 0;
  /** Counts registrations started and finished: a failed run that stops moving is over. */
  activity = 0;

  /** True while a registration or read is being answered. */
  get busy(): boolean {
    return this.inflight > 0;
  }
  private idleWaiters: (() => void)[] = [];
  private readonly pendingOutputs: PendingOutputs[] = [];

  constructor(
    mocks: Mocks,
    private readonly project: string,
    private readonly stack: string,
    private readonly synthesize: Synthesizer,
  ) {
    super(mocks);
  }

  private urnFor(parent: string, type: string, name: string): string {
    let qualified = type;
    if (parent) {
      const parentType = parent.split("::")[2] ?? "";
      if (parentType !== STACK_TYPE) qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
  }

  /** Resolves once no registration is in flight. */
  idle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Answers one monitor request: counts it while in flight, hands the response or the failure to
   * the SDK (which reports failures by the gRPC error's `details`) and remembers failures.
   */
  private async answer(urn: string, callback: (err: any, resp: any) => void, work: () => Promise<unknown>) {
    this.inflight++;
    this.activity++;
    try {
      callback(null, await work());
    } catch (err) {
      this.failures.push({ urn, error: err as Error });
      callback(Object.assign(err as Error, { details: (err as Error).message }), undefined);
    } finally {
      this.inflight--;
      this.activity++;
      if (this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  override async registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string = req.getParent();
    const urn = this.urnFor(parent, type, name);
    await this.answer(urn, callback, async () => {
      const raw = req.getObject()?.toJavaScript() ?? {};
      const secretPaths: string[] = [];
      const inputs = unwrap(raw, "mask", "", secretPaths) as Record<string, unknown>;
      const plainInputs = unwrap(raw, "reveal") as Props;
      const custom: boolean = req.getCustom();
      const remote: boolean = req.getRemote();
      const result = await this.synthesize({
        type,
        name,
        urn,
        inputs: plainInputs,
        custom,
        remote,
        provider: req.getProvider(),
        providers: Object.fromEntries(req.getProvidersMap().toArray() as [string, string][]),
      });
      const serialized = await serializeProperties("", result.state);
      this.resources.set(urn, { urn, id: result.id ?? null, state: serialized });

      const outputs = unwrap(structproto.Struct.fromJavaScript(serialized).toJavaScript(), "mask") as Record<
        string,
        unknown
      >;
      const additionalSecrets: string[] = req.getAdditionalsecretoutputsList();
      maskPaths(outputs, [...secretPaths, ...additionalSecrets]);

      const propertyDependencies: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        propertyDependencies[key] = deps.getUrnsList();
      });
      const timeouts = req.getCustomtimeouts();
      const pkg = type.split(":")[0];
      const provider: string =
        req.getProvider() ||
        (custom && !type.startsWith("pulumi:")
          ? `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:${pkg}::default::offline-default-${pkg}`
          : "");
      const record: RecordedResource = {
        urn,
        type,
        name,
        custom,
        ...(parent ? { parent } : {}),
        ...(provider ? { provider } : {}),
        ...(result.id ? { id: result.id } : {}),
        inputs,
        outputs: custom || remote ? outputs : {},
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        options: Object.fromEntries(
          Object.entries({
            protect: req.getProtect?.() || undefined,
            retainOnDelete: req.getRetainondelete?.() || undefined,
            deleteBeforeReplace: req.getDeletebeforereplace() || undefined,
            ignoreChanges: req.getIgnorechangesList().length ? req.getIgnorechangesList() : undefined,
            replaceOnChanges: req.getReplaceonchangesList().length
              ? req.getReplaceonchangesList()
              : undefined,
            additionalSecretOutputs: additionalSecrets.length ? additionalSecrets : undefined,
            aliases: aliasUrns(req, urn),
            deletedWith: req.getDeletedwith() || undefined,
            importId: req.getImportid() || undefined,
            version: req.getVersion() || undefined,
            remote: remote || undefined,
            providers: req.getProvidersMap().getLength()
              ? Object.fromEntries(req.getProvidersMap().toArray() as [string, string][])
              : undefined,
            customTimeouts:
              timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
                ? {
                    create: timeouts.getCreate() || undefined,
                    update: timeouts.getUpdate() || undefined,
                    delete: timeouts.getDelete() || undefined,
                  }
                : undefined,
          }).filter(([, v]) => v !== undefined),
        ),
      };
      this.records.push(record);
      for (let i = this.pendingOutputs.length - 1; i >= 0; i--) {
        const p = this.pendingOutputs[i]!;
        if (p.urn === urn) {
          this.pendingOutputs.splice(i, 1);
          this.applyOutputs(p);
        }
      }

      const resp = new resproto.RegisterResourceResponse();
      resp.setUrn(urn);
      resp.setId(result.id ?? "");
      resp.setObject(structproto.Struct.fromJavaScript(serialized));
      return resp;
    });
  }

  /** Resources read with `.get()` or a StackReference: recorded with `read: true`. */
  override async readResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string = req.getParent();
    const urn = this.urnFor(parent, type, name);
    await this.answer(urn, callback, async () => {
      const raw = req.getProperties()?.toJavaScript() ?? {};
      const inputs = unwrap(raw, "mask") as Record<string, unknown>;
      const result = await this.synthesize({
        type,
        name,
        urn,
        inputs: unwrap(raw, "reveal") as Props,
        custom: true,
        remote: false,
        provider: req.getProvider(),
        providers: {},
      });
      const serialized = await serializeProperties("", result.state);
      this.resources.set(urn, { urn, id: result.id ?? null, state: serialized });
      this.records.push({
        urn,
        type,
        name,
        custom: true,
        read: true,
        ...(parent ? { parent } : {}),
        id: req.getId(),
        inputs,
        outputs: unwrap(structproto.Struct.fromJavaScript(serialized).toJavaScript(), "mask") as Record<
          string,
          unknown
        >,
        dependencies: req.getDependenciesList(),
        propertyDependencies: {},
        options: {},
      });
      const resp = new resproto.ReadResourceResponse();
      resp.setUrn(urn);
      resp.setProperties(structproto.Struct.fromJavaScript(serialized));
      return resp;
    });
  }

  private applyOutputs(p: PendingOutputs): void {
    const rec = this.records.find((r) => r.urn === p.urn);
    if (!rec) {
      this.pendingOutputs.push(p);
      return;
    }
    if (rec.type === STACK_TYPE) this.stackOutputs = p.outputs;
    else if (!rec.custom) rec.outputs = p.outputs;
  }

  override registerResourceOutputs(req: any, callback: (err: any, resp: any) => void): void {
    try {
      const urn: string = req.getUrn();
      const outputs = unwrap(req.getOutputs()?.toJavaScript() ?? {}, "mask") as Record<string, unknown>;
      const existing = this.resources.get(urn);
      if (existing) existing.state = req.getOutputs();
      this.applyOutputs({ urn, outputs });
      callback(null, {});
    } catch (err) {
      callback(err, undefined);
    }
  }
}

/**
 * The URNs a resource also answers to: old-style alias URNs and alias specs (what the SDK sends
 * when the engine supports them), a spec turned into the URN it names (another name, type, stack
 * project or parent).
 */
function aliasUrns(
  req: { getAliasurnsList(): string[]; getAliasesList?(): unknown[] },
  urn: string,
): string[] | undefined {
  const out = [...req.getAliasurnsList()];
  for (const a of (req.getAliasesList?.() ?? []) as {
    getUrn(): string;
    getSpec():
      | {
          getName(): string;
          getType(): string;
          getStack(): string;
          getProject(): string;
          getParenturn(): string;
        }
      | undefined;
  }[]) {
    if (a.getUrn()) {
      out.push(a.getUrn());
      continue;
    }
    const spec = a.getSpec();
    if (!spec) continue;
    const m = /^urn:pulumi:([^:]*)::([^:]*)::(.*)::([^:]*)$/.exec(urn);
    if (!m) continue;
    const [, stack, project, typeChain, name] = m;
    const types = typeChain!.split("$");
    if (spec.getType()) types[types.length - 1] = spec.getType();
    // Another parent: the child's type chain continues the new parent's.
    const parent = /^urn:pulumi:[^:]*::[^:]*::(.*)::[^:]*$/.exec(spec.getParenturn())?.[1];
    // (The stack itself is no part of its children's type chains.)
    const chain =
      parent && parent !== "pulumi:pulumi:Stack"
        ? `${parent}$${types.at(-1)}`
        : parent
          ? types.at(-1)!
          : types.join("$");
    out.push(
      `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || project}::${chain}::${spec.getName() || name}`,
    );
  }
  return out.length ? out : undefined;
}
