import type { ApiKeyRing } from './auth.js';

/** What stands in for a secret in a log line. */
export const REDACTED = '[redacted]';

/**
 * Names of headers and query parameters that carry secrets, whatever their value: credentials a
 * client may send by mistake (`?api_key=`, `X-API-Key`, `Cookie`…) never reach the log.
 */
const SECRET_NAME = /auth|key|token|secret|pass|cookie|session|signature|credential|bearer/i;

/** A request as pino's standard serializer shapes it. */
interface SerializedRequest {
  url?: unknown;
  query?: unknown;
  params?: unknown;
  headers?: unknown;
  [field: string]: unknown;
}

function scrubText(value: string, keys: ApiKeyRing): string {
  return keys.containsKey(value) ? REDACTED : value;
}

function scrubUrl(url: string, keys: ApiKeyRing): string {
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const safePath = path
    .split('/')
    .map((segment) => (scrubText(safeDecode(segment), keys) === REDACTED ? REDACTED : segment))
    .join('/');
  if (mark === -1) return safePath;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = safeDecode(equals === -1 ? pair : pair.slice(0, equals));
      const value = equals === -1 ? '' : safeDecode(pair.slice(equals + 1));
      if (equals === -1) return keys.containsKey(name) ? REDACTED : pair;
      if (SECRET_NAME.test(name) || keys.containsKey(value)) {
        return `${pair.slice(0, equals)}=${REDACTED}`;
      }
      return pair;
    })
    .join('&');
  return `${safePath}?${query}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

function scrubRecord(record: unknown, keys: ApiKeyRing): unknown {
  if (typeof record !== 'object' || record === null) return record;
  const scrubbed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    const safeName = keys.containsKey(name) ? REDACTED : name;
    scrubbed[safeName] = SECRET_NAME.test(name) ? REDACTED : scrubValue(value, keys);
  }
  return scrubbed;
}

function scrubValue(value: unknown, keys: ApiKeyRing): unknown {
  if (typeof value === 'string') return scrubText(value, keys);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, keys));
  if (typeof value === 'object' && value !== null) return scrubRecord(value, keys);
  return value;
}

/**
 * The request serializer of the HTTP log: the URL's secret-looking query values, the
 * `Authorization`, `Cookie`, `X-API-Key`… headers, and any header, query value or path segment
 * that holds a configured API key are replaced by `[redacted]`.
 */
export function requestLogSerializer(keys: ApiKeyRing) {
  return (request: SerializedRequest): SerializedRequest => {
    const scrubbed: SerializedRequest = { ...request };
    if (typeof request.url === 'string') scrubbed.url = scrubUrl(request.url, keys);
    if (request.query !== undefined) scrubbed.query = scrubRecord(request.query, keys);
    if (request.params !== undefined) scrubbed.params = scrubRecord(request.params, keys);
    if (request.headers !== undefined) scrubbed.headers = scrubRecord(request.headers, keys);
    delete scrubbed.raw;
    return scrubbed;
  };
}
