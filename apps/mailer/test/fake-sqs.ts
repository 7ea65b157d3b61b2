/**
 * A STAND-IN FOR AMAZON SQS, for tests only.
 *
 * There is no SQS engine to run here (none on npm or in Debian that this workspace can use, and the
 * tests must not reach AWS), so this is a small HTTP server that speaks the part of the protocol
 * the mailer's real `@aws-sdk/client-sqs` client sends: AWS JSON 1.0, `POST /` with
 * `Content-Type: application/x-amz-json-1.0` and `X-Amz-Target: AmazonSQS.<Operation>` (the SDK's
 * AwsJson1_0Protocol with serviceTarget "AmazonSQS"), a JSON body in, a JSON body out, errors as
 * `{"__type": "com.amazonaws.sqs#<Code>", "message": …}` plus the `x-amzn-query-error` header the
 * SDK reads because SQS is "awsQueryCompatible". It implements ReceiveMessage (long polling,
 * visibility timeouts, MD5OfBody, which the SDK verifies, ApproximateReceiveCount), DeleteMessage and
 * ChangeMessageVisibility, and a dead-letter queue after maxReceiveCount, and records every request
 * so tests can assert what the worker sent. It binds 127.0.0.1 only, and every wait is bounded.
 * It is not SQS: no ordering, FIFO, batching APIs or attributes beyond those.
 */
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  /** The operation, from X-Amz-Target (`ReceiveMessage`, …). */
  operation: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

interface StoredMessage {
  id: string;
  body: string;
  receiveCount: number;
  receiptHandle: string | undefined;
  visibleAt: number;
}

export interface FakeSqsOptions {
  /** Receives after which a message moves to the dead-letter queue. @default 3 */
  maxReceiveCount?: number;
  /** The longest this server holds an empty long poll, whatever WaitTimeSeconds asks. @default 250 */
  maxHoldMs?: number;
  /** Called before an operation is answered; a test can hold a response here, or throw to answer 500. */
  beforeAnswer?: (operation: string, body: Record<string, unknown>) => Promise<void> | void;
}

export const ACCOUNT = "123456789012";

export class FakeSqs {
  readonly requests: RecordedRequest[] = [];
  readonly deadLetters: StoredMessage[] = [];
  private readonly messages: StoredMessage[] = [];
  private readonly everSent = new Map<string, StoredMessage>();
  private readonly server: http.Server;
  private readonly maxReceiveCount: number;
  private readonly maxHoldMs: number;
  private port = 0;

  constructor(private readonly options: FakeSqsOptions = {}) {
    this.maxReceiveCount = options.maxReceiveCount ?? 3;
    this.maxHoldMs = options.maxHoldMs ?? 250;
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get queueUrl(): string {
    return `http://127.0.0.1:${this.port}/${ACCOUNT}/mailer`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Puts a message on the queue (what a producer's SendMessage does). Returns its id. */
  send(body: string | object): string {
    const id = randomUUID();
    const message: StoredMessage = {
      id,
      body: typeof body === "string" ? body : JSON.stringify(body),
      receiveCount: 0,
      receiptHandle: undefined,
      visibleAt: 0,
    };
    this.messages.push(message);
    this.everSent.set(id, message);
    return id;
  }

  /** Messages still on the queue (visible or in flight), by id. */
  remaining(): string[] {
    return this.messages.map((m) => m.id);
  }

  receiveCount(id: string): number {
    return this.everSent.get(id)?.receiveCount ?? 0;
  }

  of(operation: string): Record<string, unknown>[] {
    return this.requests.filter((r) => r.operation === operation).map((r) => r.body);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("AmazonSQS.") ? target.slice("AmazonSQS.".length) : target;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    } catch {
      return this.error(res, 400, "InvalidParameterValue", "the body is not JSON");
    }
    this.requests.push({ operation, headers: req.headers, body });
    if (req.method !== "POST" || req.headers["content-type"] !== "application/x-amz-json-1.0") {
      return this.error(res, 400, "InvalidParameterValue", "expected POST with application/x-amz-json-1.0");
    }
    if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 ")) {
      return this.error(res, 403, "MissingAuthenticationToken", "the request is not signed");
    }
    if (body.QueueUrl !== this.queueUrl) {
      return this.error(res, 400, "QueueDoesNotExist", "The specified queue does not exist.");
    }
    try {
      await this.options.beforeAnswer?.(operation, body);
    } catch (err) {
      return this.error(res, 500, "InternalError", (err as Error).message);
    }
    switch (operation) {
      case "ReceiveMessage":
        return this.receive(req, res, body);
      case "DeleteMessage": {
        const i = this.messages.findIndex((m) => m.receiptHandle === body.ReceiptHandle);
        if (i < 0) return this.error(res, 400, "ReceiptHandleIsInvalid", "The receipt handle is not valid.");
        this.messages.splice(i, 1);
        return this.ok(res, {});
      }
      case "ChangeMessageVisibility": {
        const m = this.messages.find((x) => x.receiptHandle === body.ReceiptHandle);
        if (!m) return this.error(res, 400, "ReceiptHandleIsInvalid", "The receipt handle is not valid.");
        m.visibleAt = Date.now() + Number(body.VisibilityTimeout) * 1000;
        return this.ok(res, {});
      }
      default:
        return this.error(res, 400, "UnsupportedOperation", `${operation} is not implemented by the fake`);
    }
  }

  private async receive(req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown>) {
    const max = Number(body.MaxNumberOfMessages ?? 1);
    const visibilityMs = Number(body.VisibilityTimeout ?? 30) * 1000;
    const holdUntil = Date.now() + Math.min(Number(body.WaitTimeSeconds ?? 0) * 1000, this.maxHoldMs);
    let taken: StoredMessage[] = [];
    for (;;) {
      const now = Date.now();
      // Like SQS's redrive policy: a message received maxReceiveCount times moves to the DLQ
      // instead of being handed out again.
      for (const m of this.messages.filter(
        (x) => x.visibleAt <= now && x.receiveCount >= this.maxReceiveCount,
      )) {
        this.messages.splice(this.messages.indexOf(m), 1);
        this.deadLetters.push(m);
      }
      taken = this.messages.filter((m) => m.visibleAt <= now).slice(0, max);
      if (taken.length > 0 || now >= holdUntil || req.socket.destroyed) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (req.socket.destroyed) return; // the client aborted the long poll: hand nothing out
    const now = Date.now();
    for (const m of taken) {
      m.receiveCount += 1;
      m.receiptHandle = randomUUID();
      m.visibleAt = now + visibilityMs;
    }
    this.ok(res, {
      Messages: taken.map((m) => ({
        MessageId: m.id,
        ReceiptHandle: m.receiptHandle,
        MD5OfBody: createHash("md5").update(m.body).digest("hex"),
        Body: m.body,
        Attributes: { ApproximateReceiveCount: String(m.receiveCount) },
      })),
    });
  }

  private ok(res: http.ServerResponse, body: object): void {
    const payload = JSON.stringify(body);
    res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() });
    res.end(payload);
  }

  private error(res: http.ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": randomUUID(),
      "x-amzn-query-error": `AWS.SimpleQueueService.${code};Sender`,
    });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }));
  }
}
