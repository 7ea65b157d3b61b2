import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { ReceiptsConfig } from "./config";

/** Where the receipt of an order lives in the bucket. */
export const receiptKey = (orderId: string): string => `receipts/${orderId}.json`;

export const RECEIPT_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * The S3 client for the receipts bucket. Credentials come from the SDK's default chain (the ECS task
 * role in a task). The endpoint is S3's for `RECEIPTS_REGION`, unless the standard
 * `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) variable names another: the SDK reads it itself, which
 * is how the tests reach a local S3 server. Give such a server by IP address (http://127.0.0.1:9000):
 * the SDK then addresses buckets by path instead of by host name.
 */
export function createS3Client(config: ReceiptsConfig): S3Client {
  return new S3Client({
    region: config.region,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
}

/** Receipts as objects `receipts/<order id>.json` in one bucket. */
export class ReceiptBucket {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /** Writes (or overwrites) the receipt of `orderId`. Encryption is the bucket's default. */
  async put(orderId: string, document: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: receiptKey(orderId),
        Body: document,
        ContentType: RECEIPT_CONTENT_TYPE,
      }),
    );
  }

  /**
   * The receipt's text, or undefined when there is no such object. S3 answers a missing key with
   * NoSuchKey only to a caller allowed `s3:ListBucket` on the bucket (the link's read access grants
   * it); to anyone else it answers AccessDenied, which this passes on as an error
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions").
   */
  async get(orderId: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: receiptKey(orderId) }),
      );
      return await out.Body!.transformToString("utf-8");
    } catch (err) {
      if (err instanceof S3ServiceException && err.name === "NoSuchKey") return undefined;
      throw err;
    }
  }
}
