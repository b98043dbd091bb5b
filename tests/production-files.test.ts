import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The production packaging as far as it can be checked without Docker: the Dockerfile passes a
 * Dockerfile linter and copies what exists, the compose file names its services and wiring, every
 * manifest says where the code lives, and `.env.example` names only variables the server reads.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('production packaging', () => {
  it('the Dockerfile passes dockerfile-utils lint and copies only paths that exist', () => {
    const linter = join(root, 'node_modules', '.bin', 'dockerfile-utils');
    // Exit code 0 and no output: no error, no warning.
    expect(execFileSync(linter, ['lint', 'Dockerfile'], { cwd: root, encoding: 'utf8' })).toBe('');
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^USER node$/m);
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      expect(existsSync(join(root, source!)), source).toBe(true);
    }
    // The build stage copies every workspace manifest npm ci needs.
    const workspaces = ['packages', 'examples']
      .flatMap((folder) => readdirSync(join(root, folder)).map((name) => `${folder}/${name}`))
      .concat('benchmarks')
      .filter((dir) => existsSync(join(root, dir, 'package.json')));
    for (const dir of workspaces) expect(dockerfile, dir).toContain(`COPY ${dir}/package.json`);
  });

  it('compose runs the server against PostgreSQL, Redis and Kafka, healthy first', () => {
    const compose = parse(read('compose.yaml')) as {
      services: Record<
        string,
        { environment?: Record<string, string>; depends_on?: Record<string, unknown> }
      >;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'postgres', 'redis', 'server']);
    const server = compose.services.server!;
    expect(server.environment).toMatchObject({
      DATABASE_URL: expect.stringMatching(/^postgres:\/\/.*@postgres:5432\//),
      REDIS_URL: 'redis://redis:6379',
      KAFKA_BROKERS: 'kafka:9092',
    });
    expect(server.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      kafka: { condition: 'service_healthy' },
    });
  });

  it('every manifest has a license, a repository and a homepage, and a LICENSE file exists', () => {
    expect(read('LICENSE')).toMatch(/^MIT License/);
    const manifests = ['package.json', 'benchmarks/package.json'].concat(
      ['packages', 'examples'].flatMap((folder) =>
        readdirSync(join(root, folder))
          .map((name) => `${folder}/${name}/package.json`)
          .filter((path) => existsSync(join(root, path))),
      ),
    );
    for (const path of manifests) {
      const manifest = JSON.parse(read(path));
      expect(manifest.license, path).toBe('MIT');
      expect(manifest.repository?.url, path).toMatch(/^git\+https:\/\//);
      expect(manifest.homepage, path).toMatch(/^https:\/\//);
      if (!manifest.private) {
        expect(existsSync(join(root, path, '..', 'LICENSE')), path).toBe(true);
      }
    }
  });

  it('.env.example names only variables the server documents', () => {
    const documented = read('examples/express-server/README.md');
    const names = [...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map(
      ([, name]) => name!,
    );
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(documented, name).toContain(`\`${name}\``);
  });
});
