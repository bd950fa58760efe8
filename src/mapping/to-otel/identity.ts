/**
 * What a late update needs from an observation already sent: the fields fixed at its start (its
 * start time, name, parent and trace). TraceGroups remembers one per observation sent, tens of
 * thousands at a time, so it is kept as one flat string when it can be: the fields joined by NUL
 * after a character telling which are there (one string instead of an object and four strings).
 * An identity that one string cannot carry exactly (a start that is not a string, a field holding
 * a NUL) is kept as the object.
 */

/** The fields besides the start that a late update takes from the observation's first emission. */
export const IDENTITY_FIELDS = ['name', 'parentObservationId', 'traceId'] as const;

type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** An observation's identity: `startTime` as it was, and each of {@link IDENTITY_FIELDS} when a string. */
export type Identity = { startTime: unknown } & Partial<Record<IdentityField, string>>;

/** An identity as remembered. */
export type PackedIdentity = string | Identity;

const NUL = '\u0000';
/** The first character: 0x40 plus one bit per field present (name 1, parent 2, trace 4). */
const PRESENT = 0x40;

/** The identity of an observation's body. */
export function identityOf(body: Record<string, unknown>): Identity {
  const out: Identity = { startTime: body.startTime };
  for (const field of IDENTITY_FIELDS) if (typeof body[field] === 'string') out[field] = body[field];
  return out;
}

/** {@link identityOf}, packed. */
export function packedIdentityOf(body: Record<string, unknown>): PackedIdentity {
  const startTime = body.startTime;
  if (typeof startTime !== 'string' || startTime.includes(NUL)) return identityOf(body);
  const parts = [startTime, '', '', ''];
  let present = 0;
  for (let i = 0; i < IDENTITY_FIELDS.length; i++) {
    const value = body[IDENTITY_FIELDS[i] as IdentityField];
    if (typeof value !== 'string') continue;
    if (value.includes(NUL)) return identityOf(body);
    parts[i + 1] = value;
    present |= 1 << i;
  }
  // A join makes one flat string (a concatenation would keep its parts alive).
  return String.fromCharCode(PRESENT | present) + parts.join(NUL);
}

/** The identity a {@link packedIdentityOf} holds. */
export function unpackIdentity(packed: PackedIdentity): Identity {
  if (typeof packed !== 'string') return packed;
  const present = packed.charCodeAt(0) & ~PRESENT;
  const parts = packed.slice(1).split(NUL);
  const out: Identity = { startTime: parts[0] };
  for (let i = 0; i < IDENTITY_FIELDS.length; i++) if ((present & (1 << i)) !== 0) out[IDENTITY_FIELDS[i] as IdentityField] = parts[i + 1] as string;
  return out;
}
