import { dayIn } from "./report";

/**
 * Configuration from the environment. Every variable is optional; a blank value counts as unset.
 */
export interface Config {
  /** `INPUT_FILE`: JSON lines of orders. @default "data/orders.jsonl" (the sample shipped in the image) */
  inputFile: string;
  /** `REPORT_TIMEZONE`: IANA zone of the reported day; keep it the manifest's `timezone`. @default "UTC" */
  timezone: string;
  /** `REPORT_DATE`: the day to report, YYYY-MM-DD. @default yesterday in REPORT_TIMEZONE */
  date: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    allowed: string,
  ) {
    super(`Invalid ${variable}=${JSON.stringify(value)}: expected ${allowed}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env, now = new Date()): Config {
  const timezone = env.REPORT_TIMEZONE?.trim() || "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new ConfigError("REPORT_TIMEZONE", timezone, "an IANA time zone such as Europe/Paris");
  }
  const date = env.REPORT_DATE?.trim() || dayIn(new Date(now.getTime() - 86_400_000), timezone);
  if (!/^\d{4}-\d\d-\d\d$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new ConfigError("REPORT_DATE", date, "a day as YYYY-MM-DD");
  }
  return { inputFile: env.INPUT_FILE?.trim() || "data/orders.jsonl", timezone, date };
}
