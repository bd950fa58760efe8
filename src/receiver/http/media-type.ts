/**
 * The media type of an ingestion request must be exactly `application/json` (parameters such as
 * `charset=utf-8` allowed). Anything looser would let any web page post traces: browsers send
 * `text/plain` (even `text/plain;application/json`) cross-origin without a preflight.
 */
import { HttpError } from './errors.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function checkMediaType(header: string | undefined): void {
  const [type = '', ...params] = (header ?? '').split(';');
  if (type.trim().toLowerCase() !== 'application/json') {
    throw new HttpError(415, 'Content-Type must be application/json');
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (!TOKEN.test(name)) throw new HttpError(415, 'Content-Type has a malformed parameter');
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') throw new HttpError(415, 'Content-Type charset must be utf-8');
  }
}
