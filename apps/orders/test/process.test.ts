// Runs the compiled entry points (`node server.js`, `node healthcheck.js`) as real processes, the way
// the container does, and sends them real signals.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LOOPBACK, ORDER, parseJsonLines, request, startPartialPost, waitFor } from "./helpers";

const appDir = join(__dirname, "..");
let outDir: string;

beforeAll(() => {
  // Compile into a temporary directory so a concurrent `pnpm build` of dist/ is never disturbed.
  outDir = mkdtempSync(join(tmpdir(), "berth-orders-"));
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

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

/** A clean environment: nothing from the test runner (NODE_OPTIONS and the like) leaks in. */
function runNode(script: string, env: Record<string, string>) {
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const stdout = () => parseJsonLines(out);
  return {
    child,
    stdout,
    stderr: () => err,
    exited,
    waitForLog: async (msg: string) => {
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
  it("serves the API and exits 0 on SIGTERM after finishing a request caught mid-body", async () => {
    const { proc, port } = await startServer({ DEPLOY_ENV: "test" });
    const created = await request(port, "/orders", { body: ORDER });
    expect(created.status).toBe(201);
    expect((await request(port, `/orders/${created.json().id}`)).status).toBe(200);

    const post = await startPartialPost(port, ORDER);
    await new Promise((r) => setTimeout(r, 200)); // let the server read the headers
    proc.child.kill("SIGTERM");
    await proc.waitForLog("shutdown started");
    const raw = await post.finish();
    expect(raw).toMatch(/^HTTP\/1\.1 201 /);
    expect(await proc.exited).toEqual({ code: 0, signal: null });

    const msgs = proc.stdout().map((l) => l.msg);
    expect(msgs.at(-1)).toBe("shutdown complete");
    expect(proc.stdout().find((l) => l.msg === "shutdown started")).toMatchObject({
      reason: "SIGTERM",
      in_flight: 1,
      timeout_ms: 8_000,
    });
    expect(proc.stderr()).toBe("");
  });

  it("exits 1 when SHUTDOWN_TIMEOUT_MS passes with a request unfinished", async () => {
    const { proc, port } = await startServer({ SHUTDOWN_TIMEOUT_MS: "300" });
    const post = await startPartialPost(port, ORDER); // never finished by the client
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    await post.closed;
    expect(parseJsonLines(proc.stderr())).toEqual([
      expect.objectContaining({ msg: expect.stringContaining("timed out") }),
    ]);
  });

  it("refuses to start with an invalid variable and says which", async () => {
    const proc = runNode("server.js", { MAX_ORDERS: "lots" });
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(JSON.parse(proc.stderr().trim())).toMatchObject({ msg: "invalid configuration" });
    expect(proc.stderr()).toContain('MAX_ORDERS=\\"lots\\"');
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
  });
});
