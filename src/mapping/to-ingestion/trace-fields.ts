/**
 * Trace-level fields a span carries (langfuse-ingestion.md 3.9, genai-conventions.md 7.2), and the
 * environment / release / version every event carries.
 */
import { apart } from '../apart.js';
import type { AttributeBag } from '../attribute-bag.js';
import { isPlainObject } from '../json.js';
import { AI, GENAI, LF, OI, OTEL, TRACELOOP } from '../keys.js';
import type { IssueSink } from '../result.js';
import { decodeJsonish, decodeJsonMetadata, toBool, toTags, toText } from '../values.js';

export interface TraceFields {
  name?: string;
  input?: unknown;
  output?: unknown;
  userId?: string;
  sessionId?: string;
  tags?: string[];
  public?: boolean;
  metadata?: Record<string, unknown>;
}

const METADATA_PREFIXES = [LF.metadataPrefix, LF.traceMetadataPrefix, LF.legacyMetadataPrefix];
const viaMetadata = (name: string): string[] => METADATA_PREFIXES.map((p) => p + name);

/** Precedence per field; the first non-empty key wins and only it is consumed. */
const USER_KEYS = [
  LF.userId,
  OTEL.userId,
  ...viaMetadata('langfuse_user_id'),
  `${AI.metadataPrefix}userId`,
  `${TRACELOOP.associationPrefix}user_id`,
  `${TRACELOOP.associationPrefix}userId`,
];
const SESSION_KEYS = [
  LF.sessionId,
  OTEL.sessionId,
  GENAI.conversationId,
  ...viaMetadata('langfuse_session_id'),
  `${AI.metadataPrefix}sessionId`,
  `${TRACELOOP.associationPrefix}session_id`,
  `${TRACELOOP.associationPrefix}sessionId`,
];
const TAG_KEYS = [LF.traceTags, LF.legacyTags, ...viaMetadata('langfuse_tags'), `${AI.metadataPrefix}tags`, OI.tags];
const PUBLIC_KEYS = [LF.tracePublic, LF.legacyPublic];
const EXPLICIT_KEYS = [LF.traceInput, LF.traceOutput, LF.traceMetadata];
const NAME_KEYS = [LF.traceName];

function takeFirst<T>(attrs: AttributeBag, all: readonly string[], read: (v: unknown) => T | undefined): T | undefined {
  // Only the keys the record's shape has can hold a value (decided once per shape).
  const keys = attrs.present(all);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const raw = attrs.peek(key);
    if (raw === undefined) continue;
    const v = read(raw);
    if (v !== undefined) {
      attrs.delete(key);
      return v;
    }
  }
  return undefined;
}

/**
 * The fields read by precedence lists, in the order they are read and set: one call of takeFirst
 * for them all, so optimised code holds it once, not once per field.
 */
const BY_PRECEDENCE: ReadonlyArray<readonly [keyof TraceFields, readonly string[], (v: unknown) => TraceFields[keyof TraceFields]]> = [
  ['userId', USER_KEYS, toText],
  ['sessionId', SESSION_KEYS, toText],
  ['tags', TAG_KEYS, toTags],
  ['public', PUBLIC_KEYS, toBool],
];

/**
 * Reads (and consumes) the trace-level attributes of a span. Name and input/output are read only
 * from explicit `langfuse.trace.*` keys here; the root-span fallback is the caller's decision.
 */
export function takeTraceFields(attrs: AttributeBag, issues: IssueSink): TraceFields {
  const out: TraceFields = {};
  // takeFirst apart (see apart.ts): six calls here, compiled once.
  const name = apart(takeFirst<string>, attrs, NAME_KEYS, toText);
  if (name !== undefined) out.name = name;
  // Trace input, output and metadata only where the record's shape has one of their keys (few records do).
  const explicit = attrs.present(EXPLICIT_KEYS).length > 0;
  if (explicit && attrs.has(LF.traceInput)) out.input = decodeJsonish(attrs.take(LF.traceInput), issues, LF.traceInput);
  if (explicit && attrs.has(LF.traceOutput)) out.output = decodeJsonish(attrs.take(LF.traceOutput), issues, LF.traceOutput);
  for (let i = 0; i < BY_PRECEDENCE.length; i++) {
    const rule = BY_PRECEDENCE[i] as (typeof BY_PRECEDENCE)[number];
    const v = apart(takeFirst<unknown>, attrs, rule[1], rule[2]);
    if (v !== undefined) (out as Record<string, unknown>)[rule[0]] = v;
  }

  const metadata: Record<string, unknown> = {};
  if (explicit && attrs.has(LF.traceMetadata)) {
    const whole = decodeJsonMetadata(attrs.take(LF.traceMetadata), issues, LF.traceMetadata);
    if (isPlainObject(whole)) Object.assign(metadata, whole);
    else metadata.metadata = whole;
  }
  const entries = attrs.takePrefix(LF.traceMetadataPrefix);
  for (let i = 0; i < entries.length; i++) {
    const k = (entries[i] as [string, unknown])[0];
    metadata[k] = decodeJsonMetadata((entries[i] as [string, unknown])[1], issues, LF.traceMetadataPrefix + k);
  }
  if (Object.keys(metadata).length > 0) out.metadata = metadata;
  return out;
}

const NORMAL_ENVIRONMENT = /^[a-z0-9_-]{1,40}$/;

/**
 * Langfuse's environment normalisation (langfuse-ingestion.md 2.3): lower case, leading
 * `langfuse`/`langfuse-`/`langfuse_` prefixes stripped repeatedly, at most 40 characters,
 * `[a-z0-9-_]` only, else `default`.
 */
export function normaliseEnvironment(raw: string): string {
  // Most environments are already normal: the checks below would leave them as they are.
  if (NORMAL_ENVIRONMENT.test(raw) && !raw.startsWith('langfuse')) return raw;
  let env = raw.toLowerCase();
  for (;;) {
    const next = env.replace(/^langfuse[-_]?/, '');
    if (next === env) break;
    env = next;
  }
  env = env.slice(0, 40);
  return env.length > 0 && /^[a-z0-9_-]+$/.test(env) ? env : 'default';
}

export interface CommonFields {
  environment?: string;
  release?: string;
  version?: string;
}

/** Span attribute first, then resource attribute, for each key in order. */
function spanOrResource(
  attrs: AttributeBag | undefined,
  resource: Readonly<Record<string, unknown>>,
  keys: readonly string[],
): string | undefined {
  // Only keys of the record's shape can hold a value (most records have none of these), and
  // most resources have none of them either: neither is read where it cannot give anything.
  const inSpan = attrs !== undefined && attrs.present(keys).length > 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (inSpan) {
      const fromSpan = toText((attrs as AttributeBag).peek(key));
      if (fromSpan !== undefined) {
        (attrs as AttributeBag).delete(key);
        return fromSpan;
      }
    }
    const raw = resource[key];
    if (raw !== undefined) {
      const fromResource = toText(raw);
      if (fromResource !== undefined) return fromResource;
    }
  }
  return undefined;
}

const ENVIRONMENT_KEYS = [LF.environment, OTEL.deploymentEnvironmentName, OTEL.deploymentEnvironment];
const RELEASE_KEYS = [LF.release];
const VERSION_KEYS = [LF.version, OTEL.serviceVersion];

/** Environment, release and version: of the span's keys first (none when `attrs` is undefined), then of the resource, then the defaults. */
export function takeCommonFields(
  attrs: AttributeBag | undefined,
  resource: Readonly<Record<string, unknown>>,
  defaults: CommonFields,
): CommonFields {
  const out: CommonFields = {};
  // Three calls of one reader: apart (see apart.ts), so that it is compiled once, not four times.
  const env = apart(spanOrResource, attrs, resource, ENVIRONMENT_KEYS) ?? defaults.environment;
  if (env !== undefined) out.environment = normaliseEnvironment(env);
  const release = apart(spanOrResource, attrs, resource, RELEASE_KEYS) ?? defaults.release;
  if (release !== undefined) out.release = release;
  const version = apart(spanOrResource, attrs, resource, VERSION_KEYS);
  if (version !== undefined) out.version = version;
  return out;
}
