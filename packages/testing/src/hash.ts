import { createHash } from "node:crypto";

/** Deterministic lowercase hex of the given length, derived from the seed parts. */
export function hex(length: number, ...seed: string[]): string {
  let out = "";
  let counter = 0;
  while (out.length < length) {
    out += createHash("sha256")
      .update(`${counter}\u0000${seed.join("\u0000")}`)
      .digest("hex");
    counter++;
  }
  return out.slice(0, length);
}

/** Deterministic decimal digits of the given length. */
export function digits(length: number, ...seed: string[]): string {
  return hex(length * 2, ...seed)
    .replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10))
    .slice(0, length);
}

/** Deterministic RFC 4122-shaped UUID. */
export function uuid(...seed: string[]): string {
  const h = hex(32, ...seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
