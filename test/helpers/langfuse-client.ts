/**
 * One support-chat trace sent by the real `langfuse` v3 client (what an app on the legacy SDK
 * posts): a span with an event and a generation under it, a failed generation, a score. Resolves
 * once the client has flushed and shut down, with the errors it reported.
 */
import { Langfuse } from 'langfuse';

export async function sendSupportChat(baseUrl: string, keys: { publicKey: string; secretKey: string }): Promise<unknown[]> {
  const problems: unknown[] = [];
  const langfuse = new Langfuse({ ...keys, baseUrl, flushAt: 1000, flushInterval: 0, fetchRetryCount: 0 });
  langfuse.on('error', (e: unknown) => problems.push(e));
  const t0 = Date.parse('2025-03-01T10:00:00.000Z');
  const trace = langfuse.trace({ name: 'support-chat', userId: 'user-42', sessionId: 'session-7', input: { q: 'Where is my order?' }, timestamp: new Date(t0) });
  const span = trace.span({ name: 'handle-request', startTime: new Date(t0) });
  span.event({ name: 'cache-miss', startTime: new Date(t0 + 100) });
  const generation = span.generation({ name: 'answer', startTime: new Date(t0 + 200), model: 'gpt-4o-mini', input: [{ role: 'user', content: 'Where?' }] });
  generation.end({ output: 'Tomorrow.', usageDetails: { input: 120, output: 30 } });
  const failed = trace.generation({ name: 'moderation', startTime: new Date(t0 + 1000), model: 'omni-moderation-latest' });
  failed.update({ level: 'ERROR', statusMessage: 'upstream 503' });
  failed.end();
  trace.score({ name: 'user-feedback', value: 1 });
  span.end();
  await langfuse.flushAsync();
  await langfuse.shutdownAsync();
  return problems;
}
