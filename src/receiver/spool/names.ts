/**
 * Names of the spool's files. Numbers are zero-padded so a directory listing sorts like the
 * numbers (a number past the padding just gets longer). Only names exactly as written here are
 * the spool's; anything else in the directory is left alone.
 */

const SEGMENT = /^seg-(\d+)\.log$/;
const ACK = /^seg-(\d+)\.ack$/;
const SEEN = /^seen-(\d+)\.ids$/;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `seg-0000000001.log`: the records. */
export const segmentName = (segment: number): string => `seg-${pad(segment, 10)}.log`;
/** `seg-0000000001.ack`: the done marks of that segment's keys. */
export const ackName = (segment: number): string => `seg-${pad(segment, 10)}.ack`;
/** `seen-000001767225600000.ids`: the key hashes of one dedupe generation, by its start (ms). */
export const seenName = (startMillis: number): string => `seen-${pad(startMillis, 18)}.ids`;

export type SpoolFileName =
  | { readonly kind: 'segment'; readonly number: number }
  | { readonly kind: 'ack'; readonly number: number }
  | { readonly kind: 'seen'; readonly number: number };

/** What a directory entry is; undefined for anything else (left alone). */
export function parseName(name: string): SpoolFileName | undefined {
  for (const [kind, re, format] of [
    ['segment', SEGMENT, segmentName],
    ['ack', ACK, ackName],
    ['seen', SEEN, seenName],
  ] as const) {
    const m = re.exec(name);
    if (m === null) continue;
    const number = Number(m[1]);
    return Number.isSafeInteger(number) && format(number) === name ? { kind, number } : undefined;
  }
  return undefined;
}
