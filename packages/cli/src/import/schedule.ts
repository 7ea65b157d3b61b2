import { durationSeconds } from "./units.js";

/**
 * A schedule as EventBridge Scheduler takes it, or why it cannot be converted.
 * `cron(minutes hours day-of-month month day-of-week year)`: six fields, day-of-week 1–7 from
 * Sunday, and `?` in exactly one of day-of-month and day-of-week
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html).
 */
export type Converted = { expression: string; note?: string } | { problem: string };

/** A schedule that never runs before 2199 (EventBridge's last cron year): the placeholder of a job whose schedule is unknown. */
export const PLACEHOLDER_SCHEDULE = "cron(0 0 1 1 ? 2199)";

const PRESETS: Record<string, string> = {
  "@yearly": "cron(0 0 1 1 ? *)",
  "@annually": "cron(0 0 1 1 ? *)",
  "@monthly": "cron(0 0 1 * ? *)",
  "@weekly": "cron(0 0 ? * 1 *)",
  "@daily": "cron(0 0 * * ? *)",
  "@midnight": "cron(0 0 * * ? *)",
  "@hourly": "cron(0 * * * ? *)",
};

const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/**
 * Converts a cron-style schedule to EventBridge Scheduler's: the presets (`@daily`, `@hourly`,
 * `@weekly`, `@monthly`, `@yearly`), `@every 10m` (a rate), standard 5-field cron (and 6-field
 * cron with a leading seconds field of 0), and `cron(…)`/`rate(…)`/`at(…)` as they are.
 *
 * @example
 * toEventBridge("0 9 * * 1-5"); // { expression: "cron(0 9 ? * 2-6 *)" }
 * toEventBridge("@every 1h30m"); // { expression: "rate(90 minutes)" }
 */
export function toEventBridge(input: string): Converted {
  const s = input.trim();
  if (/^(cron|at)\(.+\)$/.test(s)) return { expression: s };
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(s);
  if (rate) return { expression: rateOf(Number(rate[1]), rate[2]!.replace(/s$/, "") as "minute") };
  if (s === "none") return { problem: "the schedule is `none` (the job is disabled)" };
  const preset = PRESETS[s.toLowerCase()];
  if (preset) return { expression: preset };
  if (s.toLowerCase().startsWith("@every ")) {
    const seconds = durationSeconds(s.slice(7).trim());
    if (seconds === undefined) return { problem: `'${s}' is not @every <duration>` };
    if (seconds < 60 || seconds % 60 !== 0) {
      return { problem: `'${s}': EventBridge Scheduler runs at most once a minute, in whole minutes` };
    }
    const minutes = seconds / 60;
    if (minutes % 1440 === 0) return { expression: rateOf(minutes / 1440, "day") };
    if (minutes % 60 === 0) return { expression: rateOf(minutes / 60, "hour") };
    return { expression: rateOf(minutes, "minute") };
  }
  let fields = s.split(/\s+/);
  let note: string | undefined;
  if (fields.length === 6) {
    if (fields[0] !== "0")
      return {
        problem: `'${s}' runs at seconds past the minute: EventBridge Scheduler runs on whole minutes`,
      };
    fields = fields.slice(1);
    note = "the seconds field (0) dropped";
  }
  if (fields.length !== 5)
    return {
      problem: `'${s}' is not a cron schedule (5 fields: minute hour day-of-month month day-of-week)`,
    };
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const minute = plainField(min, 0, 59, "0");
  const hours = plainField(hour, 0, 23, "0");
  const day = plainField(dom, 1, 31, "1");
  const mon = plainField(month.toUpperCase(), 1, 12, "1", MONTHS);
  const week = weekdays(dow);
  for (const [name, v] of [
    ["minute", minute],
    ["hour", hours],
    ["day of month", day],
    ["month", mon],
    ["day of week", week],
  ] as const) {
    if (v === undefined)
      return { problem: `'${s}': its ${name} field is not one EventBridge cron can express` };
  }
  const anyDay = day === "*" || day === "?";
  const anyWeekday = week === "*" || week === "?";
  let d = day!;
  let w = week!;
  if (anyDay && anyWeekday) {
    d = "*";
    w = "?";
  } else if (anyDay) d = "?";
  else if (anyWeekday) w = "?";
  else {
    return {
      problem: `'${s}' restricts both the day of month and the day of week (cron runs when either matches); EventBridge cron takes one of them`,
    };
  }
  return { expression: `cron(${minute} ${hours} ${d} ${mon} ${w} *)`, ...(note ? { note } : {}) };
}

function rateOf(n: number, unit: "minute" | "hour" | "day"): string {
  return `rate(${n} ${n === 1 ? unit : `${unit}s`})`;
}

/** A minute, hour, day-of-month or month field; `*\/n` becomes `<first>/n` (EventBridge's form). */
function plainField(
  f: string,
  min: number,
  max: number,
  first: string,
  names?: string[],
): string | undefined {
  if (f === "*" || f === "?") return f;
  const parts = f.split(",");
  const out: string[] = [];
  for (const part of parts) {
    const m = /^(\*|[0-9A-Z]+(?:-[0-9A-Z]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const [, base, step] = m;
    const values = base === "*" ? [] : base!.split("-");
    for (const v of values) {
      const n = /^\d+$/.test(v) ? Number(v) : names ? names.indexOf(v) + 1 : Number.NaN;
      if (!(n >= min && n <= max)) return undefined;
    }
    out.push(base === "*" ? (step ? `${first}/${step}` : "*") : step ? `${base}/${step}` : base!);
  }
  return out.join(",");
}

/**
 * A day-of-week field, 0–7 (0 and 7 Sunday) or SUN–SAT, as EventBridge's 1–7 from Sunday; steps
 * and ranges are expanded (EventBridge's day-of-week takes no `/`).
 */
function weekdays(f: string): string | undefined {
  if (f === "*" || f === "?") return f;
  const days = new Set<number>();
  const day = (v: string): number | undefined => {
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      return n <= 7 ? n % 7 : undefined;
    }
    const i = DAYS.indexOf(v.toUpperCase());
    return i < 0 ? undefined : i;
  };
  for (const part of f.split(",")) {
    const m = /^(\*|[0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = m[1] === "*" ? 0 : day(m[1]!);
    // A range may end at 7 (Sunday); `*` and `N/step` run to the end of the week.
    const to = m[2] !== undefined ? (m[2] === "7" ? 7 : day(m[2])) : m[1] === "*" || m[3] ? 6 : from;
    const step = m[3] ? Number(m[3]) : 1;
    if (from === undefined || to === undefined || step < 1) return undefined;
    if (to < from) return undefined;
    for (let n = from; n <= to; n += step) days.add(n % 7);
  }
  const aws = [...days].map((d) => d + 1).sort((a, b) => a - b);
  // Runs of three or more consecutive days as ranges: 2,3,4,5,6 → 2-6.
  const out: string[] = [];
  for (let i = 0; i < aws.length; ) {
    let j = i;
    while (j + 1 < aws.length && aws[j + 1] === aws[j]! + 1) j++;
    out.push(j - i >= 2 ? `${aws[i]}-${aws[j]}` : aws.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return out.join(",");
}
