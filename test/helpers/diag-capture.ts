/** The messages `diag` logs at WARN and above from now on (tests reset it with `diag.disable()`). */
import { DiagLogLevel, diag } from '@opentelemetry/api';

export function captureWarnings(): string[] {
  const seen: string[] = [];
  const log = (m: string): void => void seen.push(m);
  diag.setLogger({ error: log, warn: log, info: log, debug: log, verbose: log }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return seen;
}
