/** Exit codes of every command: 0 clean, 1 some items had issues (or failed), 2 usage error. */
export type ExitCode = 0 | 1 | 2;
