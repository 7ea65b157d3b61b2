import {
  FARGATE_CPU_VALUES,
  fargateMemoryOptions,
  RESOURCE_NAME,
  RESOURCE_NAME_MAX,
  SERVICE_NAME,
  SERVICE_NAME_MAX,
  SERVICE_NAME_RULE,
} from "@berth/core";

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
};

/**
 * Seconds in a duration as Compose and Copilot write them: `1m30s`, `10s`, `250ms`, `1h5m30s20ms`,
 * `96h`, `5d` (a number alone is seconds). Undefined when it is not a duration.
 *
 * @example
 * durationSeconds("1m30s"); // 90
 */
export function durationSeconds(v: string | number): number | undefined {
  if (typeof v === "number") return v;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g))
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  return total;
}

/**
 * MiB in a byte value as Compose writes it: `512m`, `1g`, `1gb`, `2048k`, `300M`, or a number of
 * bytes. Undefined when it is not a byte value.
 *
 * @example
 * mebibytes("1.5g"); // 1536
 */
export function mebibytes(v: string | number): number | undefined {
  if (typeof v === "number") return v / 1024 / 1024;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(v.trim());
  if (!m) return undefined;
  const factor = { b: 1 / 1024 / 1024, k: 1 / 1024, m: 1, g: 1024 }[(m[2] ?? "b").toLowerCase()]!;
  return Number(m[1]) * factor;
}

/** The result of fitting CPU and memory limits to a Fargate task size. */
export interface FargateFit {
  cpu: number;
  memory: number;
  /** Why the size differs from the limits, when it does. */
  note?: string;
}

/**
 * The smallest Fargate task size that holds the given limits (CPU units and MiB; either may be
 * missing): Fargate accepts only certain CPU/memory pairs, so limits are rounded up to the next
 * pair, and capped at the largest (16 vCPU, 120 GiB).
 *
 * @example
 * fargateFit(512, 768); // { cpu: 512, memory: 1024, note: "memory 768 MiB rounded up to 1024 …" }
 */
export function fargateFit(cpu: number | undefined, memory: number | undefined): FargateFit {
  const wantCpu = cpu ?? 0;
  const wantMemory = memory ?? 0;
  for (const c of FARGATE_CPU_VALUES) {
    if (c < wantCpu) continue;
    const m = fargateMemoryOptions(c).find((o) => o >= wantMemory);
    if (m === undefined) continue;
    const changes: string[] = [];
    if (cpu !== undefined && c !== cpu) changes.push(`CPU ${cpu} units rounded up to ${c}`);
    if (memory !== undefined && m !== Math.ceil(memory))
      changes.push(`memory ${round(memory)} MiB rounded up to ${m}`);
    if (cpu === undefined && c !== 256) changes.push(`CPU ${c} units: the least Fargate pairs with ${m} MiB`);
    if (memory === undefined && m !== 512)
      changes.push(`memory ${m} MiB: the least Fargate pairs with ${c} CPU units`);
    return {
      cpu: c,
      memory: m,
      ...(changes.length ? { note: `${changes.join("; ")} (a Fargate task size)` } : {}),
    };
  }
  const maxCpu = FARGATE_CPU_VALUES.at(-1)!;
  const maxMemory = fargateMemoryOptions(maxCpu).at(-1)!;
  return {
    cpu: maxCpu,
    memory: maxMemory,
    note: `limits above Fargate's largest task (${maxCpu} CPU units, ${maxMemory} MiB): capped`,
  };
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/**
 * Splits a command line into words the way Compose does for `command: "…"` (shell quoting rules,
 * no shell): `bundle exec "thin server" -p 3000` → `["bundle", "exec", "thin server", "-p", "3000"]`.
 * Undefined when a quote is never closed.
 */
export function shellWords(s: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word += s.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === "\\" && /["\\$`]/.test(s[j + 1] ?? "")) j++;
        word += s[j];
      }
      if (j >= s.length) return undefined;
      inWord = true;
      i = j + 1;
    } else if (c === "\\" && i + 1 < s.length) {
      word += s[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * A Berth service or resource name for a Compose or Copilot name: lower case, `_` and `.` as `-`,
 * at most {@link SERVICE_NAME_MAX} characters. Undefined when nothing valid is left.
 *
 * @example
 * berthName("Web_App"); // "web-app"
 */
export function berthName(name: string, max = SERVICE_NAME_MAX, rule = SERVICE_NAME): string | undefined {
  let n = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-0-9]+|-+$/g, "");
  if (n.length > max) n = n.slice(0, max).replace(/-+$/, "");
  if (n.length < 2 || !rule.test(n)) return undefined;
  return n;
}

/**
 * Unique service names for the input's names, in order: each name as Berth takes it, else
 * `svc-<name>` (a one-letter name), else `service`; numbered from the name when taken (`api-2`).
 * `why` says why a name changed.
 *
 * @example
 * const name = serviceNamer();
 * name("api"); // { name: "api" }
 * name("API"); // { name: "api-2", why: "api is taken by another service" }
 */
export function serviceNamer(): (raw: string) => { name: string; why?: string } {
  const taken = new Set<string>();
  return (raw) => {
    const base = berthName(raw) ?? berthName(`svc-${raw}`) ?? "service";
    let name = base;
    for (let i = 2; taken.has(name); i++)
      name = `${base.slice(0, SERVICE_NAME_MAX - 2).replace(/-+$/, "")}-${i}`;
    taken.add(name);
    const why =
      name !== base
        ? `${base} is taken by another service`
        : name !== raw
          ? `a service name is ${SERVICE_NAME_RULE}`
          : undefined;
    return why ? { name, why } : { name };
  };
}

/** A data resource name (at most {@link RESOURCE_NAME_MAX} characters) for a Compose or Copilot name. */
export function resourceName(name: string): string | undefined {
  return berthName(name, RESOURCE_NAME_MAX, RESOURCE_NAME);
}

/** An SSM parameter's last segment for an environment variable: `DB_PASSWORD` → `db-password`. */
export function parameterName(variable: string): string {
  return variable
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
