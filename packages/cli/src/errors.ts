/** A mistake on the command line: reported on stderr with exit code 2, never with a stack trace. */
export class UsageError extends Error {}
