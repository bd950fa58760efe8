/**
 * Which endpoint a request is for, and whether its method is allowed there. Langfuse paths are
 * matched under any base path (a client's base URL may carry a prefix behind a proxy).
 */
import { HEALTH_PATH, INGESTION_PATH, PROJECTS_PATH } from '../../ingestion-api/api.js';
import { HttpError } from './errors.js';

export type Route = 'ingestion' | 'health' | 'projects' | 'metrics';

const METHODS: Readonly<Record<Route, readonly string[]>> = {
  ingestion: ['POST'],
  health: ['GET', 'HEAD'],
  projects: ['GET'],
  metrics: ['GET'],
};

/** The route of a request URL; 404 for anything else (prompts, datasets and the rest stay with Langfuse). */
export function routeOf(url: string | undefined): Route {
  const path = (url ?? '/').split('?')[0] ?? '/';
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (trimmed.endsWith(INGESTION_PATH)) return 'ingestion';
  if (trimmed.endsWith(HEALTH_PATH)) return 'health';
  if (trimmed.endsWith(PROJECTS_PATH)) return 'projects';
  if (trimmed === '/metrics') return 'metrics';
  throw new HttpError(
    404,
    `Not served here: otel-langfuse-bridge receives POST ${INGESTION_PATH} (traces, observations, scores); ` +
      'prompts, datasets and the other Langfuse APIs stay with Langfuse',
  );
}

/**
 * 405 with `Allow` for a method the route does not take. A CORS preflight (OPTIONS) is answered
 * the same way and never gets an `Access-Control-Allow-*` grant: browsers may not post here.
 */
export function checkMethod(route: Route, method: string | undefined): void {
  const allowed = METHODS[route];
  if (!allowed.includes(method ?? '')) throw new HttpError(405, `Method ${method ?? ''} not allowed`, { allow: allowed.join(', ') });
}
