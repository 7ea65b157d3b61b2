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

/**
 * Applies an optional transform and returns the args and options to create the child with. The
 * transform works on copies (of the options, the args and their `tags`): components share one
 * options object and one tags map between children, and one child's transform must not change
 * its siblings.
 */
export function transformed<Args, Opts>(
  transform: Transform<Args, Opts> | undefined,
  args: Args,
  opts: Opts,
): [Args, Opts] {
  if (!transform) return [args, opts];
  const ownOpts = { ...opts };
  const ownArgs = { ...args } as Args & { tags?: unknown };
  if (ownArgs.tags !== null && typeof ownArgs.tags === "object" && !Array.isArray(ownArgs.tags)) {
    ownArgs.tags = { ...(ownArgs.tags as object) };
  }
  const result = transform(ownArgs, ownOpts);
  return [result ?? ownArgs, ownOpts];
}
