import type { ServiceKind } from "@berth/core";
import {
  Document,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";

/** A comment written in a manifest where the importer made a decision. */
export interface Comment {
  text: string;
  /** On the line above the key (default for maps and lists) rather than at the end of the line. */
  above?: boolean;
}

/** Key order of a written manifest: identity, image, traffic, size, runtime, scaling, links. */
const ORDER = [
  "name",
  "kind",
  "description",
  "image",
  "build",
  "allowMutableImageTag",
  "architecture",
  "port",
  "http",
  "schedule",
  "timezone",
  "flexibleWindowMinutes",
  "timeoutMinutes",
  "retries",
  "cpu",
  "memory",
  "entrypoint",
  "command",
  "environment",
  "secrets",
  "healthCheck",
  "count",
  "queue",
  "deployment",
  "deregistrationDelaySeconds",
  "stopTimeoutSeconds",
  "release",
  "calls",
  "resources",
  "uses",
  "sidecars",
  "logs",
  "exec",
  "environments",
];

const YAML11_BOOLEANS =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE)$/;

/** A manifest being built: fields by path, comments by path. */
export class ManifestDraft {
  readonly body: Record<string, unknown> = {};
  readonly comments = new Map<string, Comment>();
  /** Per-environment overrides (already reduced to what differs from the body). */
  readonly environments: Record<string, Record<string, unknown>> = {};
  /** Comment lines of the file's header, after the schema line. */
  readonly header: string[] = [];
  /** The report path of the input key each variable of `environment` and `secrets` came from. */
  readonly origins = new Map<string, string>();
  /** The images by tag (the service's, its sidecars'), named by the `allowMutableImageTag` comment. */
  readonly taggedImages: string[] = [];

  constructor(
    public name: string,
    public kind: ServiceKind,
  ) {
    this.body.name = name;
    this.body.kind = kind;
  }

  /** Sets a field by its path (`healthCheck.intervalSeconds`), creating the maps on the way. */
  set(path: string, value: unknown, comment?: string | Comment): void {
    setPath(this.body, path.split("."), value);
    if (comment !== undefined) this.comment(path, comment);
  }

  get(path: string): unknown {
    let v: unknown = this.body;
    for (const seg of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[seg];
    return v;
  }

  delete(path: string): void {
    const segs = path.split(".");
    const parent = this.get(segs.slice(0, -1).join(".") || "") as Record<string, unknown> | undefined;
    const target = segs.length === 1 ? this.body : parent;
    if (target) delete target[segs.at(-1)!];
  }

  /** Adds to a list field. */
  push(path: string, value: unknown): void {
    const list = (this.get(path) as unknown[] | undefined) ?? [];
    if (!list.some((v) => JSON.stringify(v) === JSON.stringify(value))) list.push(value);
    setPath(this.body, path.split("."), list);
  }

  comment(path: string, comment: string | Comment): void {
    const c = typeof comment === "string" ? { text: comment } : comment;
    const prior = this.comments.get(path);
    this.comments.set(path, prior ? { ...prior, text: `${prior.text}; ${c.text}` } : c);
  }

  /** The manifest as YAML text: the schema line, the header, ordered keys, comments, short maps and lists on one line. */
  toYaml(schemaPath: string): string {
    const ordered: Record<string, unknown> = {};
    const keys = Object.keys(this.body).sort((a, b) => rank(a) - rank(b));
    for (const k of keys) ordered[k] = this.body[k];
    if (Object.keys(this.environments).length) ordered.environments = this.environments;
    return render(ordered, this.comments, [`yaml-language-server: $schema=${schemaPath}`, ...this.header]);
  }
}

function rank(key: string): number {
  const i = ORDER.indexOf(key);
  return i < 0 ? ORDER.length : i;
}

function setPath(obj: Record<string, unknown>, segs: string[], value: unknown): void {
  let o = obj;
  for (const seg of segs.slice(0, -1)) {
    if (o[seg] === undefined || typeof o[seg] !== "object" || Array.isArray(o[seg])) o[seg] = {};
    o = o[seg] as Record<string, unknown>;
  }
  o[segs.at(-1)!] = value;
}

/**
 * YAML text for a plain object with comments by path and a header. Maps and lists of scalars that
 * fit on a short line, and hold no comment, are written in flow style (`{ type: postgres }`).
 */
export function render(
  value: Record<string, unknown>,
  comments: Map<string, Comment>,
  header: string[],
): string {
  const doc = new Document(value);
  const commented = [...comments.keys()];
  const visit = (node: Node | null, path: string[]) => {
    if (isMap(node)) {
      for (const pair of (node as YAMLMap).items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const p = [...path, String(pair.key.value)];
        visit(pair.value as Node | null, p);
        const c = comments.get(p.join("."));
        if (c) attach(pair as Pair<Node, Node>, c);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item as Node, [...path, String(i)]);
      });
    }
    // Words YAML 1.1 reads as booleans (on, yes, no …) stay text for every reader.
    if (isScalar(node) && typeof node.value === "string" && YAML11_BOOLEANS.test(node.value))
      node.type = "QUOTE_DOUBLE";
    if (isCollection(node) && path.length > 0) {
      const key = path.join(".");
      const inner = commented.some((c) => c.startsWith(`${key}.`));
      const scalars = node.items.every((i) => (isPair(i) ? isScalar(i.value) : isScalar(i)));
      if (!inner && scalars && node.items.length > 0 && JSON.stringify(node.toJSON()).length <= 64)
        node.flow = true;
    }
  };
  visit(doc.contents as Node, []);
  const first = isMap(doc.contents) ? (doc.contents as YAMLMap).items[0] : undefined;
  if (first && isScalar(first.key)) {
    const prior = first.key.commentBefore;
    first.key.commentBefore = [...header.map((h) => ` ${h}`), ...(prior ? [prior] : [])].join("\n");
  }
  return doc.toString({ lineWidth: 0 });
}

function attach(pair: Pair<Node, Node>, c: Comment): void {
  const text = ` ${c.text}`;
  const block = isCollection(pair.value) && !pair.value.flow;
  if (c.above || block) {
    const key = pair.key;
    key.commentBefore = key.commentBefore ? `${key.commentBefore}\n${text}` : text;
  } else if (pair.value) {
    pair.value.comment = text;
  }
}
