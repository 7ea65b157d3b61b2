import type * as pulumi from "@pulumi/pulumi";

/**
 * The escape hatch on every child resource: receives the args and options Berth computed and may
 * change them in place or return replacements.
 *
 * @example
 * transform: { logGroup: (args) => { args.retentionInDays = 400; } }
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a transform may change args in place (returning nothing) or return new ones
export type Transform<Args, Opts = pulumi.CustomResourceOptions> = (args: Args, opts: Opts) => void | Args;

/** Applies an optional transform and returns the args and options to create the child with. */
export function transformed<Args, Opts>(
  transform: Transform<Args, Opts> | undefined,
  args: Args,
  opts: Opts,
): [Args, Opts] {
  if (!transform) return [args, opts];
  const result = transform(args, opts);
  return [result ?? args, opts];
}
