import type { Synth } from "./aws.js";

/** What AWS computes for RDS (Aurora clusters and instances, DB instances, subnet and parameter groups): ids, ARNs, endpoints. */
export const RDS_SYNTHS: Record<string, Synth> = {};
