/** An IPv4 block as numbers: `base` is the first address, `mask` the prefix length. */
export interface Cidr {
  base: number;
  mask: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined for anything else (octets > 255, mask > 32, host bits set). */
export function parseCidr(text: string): Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const mask = Number(m[5]);
  if (octets.some((o) => o > 255) || mask > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % 2 ** (32 - mask) !== 0) return undefined;
  return { base, mask };
}

export function formatCidr(c: Cidr): string {
  return `${[24, 16, 8, 0].map((s) => Math.floor(c.base / 2 ** s) % 256).join(".")}/${c.mask}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.mask);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.mask >= outer.mask &&
    inner.base >= outer.base &&
    inner.base + cidrSize(inner) <= outer.base + cidrSize(outer)
  );
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** An IPv6 block (`2001:db8::/32`), checked for shape only. */
export function isIpv6Cidr(text: string): boolean {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(text);
  return m !== null && Number(m[2]) <= 128 && m[1]!.includes(":") && (m[1]!.match(/::/g) ?? []).length <= 1;
}

/**
 * Hands out consecutive blocks of a parent block, each aligned to its own size (how awsx and Berth
 * lay subnets out); throws when the next block does not fit.
 */
export class CidrAllocator {
  private next: number;
  constructor(private readonly parent: Cidr) {
    this.next = parent.base;
  }

  allocate(mask: number): Cidr {
    const size = 2 ** (32 - mask);
    const start = Math.ceil(this.next / size) * size;
    if (mask < this.parent.mask || start + size > this.parent.base + cidrSize(this.parent)) {
      throw new Error(`a /${mask} block does not fit in ${formatCidr(this.parent)} any more`);
    }
    this.next = start + size;
    return { base: start, mask };
  }
}
