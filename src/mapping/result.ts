/**
 * Every mapping returns `{ value, issues }` and throws only on programmer error.
 * Each drop, truncation, repair or guess is recorded as a {@link MappingIssue}.
 */

/** The closed set of issue codes. Adding a code is an API change: document it in the README. */
export type IssueCode =
  /** A span or event lacks a required id, or the id is malformed. */
  | 'INVALID_ID'
  /** A time is missing, NaN, out of range or unparsable. */
  | 'INVALID_TIME'
  /** A span never received an end time; it is emitted with end = start and an incomplete marker. */
  | 'MISSING_END_TIME'
  /** An attribute that should hold JSON does not; the raw string is kept. */
  | 'INVALID_JSON'
  /** OTLP/protobuf bytes are malformed at the byte offset the message names; the damaged part is skipped. */
  | 'INVALID_PROTOBUF'
  /** A value has the wrong type for its field; it is kept in metadata instead. */
  | 'INVALID_VALUE'
  /** A value was cut to a size limit. */
  | 'TRUNCATED'
  /** A key that could pollute prototypes (`__proto__`, `constructor`, `prototype`) was dropped. */
  | 'HOSTILE_KEY'
  /** A usage count was not a non-negative integer and was dropped or floored. */
  | 'INVALID_USAGE'
  /** A cost value was not a non-negative finite number and was dropped. */
  | 'INVALID_COST'
  /** A whole input item (span, event) could not be read at all and was skipped. */
  | 'SKIPPED'
  /** An ingestion event failed schema validation. */
  | 'SCHEMA_VIOLATION'
  /** An event type the mapping does not carry over (for example `sdk-log`). */
  | 'UNSUPPORTED_EVENT'
  /** An observation refers to a parent that is not in the input. */
  | 'UNKNOWN_PARENT'
  /** A streamed event arrived after its trace was emitted; its entity is emitted again. */
  | 'LATE_EVENT';

export interface MappingIssue {
  readonly code: IssueCode;
  /** OTel span id (16 hex) of the span the issue is about, when there is one. */
  readonly spanId?: string;
  /** Envelope id of the ingestion event the issue is about, when there is one. */
  readonly eventId?: string;
  /** Where in the item: an attribute key or a field path such as `body.usageDetails.input`. */
  readonly path?: string;
  readonly message: string;
}

export interface MappingResult<T> {
  readonly value: T;
  readonly issues: readonly MappingIssue[];
}

/** Collects issues into one list, stamping each with the id of the item being mapped. */
export class IssueSink {
  readonly issues: MappingIssue[];
  private readonly _base: { spanId?: string; eventId?: string };

  constructor(base: { spanId?: string; eventId?: string } = {}, issues: MappingIssue[] = []) {
    this._base = base;
    this.issues = issues;
  }

  add(code: IssueCode, message: string, path?: string): void {
    this.issues.push({ code, ...this._base, ...(path === undefined ? {} : { path }), message });
  }

  /** A sink for another item that appends to the same list. */
  forItem(base: { spanId?: string; eventId?: string }): IssueSink {
    return new IssueSink(base, this.issues);
  }
}
