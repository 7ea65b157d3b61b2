/** IPv4 CIDR arithmetic for synthesizing subnet layouts. */
export interface Cidr {
  base: number;
  mask: number;
}

export function parseCidr(cidr: string): Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR block: '${cidr}'`);
  const octets = m.slice(1, 5).map(Number);
  const mask = Number(m[5]);
  if (octets.some((o) => o > 255) || mask > 32) throw new Error(`not an IPv4 CIDR block: '${cidr}'`);
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - mask);
  return { base: ip - (ip % size), mask };
}

export function formatCidr(c: Cidr): string {
  const o = [24, 16, 8, 0].map((shift) => Math.floor(c.base / 2 ** shift) % 256);
  return `${o.join(".")}/${c.mask}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.mask);
}

/** Allocates consecutive, aligned blocks out of a parent block. */
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
