import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Packs every public package with `npm pack`, installs the tarballs into a throwaway project the
 * way a user would, and loads each one with `import` and with `require`: a broken `exports` map,
 * a missing file or an inlined core fails here. Run after `npm run build` (`npm test` does).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter(
    (dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'dist', 'index.js')),
  )
  .map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
  }))
  .filter(({ manifest }) => !manifest.private);

interface Manifest {
  name: string;
  private?: boolean;
  peerDependencies?: Record<string, string>;
}

let project = '';

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'stockroom-pack-'));
  const tarballs = join(project, 'tarballs');
  mkdirSync(tarballs);
  const files = packages.map(
    ({ dir }) =>
      execFileSync('npm', ['pack', '--silent', '--pack-destination', tarballs], {
        cwd: dir,
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .pop()!,
  );
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'pack-check', private: true }),
  );
  // Peers (drivers) come from the workspace instead of the registry, so no native rebuild runs here.
  execFileSync(
    'npm',
    [
      'install',
      '--legacy-peer-deps',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      ...files.map((file) => join(tarballs, file)),
    ],
    { cwd: project, stdio: 'pipe' },
  );
  const peers = new Set(
    packages.flatMap(({ manifest }) => Object.keys(manifest.peerDependencies ?? {})),
  );
  for (const peer of peers) {
    const target = join(project, 'node_modules', peer);
    const source = join(root, 'node_modules', peer);
    if (!existsSync(target) && existsSync(source)) {
      mkdirSync(join(target, '..'), { recursive: true });
      symlinkSync(source, target, 'dir');
    }
  }
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('packed packages load as a user loads them', () => {
  it('finds every public package', () => {
    expect(packages.map(({ manifest }) => manifest.name)).toContain('@stockroom/core');
  });

  for (const { manifest } of packages) {
    it(`${manifest.name}: import and require give the same named exports`, () => {
      const script = `
        const esm = await import(${JSON.stringify(manifest.name)});
        const { createRequire } = await import('node:module');
        const cjs = createRequire(process.cwd() + '/')(${JSON.stringify(manifest.name)});
        console.log(JSON.stringify({ esm: Object.keys(esm).filter((k) => k !== 'default').sort(), cjs: Object.keys(cjs).sort() }));
      `;
      const output = execFileSync('node', ['--input-type=module', '-e', script], {
        cwd: project,
        encoding: 'utf8',
      });
      const { esm, cjs } = JSON.parse(output) as { esm: string[]; cjs: string[] };
      expect(esm.length).toBeGreaterThan(0);
      expect(cjs).toEqual(esm);
    });
  }

  for (const { dir, manifest } of packages) {
    it(`${manifest.name}: publint finds nothing to fix in the manifest`, async () => {
      const { messages } = await publint({ pkgDir: dir, level: 'suggestion' });
      expect(messages.map((message) => `${message.type} ${message.code}`)).toEqual([]);
    });
  }

  it('the core is never inlined into an adapter bundle', () => {
    for (const { manifest } of packages.filter(
      ({ manifest }) => manifest.name !== '@stockroom/core',
    )) {
      const bundle = readFileSync(
        join(project, 'node_modules', manifest.name, 'dist', 'index.js'),
        'utf8',
      );
      expect(bundle, manifest.name).not.toMatch(/class StockroomError/);
    }
  });

  it('the `stockroom` binary of @stockroom/cli runs from the installed package', () => {
    const version = execFileSync(
      join(project, 'node_modules', '.bin', 'stockroom'),
      ['--version'],
      {
        cwd: project,
        encoding: 'utf8',
      },
    );
    const manifest = packages.find(({ manifest }) => manifest.name === '@stockroom/cli')?.manifest;
    expect(version.trim()).toBe((manifest as { version?: string } | undefined)?.version);
  });

  it('@stockroom/core/adapter-kit loads for import and require, with one copy of the core classes', () => {
    const script = `
      const { createRequire } = await import('node:module');
      const require = createRequire(process.cwd() + '/');
      const esm = await import('@stockroom/core/adapter-kit');
      const cjs = require('@stockroom/core/adapter-kit');
      const thrown = (kit) => { try { kit.decodeCursor('not a cursor', 1); } catch (error) { return error; } };
      console.log(JSON.stringify({
        esmPath: import.meta.resolve('@stockroom/core/adapter-kit'),
        cjsPath: require.resolve('@stockroom/core/adapter-kit'),
        esm: Object.keys(esm).sort(),
        cjs: Object.keys(cjs).sort(),
        esmShared: thrown(esm) instanceof (await import('@stockroom/core')).ValidationError,
        cjsShared: thrown(cjs) instanceof require('@stockroom/core').ValidationError,
        inMain: Object.keys(esm).filter((name) => name in require('@stockroom/core')),
      }));
    `;
    const output = execFileSync('node', ['--input-type=module', '-e', script], {
      cwd: project,
      encoding: 'utf8',
    });
    const result = JSON.parse(output) as {
      esmPath: string;
      cjsPath: string;
      esm: string[];
      cjs: string[];
      esmShared: boolean;
      cjsShared: boolean;
      inMain: string[];
    };
    expect(result.esmPath).toMatch(/dist\/adapter-kit\.js$/);
    expect(result.cjsPath).toMatch(/dist\/adapter-kit\.cjs$/);
    expect(result.esm).toContain('encodeCursor');
    expect(result.cjs).toEqual(result.esm);
    // One copy of each class behind both entries, under import and under require.
    expect({ esm: result.esmShared, cjs: result.cjsShared }).toEqual({ esm: true, cjs: true });
    // Each name is exported from one entry only.
    expect(result.inMain).toEqual([]);
  });

  it('@stockroom/core/testing resolves for import and require', () => {
    const script = `
      const { createRequire } = await import('node:module');
      console.log(import.meta.resolve('@stockroom/core/testing'));
      console.log(createRequire(process.cwd() + '/').resolve('@stockroom/core/testing'));
    `;
    const [esm, cjs] = execFileSync('node', ['--input-type=module', '-e', script], {
      cwd: project,
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(esm).toMatch(/dist\/testing\/index\.js$/);
    expect(cjs).toMatch(/dist\/testing\/index\.cjs$/);
  });
});
