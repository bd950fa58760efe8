/**
 * Every command logs through OpenTelemetry's `diag` with a DiagConsoleLogger, at the level
 * `OTEL_LOG_LEVEL` names (NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL; default INFO), as every
 * OTel SDK does. A command whose stdout carries data (`convert`, `map`) sends every level to
 * stderr, so no log line can land in its output; `serve`, whose stdout is for people (trace
 * trees), keeps the console's own channels.
 */
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';

type Env = Readonly<Record<string, string | undefined>>;

const LEVELS: Readonly<Record<string, DiagLogLevel>> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

/** The level `OTEL_LOG_LEVEL` names; `fallback` (INFO) when unset or not a level. */
export function logLevel(text: string | undefined, fallback: DiagLogLevel = DiagLogLevel.INFO): DiagLogLevel {
  if (text === undefined || text.trim() === '') return fallback;
  return LEVELS[text.trim().toUpperCase()] ?? fallback;
}

/** Where log lines go: the console's channels (info and debug on stdout), or stderr for every level. */
export type LogChannel = 'console' | 'stderr';

/** The DiagConsoleLogger, with every level on the console's error channel (stderr) when asked. */
function consoleLogger(channel: LogChannel): DiagLogger {
  const logger = new DiagConsoleLogger();
  if (channel === 'console') return logger;
  return { error: logger.error, warn: logger.error, info: logger.error, debug: logger.error, verbose: logger.error };
}

export function setUpLogging(env: Env = process.env, channel: LogChannel = 'console'): void {
  diag.setLogger(consoleLogger(channel), { logLevel: logLevel(env.OTEL_LOG_LEVEL), suppressOverrideMessage: true });
  const raw = env.OTEL_LOG_LEVEL;
  if (raw !== undefined && raw.trim() !== '' && LEVELS[raw.trim().toUpperCase()] === undefined) {
    diag.warn(`OTEL_LOG_LEVEL=${JSON.stringify(raw.slice(0, 20))} is not a level (NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL); using INFO`);
  }
}
