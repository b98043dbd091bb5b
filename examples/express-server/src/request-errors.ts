import { HttpProblem } from './problem-details.js';

/**
 * Errors raised before a route runs — body-parser's (too large, malformed JSON, a body that
 * cannot be decompressed or decoded) and the router's (a path that is not percent-encoded UTF-8)
 * — as problems in our own words. Any other error that carries a 4xx `status` or `statusCode`
 * is a client error too: it answers 400, never 500.
 */
export function translateRequestError(error: unknown): HttpProblem | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: number }).limit;
    return new HttpProblem(
      'PAYLOAD_TOO_LARGE',
      `The body is larger than ${limit === undefined ? 'allowed' : `${limit} bytes`}`,
    );
  }
  if (type === 'entity.parse.failed') {
    return new HttpProblem('VALIDATION_FAILED', 'The body is not valid JSON', {
      errors: [{ path: 'body', message: 'is not valid JSON' }],
    });
  }
  if (type === 'encoding.unsupported') {
    return new HttpProblem('VALIDATION_FAILED', 'The body could not be read', {
      errors: [{ path: 'Content-Encoding', message: 'must be identity, gzip, deflate or br' }],
    });
  }
  if (type === 'charset.unsupported') {
    return new HttpProblem('VALIDATION_FAILED', 'The body could not be read', {
      errors: [{ path: 'Content-Type', message: 'must have charset utf-8 (or none)' }],
    });
  }
  if (error instanceof URIError) {
    return new HttpProblem('VALIDATION_FAILED', 'The path is not valid percent-encoded UTF-8', {
      errors: [{ path: 'path', message: 'is not valid percent-encoded UTF-8' }],
    });
  }
  const status = statusOfError(error);
  if (status === undefined || status < 400 || status > 499) return undefined;
  if (status === 413) return new HttpProblem('PAYLOAD_TOO_LARGE', 'The body is too large');
  return new HttpProblem('VALIDATION_FAILED', 'The body could not be read', {
    errors: [{ path: 'body', message: 'could not be read as sent (check Content-Encoding)' }],
  });
}

function statusOfError(error: object): number | undefined {
  for (const field of ['status', 'statusCode'] as const) {
    const value = (error as Record<string, unknown>)[field];
    if (typeof value === 'number' && Number.isInteger(value)) return value;
  }
  return undefined;
}

/**
 * A path or query string that is not percent-encoded UTF-8 (`/%ff`, `?sku=%ED%A0%80`, a lone
 * surrogate), as the 400 every route answers before anything reads it (the query parser would
 * otherwise keep `%ff` as text, or turn it into U+FFFD); undefined for a readable URL.
 */
export function percentEncodingProblem(url: string): HttpProblem | undefined {
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  try {
    decodeURIComponent(path);
  } catch {
    return new HttpProblem('VALIDATION_FAILED', 'The path is not valid percent-encoded UTF-8', {
      errors: [{ path: 'path', message: 'is not valid percent-encoded UTF-8' }],
    });
  }
  if (mark === -1) return undefined;
  try {
    for (const part of url.slice(mark + 1).split(/[&=]/)) {
      decodeURIComponent(part.replaceAll('+', ' '));
    }
  } catch {
    return new HttpProblem(
      'VALIDATION_FAILED',
      'The query string is not valid percent-encoded UTF-8',
      {
        errors: [{ path: 'query', message: 'is not valid percent-encoded UTF-8' }],
      },
    );
  }
  return undefined;
}
