import {
  type Cidr,
  CidrAllocator,
  cidrContains,
  cidrOverlaps,
  cidrSize,
  formatCidr,
  parseCidr,
  type Validator,
} from "@berth/core";

/** The three subnet tiers, in the order they are laid out inside each availability zone's block. */
export const SUBNET_TIERS = ["private", "public", "isolated"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

/** How awsx lays subnets out: `Auto` (in order, aligned) or `Exact` (the same, with every gap declared). */
export type SubnetStrategy = "Auto" | "Exact";

/** One subnet tier: its size in every availability zone, and optionally its exact blocks. */
export interface SubnetTierArgs {
  /**
   * The prefix length of each subnet of this tier (one per availability zone), /16 to /28.
   * Changing it renumbers (replaces) this tier's subnets and every tier laid out after it.
   * @default private: AZ block + 1 bit; public and isolated: AZ block + 3 bits (never smaller than /28).
   * For a /16 VPC: private /20 (4,096 addresses), public /22, isolated /22.
   * @example cidrMask: 20
   */
  cidrMask?: number;
  /**
   * Exact blocks, one per availability zone, in zone order. Use it to take over an existing layout
   * (for example one an older awsx computed with the `Legacy` strategy). If one tier sets it, every
   * enabled tier must, and Berth checks that the blocks are inside the VPC and do not overlap.
   * @default computed from `cidrMask` and `availabilityZoneCidrMask`
   * @example cidrBlocks: ["10.0.0.0/20", "10.0.32.0/20", "10.0.64.0/20"]
   */
  cidrBlocks?: string[];
  /**
   * The awsx subnet spec name; it is part of every subnet's logical name
   * (`<network>-vpc-<name>-<az number>`), so changing it replaces the tier's subnets.
   * @default the tier: "private", "public" or "isolated"
   * @example name: "db"
   */
  name?: string;
  /**
   * Extra tags on this tier's subnets (for example load balancer discovery tags).
   * @default {}
   * @example tags: { "kubernetes.io/role/elb": "1" }
   */
  tags?: Record<string, string>;
}

/** The subnet tiers of a network. Public and private always exist; isolated is opt-in. */
export interface SubnetsArgs {
  /**
   * Subnets with a route to the internet gateway: load balancers, NAT gateways or NAT instances.
   * @default {} (the default mask)
   * @example public: { cidrMask: 22 }
   */
  public?: SubnetTierArgs;
  /**
   * Subnets whose outbound traffic goes through NAT (or only to VPC endpoints): services.
   * @default {} (the default mask)
   * @example private: { cidrMask: 20 }
   */
  private?: SubnetTierArgs;
  /**
   * Subnets without any route out of the VPC: databases and caches. `false` or omitted: none.
   * Enabling it later is safe: it is laid out after the existing tiers.
   * @default false
   * @example isolated: { name: "db", cidrMask: 22 }
   */
  isolated?: SubnetTierArgs | false;
}

/** One subnet the layout plans: which tier, which zone (0-based, in zone order), which block. */
export interface PlannedSubnet {
  tier: SubnetTier;
  azIndex: number;
  cidrBlock: string;
}

/** An awsx subnet spec as Berth passes it (always with an explicit mask). */
export interface AwsxSubnetSpec {
  type: "Public" | "Private" | "Isolated" | "Unused";
  cidrMask: number;
  name?: string;
  cidrBlocks?: string[];
  tags?: Record<string, string>;
  /**
   * Only with `ipv6: true`: public and private subnets `true` (awsx then gives each a /64 of the
   * VPC's /56), isolated subnets `false` (no IPv6 block at all).
   */
  assignIpv6AddressOnCreation?: boolean;
}

/** The resolved, validated layout: what Berth passes to awsx and the subnets that result. */
export interface NetworkLayout {
  cidrBlock: string;
  azCount: number;
  /** The prefix length of each availability zone's block (fixed, so adding zones renumbers nothing). */
  availabilityZoneCidrMask: number;
  strategy: SubnetStrategy;
  /** True when the tiers give their blocks explicitly (`cidrBlocks`). */
  explicit: boolean;
  tiers: { tier: SubnetTier; name: string; cidrMask: number }[];
  subnetSpecs: AwsxSubnetSpec[];
  subnets: PlannedSubnet[];
}

export interface LayoutInput {
  cidrBlock?: string;
  azCount: number;
  availabilityZoneCidrMask?: number;
  subnetStrategy?: SubnetStrategy;
  subnets?: SubnetsArgs;
  /** Dual stack: public and private subnets get a /64 each, isolated subnets none. */
  ipv6?: boolean;
}

const TYPE: Record<SubnetTier, AwsxSubnetSpec["type"]> = {
  private: "Private",
  public: "Public",
  isolated: "Isolated",
};

/** Extra prefix bits each tier gets by default, relative to the availability zone block. */
const DEFAULT_TIER_BITS: Record<SubnetTier, number> = { private: 1, public: 3, isolated: 3 };

/** Room for up to 8 zones: the default zone block is the VPC block plus 3 bits (a /19 in a /16). */
const DEFAULT_AZ_BITS = 3;

const RESERVED: Cidr[] = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3"].map(
  (c) => parseCidr(c)!,
);

function bitsFor(count: number): number {
  return count <= 1 ? 0 : Math.ceil(Math.log2(count));
}

/** Splits [start, end) into the fewest aligned blocks (what awsx's `Exact` strategy wants as `Unused`). */
function alignedBlocks(start: number, end: number): Cidr[] {
  const blocks: Cidr[] = [];
  let cursor = start;
  while (cursor < end) {
    let size = 1;
    while (cursor % (size * 2) === 0 && cursor + size * 2 <= end) size *= 2;
    blocks.push({ base: cursor, mask: 32 - Math.log2(size) });
    cursor += size;
  }
  return blocks;
}

/**
 * Resolves and checks the subnet layout of a network. Throws (through the validator) before
 * anything is created when the VPC block, zone block or a tier is malformed, too big, too small,
 * overlapping or does not fit.
 */
export function planLayout(v: Validator, input: LayoutInput): NetworkLayout {
  const cidrText = input.cidrBlock ?? "10.0.0.0/16";
  if (typeof cidrText !== "string")
    v.fail("cidrBlock", cidrText, 'must be a plain string such as "10.0.0.0/16"');
  const vpc = parseCidr(cidrText);
  if (!vpc) {
    v.fail("cidrBlock", cidrText, 'must be an IPv4 CIDR block such as "10.0.0.0/16", with no host bits set');
  }
  v.check(
    vpc.mask >= 16 && vpc.mask <= 24,
    "cidrBlock",
    cidrText,
    "the VPC block must be /16 to /24 (AWS's limits)",
  );
  const reserved = RESERVED.find((r) => cidrOverlaps(r, vpc));
  if (reserved) {
    v.fail(
      "cidrBlock",
      cidrText,
      `it overlaps ${formatCidr(reserved)}, which AWS does not allow for a VPC; use RFC 1918 space such as 10.0.0.0/16`,
    );
  }

  const strategy = input.subnetStrategy ?? "Auto";
  v.oneOf("subnetStrategy", strategy, ["Auto", "Exact"] as const);

  const subnets = input.subnets ?? {};
  if (subnets.isolated !== undefined && subnets.isolated !== false && typeof subnets.isolated !== "object") {
    v.fail("subnets.isolated", subnets.isolated, "must be a tier ({ cidrMask, name, tags }) or false");
  }
  const enabled: { tier: SubnetTier; args: SubnetTierArgs }[] = [];
  for (const tier of SUBNET_TIERS) {
    const args = subnets[tier];
    if (tier === "isolated" && (args === undefined || args === false)) continue;
    enabled.push({ tier, args: (args || {}) as SubnetTierArgs });
  }
  const explicit = enabled.some((t) => t.args.cidrBlocks !== undefined);

  // Each zone gets a block of a fixed size, by default room for 8 zones, so that adding a zone
  // later never moves the blocks of the zones that exist (awsx would otherwise divide the VPC by
  // the zone count). Explicit cidrBlocks do not use zone blocks.
  const azCount = input.azCount;
  const minAzMask = vpc.mask + bitsFor(azCount);
  const azMask = input.availabilityZoneCidrMask ?? Math.min(vpc.mask + DEFAULT_AZ_BITS, 28);
  v.integer("availabilityZoneCidrMask", azMask, { min: 16, max: 28 });
  if (!explicit) {
    v.check(
      azMask >= minAzMask,
      "availabilityZoneCidrMask",
      azMask,
      `${azCount} availability zones need blocks of /${minAzMask} or smaller inside a /${vpc.mask} VPC`,
    );
  }

  const names = new Set<string>();
  const tiers = enabled.map(({ tier, args }) => {
    const field = `subnets.${tier}`;
    const name = args.name ?? tier;
    v.matches(
      `${field}.name`,
      name,
      /^[a-z][a-z0-9-]{0,30}$/,
      "must be lowercase letters, digits and dashes, starting with a letter, at most 31 characters",
    );
    v.check(
      !names.has(name),
      `${field}.name`,
      name,
      "each tier needs its own name (it is part of the subnets' logical names)",
    );
    names.add(name);
    const fromBlocks = args.cidrBlocks?.[0] !== undefined ? parseCidr(args.cidrBlocks[0])?.mask : undefined;
    const cidrMask = args.cidrMask ?? fromBlocks ?? Math.min(azMask + DEFAULT_TIER_BITS[tier], 28);
    v.integer(`${field}.cidrMask`, cidrMask, { min: 16, max: 28 });
    v.check(
      explicit || cidrMask >= azMask,
      `${field}.cidrMask`,
      cidrMask,
      `a subnet cannot be larger than its availability zone's block (/${azMask}); use /${azMask} or a longer prefix`,
    );
    return { tier, name, cidrMask, args };
  });

  const planned: PlannedSubnet[] = [];
  const specs: AwsxSubnetSpec[] = [];
  const spec = (t: (typeof tiers)[number]): AwsxSubnetSpec => ({
    type: TYPE[t.tier],
    ...(t.args.name !== undefined ? { name: t.args.name } : {}),
    cidrMask: t.cidrMask,
    ...(t.args.tags ? { tags: t.args.tags } : {}),
    ...(input.ipv6 ? { assignIpv6AddressOnCreation: t.tier !== "isolated" } : {}),
  });

  if (explicit) {
    const missing = tiers.find((t) => t.args.cidrBlocks === undefined);
    if (missing) {
      v.fail(
        `subnets.${missing.tier}.cidrBlocks`,
        undefined,
        "when one tier gives cidrBlocks, every tier must (awsx lays out all or none explicitly)",
      );
    }
    v.check(
      strategy === "Auto",
      "subnetStrategy",
      strategy,
      'explicit cidrBlocks are laid out as given; use "Auto"',
    );
    const seen: { field: string; text: string; cidr: Cidr }[] = [];
    for (const t of tiers) {
      const field = `subnets.${t.tier}.cidrBlocks`;
      const blocks = t.args.cidrBlocks!;
      v.check(
        Array.isArray(blocks) && blocks.length === azCount,
        field,
        blocks,
        `give exactly one block per availability zone (${azCount})`,
      );
      blocks.forEach((text, azIndex) => {
        const f = `${field}[${azIndex}]`;
        const c = parseCidr(text);
        if (!c) v.fail(f, text, 'must be an IPv4 CIDR block such as "10.0.0.0/20", with no host bits set');
        v.check(
          c.mask === t.cidrMask,
          f,
          text,
          `every block of the tier must be a /${t.cidrMask} (its cidrMask)`,
        );
        v.check(cidrContains(vpc, c), f, text, `must lie inside the VPC block ${cidrText}`);
        const clash = seen.find((s) => cidrOverlaps(s.cidr, c));
        if (clash) v.fail(f, text, `overlaps ${clash.field} (${clash.text}); subnets must not overlap`);
        seen.push({ field: f, text, cidr: c });
        planned.push({ tier: t.tier, azIndex, cidrBlock: text });
      });
      specs.push({ ...spec(t), cidrBlocks: [...blocks] });
    }
  } else {
    // Lay the tiers out inside one zone block the way awsx's Auto strategy does: in order, each
    // aligned to its own size. Every zone block gets the same pattern.
    const azBlock: Cidr = { base: 0, mask: azMask };
    const azSize = cidrSize(azBlock);
    const allocator = new CidrAllocator(azBlock);
    let cursor = 0;
    const offsets: number[] = [];
    for (const t of tiers) {
      let block: Cidr;
      try {
        block = allocator.allocate(t.cidrMask);
      } catch {
        const used = tiers.map((x) => `${x.tier} /${x.cidrMask}`).join(", ");
        v.fail(
          `subnets.${t.tier}.cidrMask`,
          t.cidrMask,
          `the tiers (${used}) do not fit in one availability zone's /${azMask} block (${azSize} addresses); use longer prefixes or a larger availabilityZoneCidrMask block`,
        );
      }
      if (strategy === "Exact") {
        for (const gap of alignedBlocks(cursor, block.base))
          specs.push({ type: "Unused", cidrMask: gap.mask });
      }
      specs.push(spec(t));
      offsets.push(block.base);
      cursor = block.base + cidrSize(block);
    }
    if (strategy === "Exact") {
      for (const gap of alignedBlocks(cursor, azSize)) specs.push({ type: "Unused", cidrMask: gap.mask });
      const covered = azCount * azSize;
      v.check(
        covered === cidrSize(vpc),
        "subnetStrategy",
        strategy,
        `"Exact" needs the availability zone blocks to fill the VPC exactly, but ${azCount} × /${azMask} cover ${covered} of ${cidrSize(vpc)} addresses; use "Auto" (the default) or set availabilityZoneCidrMask so that they do`,
      );
    }
    for (let azIndex = 0; azIndex < azCount; azIndex++) {
      const azBase = vpc.base + azIndex * azSize;
      tiers.forEach((t, i) => {
        planned.push({
          tier: t.tier,
          azIndex,
          cidrBlock: formatCidr({ base: azBase + offsets[i]!, mask: t.cidrMask }),
        });
      });
    }
  }

  return {
    cidrBlock: cidrText,
    azCount,
    availabilityZoneCidrMask: azMask,
    strategy,
    explicit,
    tiers: tiers.map(({ tier, name, cidrMask }) => ({ tier, name, cidrMask })),
    subnetSpecs: specs,
    subnets: planned,
  };
}
