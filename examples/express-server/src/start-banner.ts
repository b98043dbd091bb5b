import type { RunningService } from './start-service.js';

/**
 * What `npm start` prints once the server listens: where things are and what to do next. The
 * key itself is shown only on the first start (when it was generated); later starts name the
 * file it is kept in.
 */
export async function startBanner(service: RunningService, host = 'localhost'): Promise<string> {
  const base = `http://${host}:${service.port}`;
  const empty = await service.stockroom.store.reads
    .warehouses({ limit: 1, cursor: null })
    .then((page) => page.items.length === 0)
    .catch(() => false);
  const lines: string[] = ['', `  stockroom is listening on ${base}`, ''];
  let keyText = '<your admin key>';
  if (service.adminKey?.created) {
    lines.push(
      `  It generated an admin API key (kept in ${service.adminKey.path}):`,
      '',
      `    ${service.adminKey.key}`,
      '',
    );
    keyText = service.adminKey.key;
  } else if (service.adminKey) {
    lines.push(`  Admin API key: in ${service.adminKey.path}`, '');
    keyText = `$(cat ${service.adminKey.path})`;
  } else {
    lines.push("  API keys: from STOCKROOM_API_KEYS (and the CLI's key file)", '');
  }
  const next: Array<[string, string]> = [];
  if (empty) {
    next.push([
      'npm run seed',
      'load the demo data (5 warehouses, 300 SKUs), from another terminal',
    ]);
  }
  next.push(
    [`${base}/dashboard`, 'stock, alerts, reservations and live events (sign in with the key)'],
    [`${base}/docs`, 'the API reference: "Authorize" with the key, then "Try it out"'],
    ['npm run stockroom -- keys create --role readonly', 'a key for someone else (the CLI)'],
    ['examples/express-server/README.md', 'a five-minute tour with curl'],
  );
  const width = Math.max(...next.map(([what]) => what.length));
  lines.push('  Next:', ...next.map(([what, why]) => `    ${what.padEnd(width)}  ${why}`));
  lines.push(
    '',
    '  Try it:',
    `    curl -s -H "Authorization: Bearer ${keyText}" "${base}/api/v1/inventory/check?sku=TSHIRT-BLACK-M&quantity=1"`,
    '',
  );
  return `${lines.join('\n')}\n`;
}
