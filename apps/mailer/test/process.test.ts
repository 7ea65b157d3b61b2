// Runs the compiled entry point (`node worker.js`) as a real process, the way the container does,
// against the SQS stand-in in fake-sqs.ts (read its header: it is not SQS, and why), and sends it
// real signals. The SDK in the child is the real one; only its endpoint is the stand-in's.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeSqs, type FakeSqsOptions } from "./fake-sqs";
import { deferred, MAIL, parseJsonLines, waitFor } from "./helpers";

const appDir = join(__dirname, "..");
let outDir: string;
let home: string;

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), "berth-mailer-"));
  home = mkdtempSync(join(tmpdir(), "berth-mailer-home-"));
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
  for (const dir of [outDir, home]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const children: ChildProcess[] = [];
const servers: FakeSqs[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const server of servers.splice(0)) await server.close();
});

async function fakeSqs(options: FakeSqsOptions = {}) {
  const sqs = await new FakeSqs(options).listen();
  servers.push(sqs);
  return sqs;
}

/** A clean environment: dummy credentials, an empty HOME (no ~/.aws), no instance metadata. */
function runWorker(env: Record<string, string>) {
  // The compiled worker resolves @aws-sdk/client-sqs from the app's node_modules.
  // `--no-warnings` as in the Dockerfile's CMD: Node's warnings arrive as JSON lines (src/main.ts).
  const child = spawn(process.execPath, ["--no-warnings", join(outDir, "worker.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      NODE_PATH: join(appDir, "node_modules"),
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDTEST",
      AWS_SECRET_ACCESS_KEY: "test-secret",
      AWS_EC2_METADATA_DISABLED: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk; // warn and error lines: kept in order with the info lines
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const lines = () => parseJsonLines(out);
  const waitForLog = (msg: string, count = 1) =>
    waitFor(() => lines().filter((l) => l.msg === msg).length >= count, `${count} × "${msg}"`, 8_000);
  return { child, lines, exited, waitForLog };
}

describe("node worker.js", () => {
  it("sends and deletes good mail, leaves bad mail, and on SIGTERM finishes the message in flight, exit 0", async () => {
    const holdDelete = { on: false, gate: deferred() };
    const sqs = await fakeSqs({
      beforeAnswer: async (operation) => {
        if (operation === "DeleteMessage" && holdDelete.on) await holdDelete.gate.promise;
      },
    });
    const proc = runWorker({ QUEUE_URL: sqs.queueUrl });
    await proc.waitForLog("started");

    const first = sqs.send(MAIL);
    await proc.waitForLog("message processed");
    expect(proc.lines().find((l) => l.msg === "mail sent")).toMatchObject({
      message_id: first,
      to_domain: "example.org",
    });

    const bad = sqs.send({ to: "not an address", subject: "x", text: "" });
    await proc.waitForLog("message failed, left on the queue");
    expect(proc.lines().find((l) => l.msg === "message failed, left on the queue")).toMatchObject({
      level: "warn",
      message_id: bad,
      error: "to: an e-mail address is required",
    });

    // The next message's delete is held by the stand-in: the message is in flight when SIGTERM comes.
    holdDelete.on = true;
    const last = sqs.send({ ...MAIL, subject: "Second" });
    await waitFor(() => sqs.of("DeleteMessage").length === 2, "the held delete");
    proc.child.kill("SIGTERM");
    await proc.waitForLog("shutdown started");
    const receivesAtStop = sqs.of("ReceiveMessage").length;
    holdDelete.gate.resolve();
    expect(await proc.exited).toEqual({ code: 0, signal: null });

    expect(sqs.remaining()).toEqual([bad]); // good mail deleted, the bad one left for the DLQ
    expect(sqs.of("ReceiveMessage")).toHaveLength(receivesAtStop);
    const msgs = proc.lines().map((l) => l.msg);
    expect(msgs.indexOf("shutdown started")).toBeLessThan(msgs.lastIndexOf("message processed"));
    expect(proc.lines().find((l) => l.msg === "shutdown started")).toMatchObject({
      in_flight: 1,
      timeout_ms: 8_000,
    });
    expect(
      proc
        .lines()
        .filter((l) => l.msg === "message processed")
        .map((l) => l.message_id),
    ).toEqual([first, last]);
    expect(msgs.at(-1)).toBe("shutdown complete");
    // Every request carried the long-poll parameters and a SigV4 signature from the real SDK.
    for (const receive of sqs.of("ReceiveMessage")) {
      expect(receive).toMatchObject({ MaxNumberOfMessages: 10, WaitTimeSeconds: 20, VisibilityTimeout: 180 });
    }
  });

  it("exits 0 at once on SIGTERM while a long poll is open", async () => {
    const sqs = await fakeSqs({ maxHoldMs: 10_000 });
    const proc = runWorker({ QUEUE_URL: sqs.queueUrl, VISIBILITY_TIMEOUT_SECONDS: "60" });
    await waitFor(() => sqs.of("ReceiveMessage").length === 1, "the long poll");
    expect(sqs.of("ReceiveMessage")[0]).toMatchObject({ WaitTimeSeconds: 20, VisibilityTimeout: 60 });
    const sent = Date.now();
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - sent).toBeLessThan(5_000); // the stand-in would have held the poll for 10 s
  });

  it("refuses to start without QUEUE_URL and says so", async () => {
    const proc = runWorker({});
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(proc.lines()).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "invalid configuration",
        error: expect.stringContaining("QUEUE_URL"),
      }),
    ]);
  });
});
