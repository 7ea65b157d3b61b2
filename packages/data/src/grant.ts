/**
 * Checks an access level a grant function was given (a manifest's `uses` is checked before, with
 * file and line; this guards direct callers) and returns it typed.
 *
 * @example
 * checkAccess("berth:data:Bucket", "uploads", BUCKET_ACCESS, "write");
 * // throws: berth:data:Bucket 'uploads' offers access "readwrite" or "read", not "write"
 */
export function checkAccess<A extends string>(
  type: string,
  name: string,
  levels: readonly A[],
  access: string,
): A {
  if (!(levels as readonly string[]).includes(access)) {
    throw new Error(
      `${type} '${name}' offers access ${levels.map((a) => JSON.stringify(a)).join(" or ")}, not ${JSON.stringify(access)}`,
    );
  }
  return access as A;
}
