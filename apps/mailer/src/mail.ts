import { EMAIL } from "./config";
import type { Logger } from "./log";

/** What a producer puts on the queue: one JSON object per message. */
export interface MailRequest {
  to: string;
  subject: string;
  text: string;
}

export const LIMITS = Object.freeze({ subject: 200, text: 100_000 });

export class InvalidMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidMailError";
  }
}

/** Parses and checks a message body; throws {@link InvalidMailError} naming the problem. */
export function parseMailRequest(body: string): MailRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidMailError("the message body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidMailError("the message body is not a JSON object");
  }
  const { to, subject, text } = value as Record<string, unknown>;
  if (typeof to !== "string" || !EMAIL.test(to))
    throw new InvalidMailError("to: an e-mail address is required");
  if (typeof subject !== "string" || subject.trim() === "" || subject.length > LIMITS.subject) {
    throw new InvalidMailError(`subject: 1 to ${LIMITS.subject} characters`);
  }
  if (typeof text !== "string" || text.length > LIMITS.text) {
    throw new InvalidMailError(`text: a string of at most ${LIMITS.text} characters`);
  }
  return { to, subject: subject.trim(), text };
}

/** Delivers one mail. Throws to leave the message on the queue (it is received again later). */
export interface Transport {
  send(mail: MailRequest & { from: string; messageId: string }): Promise<void>;
}

/**
 * The only transport so far: writes a `mail sent` line instead of talking to a mail provider (SES
 * needs an IAM grant the manifest cannot express yet). Only the recipient's domain is logged: an
 * address is personal data.
 */
export function logTransport(logger: Logger): Transport {
  return {
    send: async (mail) => {
      logger.info("mail sent", {
        message_id: mail.messageId,
        to_domain: mail.to.slice(mail.to.lastIndexOf("@") + 1),
        subject_length: mail.subject.length,
        text_length: mail.text.length,
      });
    },
  };
}
