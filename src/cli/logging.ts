/**
 * The command line logs through OpenTelemetry's `diag` with a DiagConsoleLogger, at the level
 * `OTEL_LOG_LEVEL` names (NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL; default INFO), as every
 * OTel SDK does.
 */
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';

const LEVELS: Readonly<Record<string, DiagLogLevel>> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

/** The level `OTEL_LOG_LEVEL` names; undefined (with the default) for an unknown name. */
export function logLevel(text: string | undefined, fallback: DiagLogLevel = DiagLogLevel.INFO): DiagLogLevel {
  if (text === undefined || text.trim() === '') return fallback;
  return LEVELS[text.trim().toUpperCase()] ?? fallback;
}

export function setUpLogging(env: Readonly<Record<string, string | undefined>> = process.env): void {
  const level = logLevel(env.OTEL_LOG_LEVEL);
  diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });
  const raw = env.OTEL_LOG_LEVEL;
  if (raw !== undefined && raw.trim() !== '' && LEVELS[raw.trim().toUpperCase()] === undefined) {
    diag.warn(`OTEL_LOG_LEVEL=${JSON.stringify(raw.slice(0, 20))} is not a level (NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL); using INFO`);
  }
}
