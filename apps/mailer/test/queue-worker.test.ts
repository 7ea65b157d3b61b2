// The receive loop against the SQS stand-in in fake-sqs.ts (read its header: it is not SQS, and why).
import { afterEach, describe, expect, it } from "vitest";
import type { MessageHandler } from "../src/queue-worker";
import { QueueWorker } from "../src/queue-worker";
import { FakeSqs, type FakeSqsOptions } from "./fake-sqs";
import { captureLogs, deferred, MAIL, testClient, waitFor } from "./helpers";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(
  handler: MessageHandler,
  options: { visibilityTimeoutSeconds?: number; shutdownTimeoutMs?: number; sqs?: FakeSqsOptions } = {},
) {
  const sqs = await new FakeSqs(options.sqs).listen();
  cleanup.push(() => sqs.close());
  const logs = captureLogs();
  const client = testClient(sqs.queueUrl);
  cleanup.push(async () => client.destroy());
  const worker = new QueueWorker({
    client,
    queueUrl: sqs.queueUrl,
    handler,
    logger: logs.logger,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5_000,
  });
  cleanup.push(() => worker.stop("test cleanup"));
  return { sqs, worker, logs };
}

describe("QueueWorker", () => {
  it("long-polls for up to 10 messages with its visibility timeout, as the real SDK sends it", async () => {
    const { sqs, worker } = await setup(async () => {}, { visibilityTimeoutSeconds: 45 });
    void worker.start();
    await waitFor(() => sqs.of("ReceiveMessage").length >= 2, "two receives");
    expect(sqs.of("ReceiveMessage")[0]).toEqual({
      QueueUrl: sqs.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      VisibilityTimeout: 45,
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    });
    const { headers } = sqs.requests[0]!;
    expect(headers["x-amz-target"]).toBe("AmazonSQS.ReceiveMessage");
    expect(headers["content-type"]).toBe("application/x-amz-json-1.0");
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/sqs\/aws4_request/,
    );
  });

  it("processes every message of a batch and deletes each by its receipt handle", async () => {
    const seen: string[] = [];
    const { sqs, worker, logs } = await setup(async (m) => {
      seen.push(JSON.parse(m.body).n);
    });
    const ids = Array.from({ length: 12 }, (_, n) => sqs.send({ n }));
    void worker.start();
    await waitFor(() => sqs.remaining().length === 0, "the queue to empty");
    expect(seen.sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 12 }, (_, n) => n));
    // 12 messages: a batch of 10, then 2.
    const receives = sqs.requests.filter((r) => r.operation === "ReceiveMessage");
    expect(receives.length).toBeGreaterThanOrEqual(2);
    expect(sqs.of("DeleteMessage")).toHaveLength(12);
    for (const id of ids) expect(sqs.receiveCount(id)).toBe(1);
    await waitFor(() => logs.lines().filter((l) => l.msg === "message processed").length === 12, "12 lines");
    expect(logs.lines().find((l) => l.msg === "message processed")).toMatchObject({
      receive_count: 1,
      extensions: 0,
    });
  });

  it("leaves a failing message on the queue; it comes back and reaches the dead-letter queue", async () => {
    const { sqs, worker, logs } = await setup(
      async (m) => {
        if (JSON.parse(m.body).bad) throw new Error("cannot send");
      },
      { visibilityTimeoutSeconds: 1, sqs: { maxReceiveCount: 2 } },
    );
    const bad = sqs.send({ bad: true });
    const good = sqs.send({ bad: false });
    void worker.start();
    await waitFor(() => sqs.deadLetters.length === 1, "the failing message in the DLQ", 8_000);
    expect(sqs.deadLetters[0]!.id).toBe(bad);
    expect(sqs.receiveCount(bad)).toBe(2);
    expect(sqs.receiveCount(good)).toBe(1);
    // Only the good message was ever deleted.
    const deleted = sqs.of("DeleteMessage").map((b) => b.ReceiptHandle);
    expect(deleted).toHaveLength(1);
    const failed = logs.lines().filter((l) => l.msg === "message failed, left on the queue");
    expect(failed.map((l) => [l.message_id, l.receive_count, l.error])).toEqual([
      [bad, 1, "cannot send"],
      [bad, 2, "cannot send"],
    ]);
  });

  it("extends the visibility of a message still in flight after half the timeout, then deletes it", async () => {
    const { sqs, worker, logs } = await setup(() => new Promise((r) => setTimeout(r, 1_300)), {
      visibilityTimeoutSeconds: 1,
    });
    const id = sqs.send(MAIL);
    void worker.start();
    await waitFor(() => sqs.of("DeleteMessage").length === 1, "the delete", 8_000);
    const receipt = sqs.of("DeleteMessage")[0]!.ReceiptHandle;
    const changes = sqs.of("ChangeMessageVisibility");
    expect(changes.length).toBeGreaterThanOrEqual(1);
    for (const change of changes) {
      expect(change).toEqual({ QueueUrl: sqs.queueUrl, ReceiptHandle: receipt, VisibilityTimeout: 1 });
    }
    // Never handed to anyone else meanwhile.
    expect(sqs.receiveCount(id)).toBe(1);
    expect(logs.lines().find((l) => l.msg === "visibility extended")).toMatchObject({
      message_id: id,
      extensions: 1,
    });
  });

  it("does not extend a message that finishes within half the timeout", async () => {
    const { sqs, worker } = await setup(async () => {}, { visibilityTimeoutSeconds: 30 });
    sqs.send(MAIL);
    void worker.start();
    await waitFor(() => sqs.of("DeleteMessage").length === 1, "the delete");
    expect(sqs.of("ChangeMessageVisibility")).toEqual([]);
  });

  it("on stop: aborts the long poll, finishes the message in flight, deletes it, resolves code 0", async () => {
    const release = deferred();
    const started = deferred();
    const { sqs, worker, logs } = await setup(async () => {
      started.resolve();
      await release.promise;
    });
    sqs.send(MAIL);
    const loop = worker.start();
    await started.promise;
    const stopping = worker.stop("SIGTERM");
    expect(logs.lines().find((l) => l.msg === "shutdown started")).toMatchObject({
      reason: "SIGTERM",
      in_flight: 1,
    });
    const receivesAtStop = sqs.of("ReceiveMessage").length;
    release.resolve();
    expect(await stopping).toMatchObject({ code: 0, drained: true });
    await loop;
    expect(sqs.of("DeleteMessage")).toHaveLength(1);
    expect(sqs.remaining()).toEqual([]);
    expect(sqs.of("ReceiveMessage")).toHaveLength(receivesAtStop); // no receive after the stop
  });

  it("on stop while idle: the open long poll is aborted at once", async () => {
    const { sqs, worker } = await setup(async () => {}, { sqs: { maxHoldMs: 10_000 } });
    const loop = worker.start();
    await waitFor(() => sqs.of("ReceiveMessage").length === 1, "the long poll");
    const result = await worker.stop("SIGTERM");
    expect(result).toMatchObject({ code: 0, drained: true });
    expect(result.durationMs).toBeLessThan(5_000); // not the 10 s the stand-in would hold the poll
    await loop;
  });

  it("on stop: gives up after the shutdown timeout with code 1; the message stays on the queue", async () => {
    const never = deferred();
    const started = deferred();
    const { sqs, worker, logs } = await setup(
      async () => {
        started.resolve();
        await never.promise;
      },
      { shutdownTimeoutMs: 200 },
    );
    sqs.send(MAIL);
    void worker.start();
    await started.promise;
    expect(await worker.stop("SIGTERM")).toMatchObject({ code: 1, drained: false });
    expect(sqs.remaining()).toHaveLength(1);
    expect(
      logs.lines().some((l) => l.msg === "shutdown timed out, leaving messages to return to the queue"),
    ).toBe(true);
    never.resolve();
  });

  it("backs off and keeps going when a receive fails", async () => {
    let fail = 1;
    const { sqs, worker, logs } = await setup(async () => {}, {
      sqs: {
        beforeAnswer: (op) => {
          if (op === "ReceiveMessage" && fail-- > 0) throw new Error("boom");
        },
      },
    });
    sqs.send(MAIL);
    void worker.start();
    await waitFor(() => sqs.of("DeleteMessage").length === 1, "the delete after a failed receive", 8_000);
    expect(logs.lines().find((l) => l.msg === "receive failed")).toMatchObject({
      failures: 1,
      retry_in_ms: 1_000,
    });
  });
});
