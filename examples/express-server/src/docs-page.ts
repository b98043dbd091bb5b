import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express from 'express';
import { PROBLEM_TYPES, type ProblemCode, problemType } from './problem-details.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** Where swagger-ui-dist's files are (served as they are: no CDN, works offline). */
function swaggerUiDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

const STYLE = `body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d2330;background:#fff}
.docs-header{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:baseline;padding:12px 20px;border-bottom:1px solid #e2e6ee}
.docs-header h1{font-size:20px;margin:0}.docs-header a{color:#2f6fdf}
.problems{max-width:1460px;margin:0 auto;padding:0 20px 40px}
.problems table{border-collapse:collapse;width:100%;font-size:14px}
.problems td,.problems th{border-bottom:1px solid #eef0f4;text-align:left;padding:6px 8px;vertical-align:top}
.problems tr:target{background:#fff6d6}
.problems code{font-family:ui-monospace,monospace;background:#f1f3f7;padding:0 3px;border-radius:3px}`;

/** The script that starts Swagger UI (served as a file, so the page needs no inline script). */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: false,
    persistAuthorization: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    filter: true,
    presets: [SwaggerUIBundle.presets.apis],
    onComplete: function () {
      // Problem links (/docs#problem-…) point below the reference, which renders late.
      if (location.hash.indexOf('#problem-') === 0) {
        var target = document.getElementById(location.hash.slice(1));
        if (target) target.scrollIntoView();
      }
    },
  });
});
`;

/** The /docs page: Swagger UI over /openapi.json, then the problem codes problem `type`s link to. */
export function renderDocsPage(document: object): string {
  const info = ((document as { info?: { title?: unknown; version?: unknown } }).info ?? {}) as {
    title?: unknown;
    version?: unknown;
  };
  const title = String(info.title ?? 'API');
  const problems = (
    Object.entries(PROBLEM_TYPES) as [ProblemCode, { status: number; title: string }][]
  )
    .map(
      ([code, entry]) =>
        `<tr id="${escapeHtml(problemType(code).split('#')[1] ?? code)}"><td><code>${code}</code></td><td>${entry.status}</td><td>${escapeHtml(entry.title)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} — API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"><style>${STYLE}</style></head>
<body>
<header class="docs-header"><h1>${escapeHtml(title)} <small>${escapeHtml(String(info.version ?? ''))}</small></h1>
<span>Press <strong>Authorize</strong>, paste an API key, then <strong>Try it out</strong> on any operation.</span>
<a href="/openapi.json">openapi.json</a><a href="/dashboard">Dashboard</a><a href="#problems">Problem codes</a></header>
<main><div id="swagger-ui"></div>
<section class="problems" aria-labelledby="problems"><h2 id="problems">Problem codes</h2>
<p>Every error is <code>application/problem+json</code>: <code>{ type, title, status, detail, code, errors?, shortfalls?, failed? }</code>; its <code>type</code> links to its row here.</p>
<table><thead><tr><th>code</th><th>status</th><th>meaning</th></tr></thead><tbody>${problems}</tbody></table></section></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;
}

/** Serves /docs: the page, its start script and Swagger UI's files. */
export function docsRouter(document: object): express.Router {
  const html = renderDocsPage(document);
  const router = express.Router();
  router.get('/docs', (_request, response) => {
    response.locals.route = '/docs';
    response.type('html').send(html);
  });
  router.get('/docs/init.js', (_request, response) => {
    response.locals.route = '/docs/init.js';
    response.type('application/javascript').send(INIT_SCRIPT);
  });
  router.use('/docs/assets', express.static(swaggerUiDirectory(), { index: false, maxAge: '1d' }));
  return router;
}
