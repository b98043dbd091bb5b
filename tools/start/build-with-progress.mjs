#!/usr/bin/env node
// Builds the example server and the packages it needs (turbo, cached), printing what it does:
// `npm start` and `npm run seed` run this first so a first build (about a minute on two cores)
// is not a silent wait. The build's own output is shown only when it fails.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const turbo = join(
  root,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'turbo.cmd' : 'turbo',
);
if (!existsSync(turbo)) {
  process.stderr.write('stockroom: turbo is not installed; run `npm install` first\n');
  process.exit(1);
}

const started = Date.now();
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
const say = (line) => process.stdout.write(`stockroom: ${line}\n`);
const output = [];
const building = new Set();
const cached = new Set();
let tail = '';

say('building the server and the packages it needs (cached after the first time)…');
const child = spawn(
  turbo,
  [
    'run',
    'build',
    '--filter=@stockroom/example-express-server...',
    '--output-logs=full',
    '--no-color',
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
);
const onData = (chunk) => {
  const text = tail + chunk.toString('utf8');
  const lines = text.split('\n');
  tail = lines.pop() ?? '';
  for (const line of lines) {
    output.push(line);
    const match = /^(@?[\w./-]+):build: (.*)$/.exec(line);
    if (!match) continue;
    const [, name, rest] = match;
    if (/cache hit/.test(rest)) {
      if (!cached.has(name)) say(`  ${name} is up to date`);
      cached.add(name);
    } else if (/cache (miss|bypass)/.test(rest) && !building.has(name)) {
      building.add(name);
      say(`  building ${name} (${seconds()})`);
    }
  }
};
child.stdout.on('data', onData);
child.stderr.on('data', onData);
const heartbeat = setInterval(() => {
  if (building.size > 0) say(`  still building… (${seconds()})`);
}, 10_000);
child.on('close', (code) => {
  clearInterval(heartbeat);
  if (tail) output.push(tail);
  if (code !== 0) {
    process.stderr.write(`${output.join('\n')}\n`);
    say(`the build failed after ${seconds()} (its output is above)`);
    process.exit(code ?? 1);
  }
  say(
    building.size === 0
      ? `everything up to date (${seconds()})`
      : `built ${building.size} package${building.size === 1 ? '' : 's'} in ${seconds()}`,
  );
});
