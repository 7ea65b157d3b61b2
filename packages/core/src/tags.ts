/** Merges tag maps left to right, dropping undefined values. */
export function mergeTags(
  ...maps: (Record<string, string | undefined> | undefined)[]
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m ?? {})) if (v !== undefined) out[k] = v;
  return out;
}
