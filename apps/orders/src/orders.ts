import { randomUUID } from "node:crypto";

/** One line of an order. Prices are integer cents: no floating-point money. */
export interface OrderItem {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Order {
  id: string;
  customer: string;
  items: OrderItem[];
  totalCents: number;
  currency: string;
  status: "created";
  createdAt: string;
}

/** What `POST /orders` accepts. */
export interface NewOrder {
  customer: string;
  items: OrderItem[];
  currency: string;
}

/** One problem with a request body: the field (`items.0.quantity`) and what is allowed. */
export interface Issue {
  path: string;
  message: string;
}

export const LIMITS = Object.freeze({
  customerLength: 100,
  items: 50,
  quantity: 1_000,
  unitPriceCents: 10_000_000,
});

export const CURRENCIES = ["EUR", "GBP", "USD"] as const;
const SKU = /^[A-Z0-9][A-Z0-9-]{0,31}$/;
const ID = /^ord_[0-9a-f]{32}$/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/**
 * Checks a `POST /orders` body. Returns the order to create, or every problem at once (a caller can
 * fix them all in one go). Unknown fields are problems too, so a typo never silently drops data.
 */
export function validateNewOrder(
  body: unknown,
): { ok: true; value: NewOrder } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  if (!isRecord(body)) return { ok: false, issues: [{ path: "", message: "must be a JSON object" }] };
  for (const key of Object.keys(body)) {
    if (!["customer", "items", "currency"].includes(key))
      issues.push({ path: key, message: "unknown field" });
  }
  const { customer, items, currency = "EUR" } = body;
  if (
    typeof customer !== "string" ||
    customer.trim().length === 0 ||
    customer.length > LIMITS.customerLength
  ) {
    issues.push({
      path: "customer",
      message: `must be a non-empty string of at most ${LIMITS.customerLength} characters`,
    });
  }
  if (typeof currency !== "string" || !(CURRENCIES as readonly string[]).includes(currency)) {
    issues.push({ path: "currency", message: `must be one of ${CURRENCIES.join(", ")}` });
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > LIMITS.items) {
    issues.push({ path: "items", message: `must be a list of 1 to ${LIMITS.items} items` });
  } else {
    const skus = new Set<string>();
    items.forEach((item, i) => {
      if (!isRecord(item)) {
        issues.push({
          path: `items.${i}`,
          message: "must be an object with sku, quantity and unitPriceCents",
        });
        return;
      }
      for (const key of Object.keys(item)) {
        if (!["sku", "quantity", "unitPriceCents"].includes(key)) {
          issues.push({ path: `items.${i}.${key}`, message: "unknown field" });
        }
      }
      if (typeof item.sku !== "string" || !SKU.test(item.sku)) {
        issues.push({ path: `items.${i}.sku`, message: "must be 1 to 32 upper-case letters, digits and -" });
      } else if (skus.has(item.sku)) {
        issues.push({
          path: `items.${i}.sku`,
          message: "is listed twice: give one line with the total quantity",
        });
      } else {
        skus.add(item.sku);
      }
      if (!isInt(item.quantity, 1, LIMITS.quantity)) {
        issues.push({
          path: `items.${i}.quantity`,
          message: `must be an integer from 1 to ${LIMITS.quantity}`,
        });
      }
      if (!isInt(item.unitPriceCents, 0, LIMITS.unitPriceCents)) {
        issues.push({
          path: `items.${i}.unitPriceCents`,
          message: `must be an integer number of cents from 0 to ${LIMITS.unitPriceCents}`,
        });
      }
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      customer: (customer as string).trim(),
      currency: currency as string,
      items: (items as OrderItem[]).map(({ sku, quantity, unitPriceCents }) => ({
        sku,
        quantity,
        unitPriceCents,
      })),
    },
  };
}

/** Builds the order to store: a new id, the total in cents, the creation time. */
export function buildOrder(input: NewOrder, now: Date): Order {
  return {
    id: `ord_${randomUUID().replaceAll("-", "")}`,
    customer: input.customer,
    currency: input.currency,
    items: input.items,
    totalCents: input.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    status: "created",
    createdAt: now.toISOString(),
  };
}

/** True for a well-formed order id; anything else is simply not found. */
export const isOrderId = (id: string): boolean => ID.test(id);

/** The receipt of an order: the JSON document stored in the bucket and served by `GET /orders/:id/receipt`. */
export interface Receipt {
  orderId: string;
  issuedAt: string;
  issuedBy: string;
  customer: string;
  currency: string;
  lines: (OrderItem & { lineTotalCents: number })[];
  totalCents: number;
}

export function receiptOf(order: Order, issuedBy: string): Receipt {
  return {
    orderId: order.id,
    issuedAt: order.createdAt,
    issuedBy,
    customer: order.customer,
    currency: order.currency,
    lines: order.items.map((item) => ({ ...item, lineTotalCents: item.quantity * item.unitPriceCents })),
    totalCents: order.totalCents,
  };
}
