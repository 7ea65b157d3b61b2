import type { Pool } from "pg";
import { buildOrder, isOrderId, type NewOrder, type Order, type OrderItem, receiptOf } from "./orders";
import type { ReceiptBucket } from "./receipts";

export interface OrderStoreOptions {
  /** The pool on the writer endpoint: inserts and reads by id. */
  writer: Pool;
  /** The pool on Aurora's reader endpoint, for the list. @default the writer */
  reader?: Pool;
  receipts: ReceiptBucket;
  /** Written in each receipt's `issuedBy`. @default "orders" */
  issuedBy?: string;
  /** @default () => new Date() */
  now?: () => Date;
}

interface OrderRow {
  id: string;
  customer: string;
  currency: string;
  items: OrderItem[];
  total_cents: string;
  status: "created";
  created_at: Date;
}

const COLUMNS = "id, customer, currency, items, total_cents, status, created_at";

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    customer: row.customer,
    // jsonb keeps its own key order: rebuild each line in the API's.
    items: row.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    // bigint arrives as a string; totals stay far below 2^53 (50 lines × 1000 × 10,000,000 cents).
    totalCents: Number(row.total_cents),
    currency: row.currency,
    status: row.status,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Orders in Postgres (the `orders` table of the migrations), each with its receipt in the bucket.
 * The store does not own the pools or the S3 client: whoever created them closes them.
 */
export class OrderStore {
  private readonly writer: Pool;
  private readonly reader: Pool;
  private readonly receipts: ReceiptBucket;
  private readonly issuedBy: string;
  private readonly now: () => Date;

  constructor(options: OrderStoreOptions) {
    this.writer = options.writer;
    this.reader = options.reader ?? options.writer;
    this.receipts = options.receipts;
    this.issuedBy = options.issuedBy ?? "orders";
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Creates an order: its receipt is written to the bucket first, then the row is inserted. If the
   * receipt cannot be written, no order exists; an order that exists always has its receipt (a failed
   * insert leaves at most an unreferenced receipt under a fresh random id).
   */
  async create(input: NewOrder): Promise<Order> {
    const order = buildOrder(input, this.now());
    await this.receipts.put(order.id, JSON.stringify(receiptOf(order, this.issuedBy)));
    await this.writer.query(
      `INSERT INTO orders (id, customer, currency, items, total_cents, status, created_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`,
      [
        order.id,
        order.customer,
        order.currency,
        JSON.stringify(order.items),
        order.totalCents,
        order.status,
        order.createdAt,
      ],
    );
    return order;
  }

  /** The order, or undefined; a malformed id is simply not found (and costs no query). */
  async get(id: string): Promise<Order | undefined> {
    if (!isOrderId(id)) return undefined;
    const result = await this.writer.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
    return result.rows[0] ? toOrder(result.rows[0]) : undefined;
  }

  /** The newest orders first, at most `limit`, and how many there are in all. */
  async list(limit: number): Promise<{ orders: Order[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.reader.query<OrderRow>(`SELECT ${COLUMNS} FROM orders ORDER BY seq DESC LIMIT $1`, [limit]),
      this.reader.query<{ total: string }>("SELECT count(*) AS total FROM orders"),
    ]);
    return { orders: rows.rows.map(toOrder), total: Number(count.rows[0]!.total) };
  }

  /** The receipt document of an existing order, as stored; undefined when the bucket has none. */
  receipt(id: string): Promise<string | undefined> {
    return this.receipts.get(id);
  }
}
