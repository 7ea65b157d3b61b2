import { Document, isMap, isScalar, type Node, type Pair, type YAMLMap } from "yaml";
import type { ComposeFile, KeyComment } from "./model.js";

/**
 * The compose file as YAML: the header, then the file with a comment on the keys that need one.
 * Blank lines separate services. The same input always gives the same text.
 */
export function renderCompose(file: ComposeFile, comments: KeyComment[], header: string[]): string {
  // Written as YAML 1.1 would read it too: "no", "on", "y" and 22:22 are quoted, never booleans or numbers.
  // No anchors and aliases: each service reads on its own.
  const doc = new Document(file, { version: "1.1", aliasDuplicateObjects: false });
  doc.commentBefore = header.map((line) => ` ${line}`.trimEnd()).join("\n");
  for (const c of comments) {
    const pair = pairAt(doc, c.path);
    if (!pair) throw new Error(`no key ${c.path.join(".")} for the comment ${c.before ?? c.after}`);
    const key = pair.key as Node;
    if (c.before !== undefined) key.commentBefore = join(key.commentBefore, c.before);
    if (c.after !== undefined) {
      const value = pair.value as Node;
      value.comment = join(value.comment, c.after);
    }
  }
  const services = doc.get("services", true) as YAMLMap;
  for (const [i, p] of services.items.entries()) if (i > 0) (p.key as Node).spaceBefore = true;
  for (const section of ["services", "volumes", "configs", "networks"]) {
    const pair = pairAt(doc, [section]);
    if (pair) (pair.key as Node).spaceBefore = true;
  }
  return doc.toString({ lineWidth: 0 });
}

function pairAt(doc: Document, path: string[]): Pair | undefined {
  let map: unknown = doc.contents;
  let found: Pair | undefined;
  for (const seg of path) {
    if (!isMap(map)) return undefined;
    found = (map as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === seg) as Pair | undefined;
    if (!found) return undefined;
    map = found.value;
  }
  return found;
}

function join(existing: string | null | undefined, line: string): string {
  return existing ? `${existing}\n${line}` : line;
}
