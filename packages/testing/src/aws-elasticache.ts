import type { Synth } from "./aws.js";

/** What AWS computes for ElastiCache (serverless caches, users and user groups): ids, ARNs, endpoints. */
export const ELASTICACHE_SYNTHS: Record<string, Synth> = {};
