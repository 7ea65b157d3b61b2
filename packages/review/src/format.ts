/** `1234.5` → `$1,234.50`. */
export function formatMoney(usd: number): string {
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
