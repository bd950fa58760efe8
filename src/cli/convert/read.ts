/**
 * What one input holds, item by item: parsed JSON documents (JSON Lines, or one document over
 * many lines) or pieces of an OTLP protobuf request, told apart by ./detect.ts.
 */
import { isJsonLinesName, isProtobufInput } from './detect.js';
import { readDocuments } from './documents.js';
import type { Document } from './documents.js';
import { splitLines } from './lines.js';
import { readProtobufRequests } from './protobuf.js';
import type { ProtobufPiece } from './protobuf.js';
import { openSource } from './source.js';

export type InputItems = { readonly kind: 'json'; readonly groups: AsyncIterable<Iterable<Document>> } | { readonly kind: 'protobuf'; readonly pieces: AsyncIterable<ProtobufPiece> };

/** Opens `path` (`-` for stdin) and tells its format. Rejects when it cannot be opened. */
export async function readInput(path: string, stdin: NodeJS.ReadableStream, maxItemBytes: number, onRead: (bytes: number) => void): Promise<InputItems> {
  const source = await openSource(path, stdin, onRead);
  if (isProtobufInput(path, source.head)) return { kind: 'protobuf', pieces: readProtobufRequests(source.chunks, maxItemBytes) };
  const name = path === '-' ? 'stdin' : path;
  // The lines are views of the chunks, decoded and parsed before the next chunk but one is read: buffers can be used again.
  return { kind: 'json', groups: readDocuments(name, splitLines(source.reusing, maxItemBytes), isJsonLinesName(path), maxItemBytes) };
}
