/** One order line of the input, as the orders service stores it. */
export interface OrderRecord {
  id: string;
  createdAt: string;
  currency: string;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
}

export interface Report {
  /** The calendar day reported, in `timezone`. */
  date: string;
  timezone: string;
  orders: number;
  /** Revenue per currency, integer cents. */
  revenueCents: Record<string, number>;
  /** The three SKUs sold most that day (by quantity, then name). */
  topSkus: { sku: string; quantity: number }[];
}

/** A problem with the input: names the line, so someone can fix the data. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The input is bounded: a report over more lines than this fails instead of running for hours. */
export const MAX_LINES = 100_000;

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** Parses JSON lines of orders; throws {@link InputError} at the first bad line. */
export function parseOrders(text: string): OrderRecord[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length > MAX_LINES) throw new InputError(`${lines.length} lines, more than ${MAX_LINES}`);
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError(`line ${i + 1}: not JSON`);
    }
    const o = value as Partial<OrderRecord>;
    const ok =
      typeof o === "object" &&
      o !== null &&
      typeof o.id === "string" &&
      typeof o.currency === "string" &&
      typeof o.createdAt === "string" &&
      !Number.isNaN(Date.parse(o.createdAt)) &&
      Array.isArray(o.items) &&
      o.items.every((it) => typeof it?.sku === "string" && isInt(it.quantity) && isInt(it.unitPriceCents));
    if (!ok) throw new InputError(`line ${i + 1}: not an order (id, createdAt, currency, items)`);
    return o as OrderRecord;
  });
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayIn(instant: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}

/** The report of `date` (a calendar day in `timezone`) over `orders`. Pure: the same input, the same report. */
export function buildReport(orders: OrderRecord[], date: string, timezone: string): Report {
  const revenueCents: Record<string, number> = {};
  const skus = new Map<string, number>();
  let count = 0;
  for (const order of orders) {
    if (dayIn(new Date(order.createdAt), timezone) !== date) continue;
    count += 1;
    for (const item of order.items) {
      revenueCents[order.currency] =
        (revenueCents[order.currency] ?? 0) + item.quantity * item.unitPriceCents;
      skus.set(item.sku, (skus.get(item.sku) ?? 0) + item.quantity);
    }
  }
  const topSkus = [...skus]
    .map(([sku, quantity]) => ({ sku, quantity }))
    .sort((a, b) => b.quantity - a.quantity || a.sku.localeCompare(b.sku))
    .slice(0, 3);
  return { date, timezone, orders: count, revenueCents, topSkus };
}
