/**
 * An input the importer cannot read (not a compose file, bad YAML, an unset variable, a missing
 * env file): reported on stderr as one message, usually `file:line:column: …`, with exit code 1.
 */
export class ImportError extends Error {
  override name = "ImportError";
}
