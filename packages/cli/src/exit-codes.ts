/** The `stockroom` command's exit codes, for scripts. */
export const ExitCode = {
  /** Done, nothing to report. */
  OK: 0,
  /** The command failed (store unreachable, unreadable file, unexpected error). */
  FAILED: 1,
  /** The command was called wrongly (unknown option, bad value). */
  USAGE: 2,
  /** Done, with findings: rows that failed an import, discrepancies a reconcile did not repair. */
  FINDINGS: 3,
  /** What the command names does not exist (an API key id). */
  NOT_FOUND: 4,
} as const;

/** One of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
