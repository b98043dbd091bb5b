import { fileURLToPath } from 'node:url';
import express from 'express';

/** The dashboard's static files (HTML, JS, CSS), beside `src/` and `dist/`. */
export const DASHBOARD_DIRECTORY = fileURLToPath(new URL('../dashboard/', import.meta.url));

/**
 * Serves the operator dashboard at /dashboard (static files; it calls the API with the key the
 * user signs in with, kept in the tab's sessionStorage) and redirects `GET /` to it.
 */
export function dashboardRouter(): express.Router {
  const router = express.Router();
  router.get('/', (_request, response) => {
    response.locals.route = '/';
    response.redirect(302, '/dashboard/');
  });
  router.use('/dashboard', (_request, response, next) => {
    // One metrics label for the page and its files.
    response.locals.route = '/dashboard';
    next();
  });
  router.get('/dashboard', (request, response, next) => {
    // Relative asset URLs need the trailing slash.
    if (!request.originalUrl.split('?')[0]?.endsWith('/')) {
      response.redirect(301, '/dashboard/');
      return;
    }
    next();
  });
  router.use(
    '/dashboard',
    express.static(DASHBOARD_DIRECTORY, {
      index: 'index.html',
      redirect: false,
      setHeaders(response) {
        response.setHeader('Cache-Control', 'no-cache');
        response.setHeader('X-Content-Type-Options', 'nosniff');
        response.setHeader(
          'Content-Security-Policy',
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        );
      },
    }),
  );
  return router;
}

/** The operator pages and the event stream, as OpenAPI paths (added to the generated document). */
export function operatorPaths(): Record<string, unknown> {
  const html = {
    200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } },
  };
  return {
    '/': {
      get: {
        operationId: 'root',
        tags: ['Operations'],
        summary: 'Redirects to the dashboard',
        responses: { 302: { description: 'To /dashboard' } },
      },
    },
    '/dashboard/': {
      get: {
        operationId: 'dashboard',
        tags: ['Operations'],
        summary: 'The operator dashboard (sign in with an API key)',
        responses: html,
      },
    },
    '/api/v1/events/stream': {
      get: {
        operationId: 'eventStream',
        tags: ['Events'],
        summary: 'Server-sent events: every event as the outbox relay delivers it',
        description:
          'A `text/event-stream`: one message per CloudEvent, `event` = its type, `id` = its id, `data` = the CloudEvent as JSON. On connect the last 100 events are sent first (only those after `Last-Event-ID` when given). A comment line every 15 s keeps proxies from closing it. Any role.',
        security: [{ apiKey: [] }],
        'x-roles': ['admin', 'storefront', 'readonly'],
        parameters: [
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description: 'Resume after this event id',
          },
        ],
        responses: {
          200: {
            description: 'The stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          401: {
            description: 'No or an unknown API key',
            content: {
              'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
            },
          },
        },
      },
    },
  };
}
