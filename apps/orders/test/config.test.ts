import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULTS, loadConfig, loadDatabaseConfig } from "../src/config";

/** The variables the platform injects for `uses: [orders-db, receipts]` (see the data contract). */
const LINKED = Object.freeze({
  ORDERS_DB_HOST: "orders-db.cluster-abc.eu-west-1.rds.amazonaws.com",
  ORDERS_DB_PORT: "5432",
  ORDERS_DB_NAME: "orders_db",
  ORDERS_DB_USER: "postgres",
  ORDERS_DB_PASSWORD: "s3cr3t-!@#",
  ORDERS_DB_SSLMODE: "require",
  RECEIPTS_BUCKET: "acme-dev-receipts-1a2b3c",
  RECEIPTS_BUCKET_ARN: "arn:aws:s3:::acme-dev-receipts-1a2b3c",
  RECEIPTS_REGION: "eu-west-1",
});

describe("loadConfig", () => {
  it("reads the linked database and bucket, with the documented defaults for the rest", () => {
    expect(loadConfig(LINKED)).toEqual({
      ...DEFAULTS,
      database: {
        host: "orders-db.cluster-abc.eu-west-1.rds.amazonaws.com",
        port: 5432,
        database: "orders_db",
        user: "postgres",
        password: "s3cr3t-!@#",
        sslmode: "require",
      },
      receipts: {
        bucket: "acme-dev-receipts-1a2b3c",
        bucketArn: "arn:aws:s3:::acme-dev-receipts-1a2b3c",
        region: "eu-west-1",
      },
    });
    expect(DEFAULTS).toMatchObject({ port: 8080, serviceName: "orders", shutdownTimeoutMs: 8_000 });
  });

  it("reads every optional variable and treats blank values as unset", () => {
    expect(
      loadConfig({
        ...LINKED,
        PORT: "9000",
        HOST: "127.0.0.1",
        DEPLOY_ENV: "prod",
        SHUTDOWN_TIMEOUT_MS: "",
        ORDERS_DB_PORT: " ",
        ORDERS_DB_SSLMODE: "",
        ORDERS_DB_READER_HOST: "orders-db.cluster-ro-abc.eu-west-1.rds.amazonaws.com",
        RECEIPTS_BUCKET_ARN: "",
      }),
    ).toMatchObject({
      port: 9000,
      host: "127.0.0.1",
      environment: "prod",
      shutdownTimeoutMs: 8_000,
      database: {
        port: 5432,
        sslmode: "require",
        readerHost: "orders-db.cluster-ro-abc.eu-west-1.rds.amazonaws.com",
      },
      receipts: { bucket: "acme-dev-receipts-1a2b3c", region: "eu-west-1" },
    });
  });

  it("keeps the password exactly as given (spaces included)", () => {
    expect(loadDatabaseConfig({ ...LINKED, ORDERS_DB_PASSWORD: " a b " }).password).toBe(" a b ");
  });

  it.each([
    "ORDERS_DB_HOST",
    "ORDERS_DB_NAME",
    "ORDERS_DB_USER",
    "ORDERS_DB_PASSWORD",
    "RECEIPTS_BUCKET",
    "RECEIPTS_REGION",
  ])("refuses to start without %s, naming it (missing or blank)", (variable) => {
    for (const value of [undefined, "  "]) {
      const env = { ...LINKED, [variable]: value };
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(`^Missing ${variable}: expected `));
    }
  });

  it.each([
    ["PORT", "http"],
    ["SHUTDOWN_TIMEOUT_MS", "120001"],
    ["ORDERS_DB_PORT", "0"],
    ["ORDERS_DB_SSLMODE", "prefer"],
    ["RECEIPTS_BUCKET", "Receipts_Bucket"],
    ["RECEIPTS_REGION", "Ireland"],
    ["RECEIPTS_BUCKET_ARN", "arn:aws:s3:::another-bucket"],
    ["RECEIPTS_BUCKET_ARN", "acme-dev-receipts-1a2b3c"],
  ])("rejects %s=%s naming the variable and the value", (variable, value) => {
    expect(() => loadConfig({ ...LINKED, [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...LINKED, [variable]: value })).toThrow(`${variable}="${value}"`);
  });

  describe("ORDERS_DB_SECRET_ARN (optional: not set locally or in compose)", () => {
    const RDS_SECRET =
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0b7a6f1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b-AbC123";

    it("is unset when missing or blank", () => {
      expect(loadDatabaseConfig(LINKED)).not.toHaveProperty("secretArn");
      expect(loadDatabaseConfig({ ...LINKED, ORDERS_DB_SECRET_ARN: " " })).not.toHaveProperty("secretArn");
    });

    it.each([
      RDS_SECRET,
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders_db+login=1.2@x-Zz9Yy8",
      "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-AbCdEf",
      "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf",
    ])("takes the ARN of a secret (RDS names its own rds!…): %s", (arn) => {
      expect(loadDatabaseConfig({ ...LINKED, ORDERS_DB_SECRET_ARN: ` ${arn} ` }).secretArn).toBe(arn);
    });

    it.each([
      ["a secret name, not its ARN", "rds!cluster-0b7a6f1e"],
      ["an SSM parameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/orders/db"],
      ["a JSON key of the secret (what ECS secrets take)", `${RDS_SECRET}:password::`],
      ["a partial ARN (no 6-character suffix)", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"],
      ["no account", "arn:aws:secretsmanager:eu-west-1::secret:db-AbCdEf"],
      ["no region", "arn:aws:secretsmanager::123456789012:secret:db-AbCdEf"],
    ])("refuses %s, naming the variable and the value", (_, value) => {
      const load = () => loadDatabaseConfig({ ...LINKED, ORDERS_DB_SECRET_ARN: value });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(
        `Invalid ORDERS_DB_SECRET_ARN=${JSON.stringify(value)}: expected the full ARN of a Secrets Manager secret, ` +
          "arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>",
      );
    });
  });

  it("lists the allowed ORDERS_DB_SSLMODE values", () => {
    expect(() => loadConfig({ ...LINKED, ORDERS_DB_SSLMODE: "verify-ca" })).toThrow(
      'Invalid ORDERS_DB_SSLMODE="verify-ca": expected one of disable, require, verify-full',
    );
  });
});
