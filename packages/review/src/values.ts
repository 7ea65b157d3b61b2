/** The placeholder the offline engine and Pulumi print for a secret value. */
export const SECRET = "[secret]";

/** Pulumi's secret signature key (`{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }`). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export function isSecret(v: unknown): boolean {
  return (
    v === SECRET ||
    (typeof v === "object" && v !== null && !Array.isArray(v) && SECRET_SIG in (v as Record<string, unknown>))
  );
}

/** A copy of `v` with every secret replaced by {@link SECRET} (values never leave masked). */
export function maskSecrets(v: unknown): unknown {
  if (isSecret(v)) return SECRET;
  if (Array.isArray(v)) return v.map(maskSecrets);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecrets(x)]));
  }
  return v;
}

/** JSON text inputs (policies, container definitions) parsed, so their changes show inside. */
function parsed(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isPlainObject(v)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  }
  return v;
}

export interface LeafChange {
  path: string;
  old: unknown;
  new: unknown;
}

function join(prefix: string, key: string | number): string {
  if (typeof key === "number") return `${prefix}[${key}]`;
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${prefix}[${JSON.stringify(key)}]`;
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * The changed leaves between two input objects, as dotted/indexed paths. Secrets compare by
 * placeholder: two masked values count as equal (their change cannot be seen), a value that
 * became or stopped being secret is a change shown as `[secret]` on both sides. Depth is bounded so a huge
 * document reports its subtree rather than hundreds of leaves.
 */
export function changedLeaves(a: unknown, b: unknown, prefix = "", depth = 0): LeafChange[] {
  const x = parsed(a);
  const y = parsed(b);
  if (isSecret(x) || isSecret(y)) {
    // A value that stops being secret may be the secret itself: both sides stay masked.
    return isSecret(x) && isSecret(y) ? [] : [{ path: prefix, old: SECRET, new: SECRET }];
  }
  if (deepEqual(x, y)) return [];
  if (depth < 6 && isPlainObject(x) && isPlainObject(y)) {
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
    return keys.flatMap((k) => changedLeaves(x[k], y[k], join(prefix, k), depth + 1));
  }
  if (depth < 6 && Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
    return x.flatMap((v, i) => changedLeaves(v, y[i], join(prefix, i), depth + 1));
  }
  return [{ path: prefix, old: maskSecrets(x), new: maskSecrets(y) }];
}

/** A value as one short line for a report (secrets already masked; long values cut). */
export function formatValue(v: unknown, max = 120): string {
  if (v === undefined) return "(none)";
  if (isSecret(v)) return SECRET;
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(maskSecrets(v));
  if (s === undefined) return String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Both values masked, and each also masked wherever the other holds a secret. */
export function maskPair(a: unknown, b: unknown): [unknown, unknown] {
  if (isSecret(a) || isSecret(b)) return [a === undefined ? a : SECRET, b === undefined ? b : SECRET];
  if (isPlainObject(a) && isPlainObject(b)) {
    const x: Record<string, unknown> = {};
    const y: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const [p, q] = maskPair(a[k], b[k]);
      if (k in a) x[k] = p;
      if (k in b) y[k] = q;
    }
    return [x, y];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    const pairs = Array.from({ length: n }, (_, i) => maskPair(a[i], b[i]));
    return [pairs.slice(0, a.length).map((p) => p[0]), pairs.slice(0, b.length).map((p) => p[1])];
  }
  return [maskSecrets(a), maskSecrets(b)];
}
