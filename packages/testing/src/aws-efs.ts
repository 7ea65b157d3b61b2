import type { Synth } from "./aws.js";

/** What AWS computes for EFS (file systems, mount targets, access points): ids, ARNs, endpoints. */
export const EFS_SYNTHS: Record<string, Synth> = {};
