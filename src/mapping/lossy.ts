/**
 * What a round trip through the other format does not give back exactly, each with its reason.
 * The round-trip tests normalise exactly these and nothing else; the README lists them.
 */

export interface LossyField {
  readonly field: string;
  readonly reason: string;
}

/** ingestion events -> spans -> ingestion events, compared as merged entities. */
export const INGESTION_LOSSY_FIELDS: readonly LossyField[] = [
  {
    field: 'usage',
    reason:
      'the legacy usage object is folded into usageDetails/costDetails, which is what Langfuse itself stores for it',
  },
  { field: 'costDetails.total', reason: 'always set on the way back: Langfuse stores no total when it is missing' },
  {
    field: 'times',
    reason: 'written in UTC with 3 or 9 fractional digits: the same instant (a Python "-08:00" time comes back as "Z")',
  },
  {
    field: 'metadata values',
    reason:
      'top-level values other than strings come back as their JSON text, as OTel attributes carry them (Langfuse stores metadata values as text too)',
  },
  {
    field: 'strings holding JSON',
    reason: 'an input, output or metadata string holding a JSON object or array comes back parsed',
  },
  { field: 'empty values', reason: 'empty tags [], empty metadata {} and explicit nulls come back absent, which Langfuse treats alike' },
  { field: 'unknown body keys', reason: 'keys outside Langfuse’s schema have no OTel attribute to travel in' },
  { field: 'score timestamp', reason: 'a score comes back with its time as the envelope timestamp, not as a body field' },
  { field: 'implicit traces', reason: 'observations sent without a trace-create come back with a shallow one (id, timestamp)' },
];

/** spans -> ingestion events -> spans, compared span by span. */
export const SPANS_LOSSY_FIELDS: readonly LossyField[] = [
  {
    field: 'dialect keys',
    reason:
      'attributes that became Langfuse fields (model, usage, input, ...) come back under the langfuse.* keys and their GenAI twins, not under the dialect key they came from',
  },
  {
    field: 'trace root',
    reason:
      'the trace-create comes back as a synthetic root span above the original root, and trace-level keys come back on every span',
  },
  { field: 'added keys', reason: 'every span gains langfuse.observation.type/id, langfuse.trace.id and its trace keys' },
  { field: 'missing end time', reason: 'a span that never ended comes back ended at its start, marked langfuse.bridge.incomplete' },
  { field: 'event attributes', reason: 'an event with empty attributes comes back without an attributes object' },
];
