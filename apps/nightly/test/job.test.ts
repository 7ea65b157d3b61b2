import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";
import { buildReport, InputError, parseOrders } from "../src/report";

const appDir = join(__dirname, "..");
const sample = join(appDir, "data", "orders.jsonl");
let outDir: string;
let tmp: string;

beforeAll(() => {
  // Compile into a temporary directory so a concurrent `pnpm build` of dist/ is never disturbed.
  outDir = mkdtempSync(join(tmpdir(), "berth-nightly-"));
  tmp = mkdtempSync(join(tmpdir(), "berth-nightly-input-"));
  const tsc = join(appDir, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", join(appDir, "tsconfig.build.json"), "--outDir", outDir], {
      stdio: "pipe",
      encoding: "utf8",
    });
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`tsc failed:\n${stdout}${stderr}`);
  }
}, 60_000);

afterAll(() => {
  for (const dir of [outDir, tmp]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `node job.js` with a clean environment; resolves with the exit code and the JSON lines. */
function runJob(env: Record<string, string>) {
  return new Promise<{
    code: number | null;
    stdout: Record<string, unknown>[];
    stderr: Record<string, unknown>[];
  }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(outDir, "job.js")], {
      cwd: appDir,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 10_000,
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
    });
    child.once("error", reject);
    const lines = (t: string) =>
      t
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    child.once("close", (code) => resolve({ code, stdout: lines(out), stderr: lines(err) }));
  });
}

describe("node job.js", () => {
  it("writes the report of the day and exits 0", async () => {
    const { code, stdout, stderr } = await runJob({ INPUT_FILE: sample, REPORT_DATE: "2030-01-01" });
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    expect(stdout.map((l) => l.msg)).toEqual(["job started", "report"]);
    expect(stdout[1]).toMatchObject({
      date: "2030-01-01",
      timezone: "UTC",
      orders: 3,
      revenueCents: { EUR: 2 * 1250 + 3 * 499 + 1250, USD: 550 },
      topSkus: [
        { sku: "TEA-01", quantity: 4 },
        { sku: "MUG-BLUE", quantity: 3 },
      ],
    });
  });

  it("reports the calendar day of the job's time zone", async () => {
    // 2030-01-01T23:30Z is already 2 January in Paris; 00:10Z too.
    const { code, stdout } = await runJob({
      INPUT_FILE: sample,
      REPORT_DATE: "2030-01-02",
      REPORT_TIMEZONE: "Europe/Paris",
    });
    expect(code).toBe(0);
    expect(stdout[1]).toMatchObject({ orders: 2, revenueCents: { USD: 550, EUR: 3900 } });
  });

  it("exits 1 with an error line for malformed input", async () => {
    const bad = join(tmp, "bad.jsonl");
    writeFileSync(
      bad,
      '{"id":"ord_1","createdAt":"2030-01-01T00:00:00Z","currency":"EUR","items":[]}\n{oops\n',
    );
    const { code, stdout, stderr } = await runJob({ INPUT_FILE: bad, REPORT_DATE: "2030-01-01" });
    expect(code).toBe(1);
    expect(stdout.map((l) => l.msg)).toEqual(["job started"]);
    expect(stderr).toEqual([
      expect.objectContaining({ level: "error", msg: "job failed", error: "line 2: not JSON" }),
    ]);
  });

  it("exits 1 when the input is missing or a variable is invalid", async () => {
    const missing = await runJob({ INPUT_FILE: join(tmp, "nope.jsonl") });
    expect(missing.code).toBe(1);
    expect(missing.stderr[0]!.error).toContain("ENOENT");
    const badDate = await runJob({ INPUT_FILE: sample, REPORT_DATE: "yesterday" });
    expect(badDate.code).toBe(1);
    expect(badDate.stderr[0]!.error).toContain('REPORT_DATE="yesterday"');
  });
});

describe("the report", () => {
  it("defaults to yesterday in the time zone", () => {
    const now = new Date("2030-03-10T23:30:00Z"); // already 11 March in Tokyo
    expect(loadConfig({}, now)).toEqual({
      inputFile: "data/orders.jsonl",
      timezone: "UTC",
      date: "2030-03-09",
    });
    expect(loadConfig({ REPORT_TIMEZONE: "Asia/Tokyo" }, now).date).toBe("2030-03-10");
    expect(() => loadConfig({ REPORT_TIMEZONE: "Mars/Olympus" })).toThrow(ConfigError);
  });

  it("is empty for a day without orders, and refuses lines that are not orders", () => {
    expect(buildReport(parseOrders(""), "2030-01-01", "UTC")).toEqual({
      date: "2030-01-01",
      timezone: "UTC",
      orders: 0,
      revenueCents: {},
      topSkus: [],
    });
    expect(() => parseOrders('{"id":1}')).toThrow(InputError);
    expect(() => parseOrders('{"id":"a","createdAt":"x","currency":"EUR","items":[]}')).toThrow("line 1");
  });
});
