import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";
import { InvalidMailError, parseMailRequest } from "../src/mail";

const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/mailer";

describe("loadConfig", () => {
  it("needs only QUEUE_URL: the region comes from its host, the rest has defaults", () => {
    expect(loadConfig({ QUEUE_URL })).toEqual({
      queueUrl: QUEUE_URL,
      region: "eu-west-1",
      visibilityTimeoutSeconds: 180,
      shutdownTimeoutMs: 8_000,
      mailFrom: "no-reply@example.com",
      serviceName: "mailer",
      version: "dev",
      environment: "local",
    });
    expect(loadConfig({ QUEUE_URL, AWS_REGION: "us-east-1" }).region).toBe("us-east-1");
  });

  it.each([
    [{}, "QUEUE_URL"],
    [{ QUEUE_URL: "mailer" }, "QUEUE_URL"],
    [{ QUEUE_URL: "http://127.0.0.1:9324/mailer" }, "QUEUE_URL"],
    [{ QUEUE_URL: "http://127.0.0.1:9324/1/mailer" }, "AWS_REGION"],
    [{ QUEUE_URL, VISIBILITY_TIMEOUT_SECONDS: "43201" }, "VISIBILITY_TIMEOUT_SECONDS"],
    [{ QUEUE_URL, MAIL_FROM: "nobody" }, "MAIL_FROM"],
  ])("refuses %j naming %s", (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env as Record<string, string>);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
  });
});

describe("parseMailRequest", () => {
  it("accepts a well-formed request and trims the subject", () => {
    expect(parseMailRequest('{"to":"a@b.co","subject":" Hi ","text":"x"}')).toEqual({
      to: "a@b.co",
      subject: "Hi",
      text: "x",
    });
  });

  it.each([
    ["not json", "not JSON"],
    ["[1]", "not a JSON object"],
    ['{"to":"nobody","subject":"s","text":""}', "to:"],
    ['{"to":"a@b.co","subject":"","text":""}', "subject:"],
    ['{"to":"a@b.co","subject":"s"}', "text:"],
  ])("refuses %s", (body, message) => {
    expect(() => parseMailRequest(body)).toThrow(InvalidMailError);
    expect(() => parseMailRequest(body)).toThrow(message);
  });
});
