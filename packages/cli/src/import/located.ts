import { readFileSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { ImportError } from "./errors.js";

/** Where a value was written: its file (as shown to the user), 1-based line and column. */
export interface Position {
  file: string;
  line: number;
  column: number;
}

/** A scalar as written, with its position. Strings keep their text; numbers, booleans and null their type. */
export interface LScalar extends Position {
  kind: "scalar";
  value: string | number | boolean | null;
}

export interface LEntry {
  key: string;
  /** Where the key is written. */
  at: Position;
  value: LNode;
}

/** A map, keys in written order; keys merged in with `<<` keep the position of their definition. */
export interface LMap extends Position {
  kind: "map";
  entries: LEntry[];
}

export interface LSeq extends Position {
  kind: "seq";
  items: LNode[];
}

export type LNode = LScalar | LMap | LSeq;

/** Reads a YAML file into a located tree. Throws {@link ImportError} at the first syntax problem. */
export function readYaml(path: string, shown: string): LNode | undefined {
  return parseYaml(readFileSync(path, "utf8"), shown);
}

/**
 * Parses YAML text the way Compose and Copilot read it (YAML 1.2 core schema, unique keys, anchors,
 * aliases and `<<` merge keys) into a tree whose every node knows its line and column.
 *
 * @example
 * parseYaml("services: { web: { image: nginx } }", "compose.yaml");
 */
export function parseYaml(text: string, shown: string): LNode | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined): Position => {
    const p = lines.linePos(offset ?? 0);
    return { file: shown, line: p.line, column: p.col };
  };
  const first = doc.errors[0];
  if (first) {
    const where = at(first.pos[0]);
    throw new ImportError(
      `${where.file}:${where.line}:${where.column}: not valid YAML: ${first.message.split("\n")[0]}`,
    );
  }
  const convert = (node: unknown, depth: number): LNode => {
    if (depth > 200) throw new ImportError(`${shown}: YAML aliases nest too deep (a cycle?)`);
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) throw new ImportError(`${fmt(at(node.range?.[0]))}: alias *${node.source} has no anchor`);
      return convert(target, depth + 1);
    }
    const pos = at((node as Node | null)?.range?.[0]);
    if (isMap(node)) {
      const own: LEntry[] = [];
      const merged: LEntry[] = [];
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const keyValue = isScalar(key) ? key.value : undefined;
        if (typeof keyValue === "symbol" || keyValue === "<<") {
          // `<<: *a` or `<<: [*a, *b]`: earlier sources win, and keys written here win over all.
          const value = pair.value as Node | null;
          const sources = isSeq(value) ? value.items : [value];
          for (const source of sources) {
            const m = convert(source, depth + 1);
            if (m.kind !== "map") throw new ImportError(`${fmt(m)}: a merge key (<<) takes maps`);
            for (const e of m.entries) if (!merged.some((x) => x.key === e.key)) merged.push(e);
          }
          continue;
        }
        if (!isScalar(key)) throw new ImportError(`${fmt(at(key?.range?.[0]))}: keys are plain text here`);
        own.push({
          key: String(keyValue),
          at: at(key.range?.[0]),
          value: pair.value === null ? nullAt(at(key.range?.[1])) : convert(pair.value, depth + 1),
        });
      }
      const entries = [...own, ...merged.filter((e) => !own.some((o) => o.key === e.key))];
      return { kind: "map", ...pos, entries };
    }
    if (isSeq(node)) return { kind: "seq", ...pos, items: node.items.map((i) => convert(i, depth + 1)) };
    if (isScalar(node)) {
      const v = node.value;
      const value =
        typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null
          ? v
          : typeof v === "bigint"
            ? Number(v)
            : String(v);
      return { kind: "scalar", ...pos, value };
    }
    return nullAt(pos);
  };
  if (doc.contents === null) return undefined;
  return convert(doc.contents, 0);
}

function nullAt(p: Position): LScalar {
  return { kind: "scalar", file: p.file, line: p.line, column: p.column, value: null };
}

/** `file:line:column`. */
export function fmt(p: Position): string {
  return `${p.file}:${p.line}:${p.column}`;
}

/** `file:line`, for report rows. */
export function fmtLine(p: Position): string {
  return `${p.file}:${p.line}`;
}

/** The entry of a map by key. */
export function entry(m: LMap | undefined, key: string): LEntry | undefined {
  return m?.entries.find((e) => e.key === key);
}

/** The value of a map's key. */
export function get(m: LNode | undefined, key: string): LNode | undefined {
  return m?.kind === "map" ? entry(m, key)?.value : undefined;
}

export function isLMap(n: LNode | undefined): n is LMap {
  return n?.kind === "map";
}

export function isLSeq(n: LNode | undefined): n is LSeq {
  return n?.kind === "seq";
}

/** A scalar as text (numbers and booleans as YAML writes them); undefined for null and collections. */
export function text(n: LNode | undefined): string | undefined {
  if (n?.kind !== "scalar" || n.value === null) return undefined;
  return String(n.value);
}

/** The plain JavaScript value of a node. */
export function plain(n: LNode | undefined): unknown {
  if (!n) return undefined;
  if (n.kind === "scalar") return n.value;
  if (n.kind === "seq") return n.items.map(plain);
  return Object.fromEntries(n.entries.map((e) => [e.key, plain(e.value)]));
}

/** A short one-line rendering of a value, for reports. */
export function brief(n: LNode | undefined, max = 60): string {
  const v = plain(n);
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
