// Runs the compiled entry points (`node server.js`, `node healthcheck.js`) as real processes, the way
// the container does, and sends them real signals.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LOOPBACK, parseJsonLines, request, startPartialRequest, waitFor } from "./helpers";

const appDir = join(__dirname, "..");
let outDir: string;

beforeAll(() => {
  // Compile into a temporary directory so a concurrent `pnpm build` of dist/ is never disturbed.
  outDir = mkdtempSync(join(tmpdir(), "berth-hello-"));
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
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Proc {
  child: ChildProcess;
  stdout(): Record<string, unknown>[];
  stderr(): string;
  exited: Promise<Exit>;
  /** Resolves with the first stdout line whose msg is `msg`. */
  waitForLog(msg: string): Promise<Record<string, unknown>>;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

/** A clean environment: nothing from the test runner (NODE_OPTIONS and the like) leaks in. */
function runNode(script: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [join(outDir, script)], {
    env: { PATH: process.env.PATH ?? "", HOST: LOOPBACK, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const stdout = () => parseJsonLines(out);
  return {
    child,
    stdout,
    stderr: () => err,
    exited,
    waitForLog: async (msg) => {
      await waitFor(() => stdout().some((line) => line.msg === msg), `log line "${msg}"`, 10_000);
      return stdout().find((line) => line.msg === msg)!;
    },
  };
}

async function startServer(env: Record<string, string> = {}) {
  const proc = runNode("server.js", env);
  const listening = await proc.waitForLog("listening");
  return { proc, port: listening.port as number };
}

describe("node server.js", () => {
  it("serves, logs JSON to stdout, and exits 0 on SIGTERM even with an idle keep-alive connection", async () => {
    const { proc, port } = await startServer({
      SERVICE_NAME: "hello-e2e",
      APP_VERSION: "9.9.9",
      DEPLOY_ENV: "test",
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const home = await request(port, "/", { agent });
      expect(home.status).toBe(200);
      expect(home.json()).toMatchObject({ service: "hello-e2e", version: "9.9.9", environment: "test" });
      expect((await request(port, "/healthz", { agent })).status).toBe(200);
      await waitFor(() => proc.stdout().filter((l) => l.msg === "request").length === 2, "two request lines");

      // The agent still holds the idle socket open when the signal arrives.
      const sent = Date.now();
      proc.child.kill("SIGTERM");
      const exit = await proc.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - sent).toBeLessThan(5_000); // far below SHUTDOWN_TIMEOUT_MS and keep-alive 65 s
    } finally {
      agent.destroy();
    }
    const msgs = proc.stdout().map((l) => l.msg);
    expect(msgs).toEqual(["listening", "request", "request", "shutdown started", "shutdown complete"]);
    expect(proc.stdout()[3]).toMatchObject({ reason: "SIGTERM", timeout_ms: 10_000 });
    expect(proc.stderr()).toBe("");
  });

  it("answers a request caught by SIGTERM (with /healthz 503), then exits 0", async () => {
    const { proc, port } = await startServer();
    const health = await startPartialRequest(port, "/healthz");
    // Let the server read the first bytes so the connection counts as active, not idle.
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill("SIGTERM");
    await proc.waitForLog("shutdown started");

    const response = await health.finish();
    expect(response).toMatch(/^HTTP\/1\.1 503 /);
    expect(response).toContain('{"status":"draining"}');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.stdout().find((l) => l.msg === "request")).toMatchObject({ path: "/healthz", status: 503 });
  });

  it("exits 1 once SHUTDOWN_TIMEOUT_MS passes with a request still unfinished", async () => {
    const { proc, port } = await startServer({ SHUTDOWN_TIMEOUT_MS: "500" });
    const stuck = await startPartialRequest(port, "/"); // never completed by the client
    await new Promise((r) => setTimeout(r, 200));
    const sent = Date.now();
    proc.child.kill("SIGTERM");
    const exit = await proc.exited;
    const elapsed = Date.now() - sent;
    expect(exit).toEqual({ code: 1, signal: null });
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(10_000);
    await stuck.closed;
    const errors = parseJsonLines(proc.stderr());
    expect(errors).toEqual([
      expect.objectContaining({ level: "error", msg: expect.stringContaining("timed out") }),
    ]);
  });

  it("drains on SIGINT too", async () => {
    const { proc } = await startServer();
    proc.child.kill("SIGINT");
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.stdout().find((l) => l.msg === "shutdown started")).toMatchObject({ reason: "SIGINT" });
  });

  it("refuses to start with an invalid variable and says which", async () => {
    const proc = runNode("server.js", { PORT: "eighty" });
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(proc.stdout()).toEqual([]);
    const line = JSON.parse(proc.stderr().trim());
    expect(line).toMatchObject({ level: "error", msg: "invalid configuration" });
    expect(line.error).toContain('PORT="eighty"');
  });
});

describe("node healthcheck.js", () => {
  it("exits 0 while the server is healthy and 1 once nothing answers", async () => {
    const { proc, port } = await startServer();
    const healthy = runNode("healthcheck.js", { PORT: String(port) });
    expect(await healthy.exited).toEqual({ code: 0, signal: null });

    proc.child.kill("SIGTERM");
    expect((await proc.exited).code).toBe(0);
    const gone = runNode("healthcheck.js", { PORT: String(port) });
    expect(await gone.exited).toEqual({ code: 1, signal: null });
    expect(gone.stderr()).toContain("health check failed");
  });
});
