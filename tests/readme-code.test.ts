import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every ```ts block of the root README and of each package's README is compiled (strict
 * TypeScript against the packages' sources), and the root README's host-app example is run: a
 * README that would not compile or run fails here.
 *
 * A block is a module of its own. Fragments may use, without declaring them, the names a reader
 * has from the surrounding text — declared once in GLOBALS below.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, '.tmp', 'readme-blocks');

/** Names a README fragment may use as given (the prose around it says what they are). */
const GLOBALS = `
declare const logger: import('@stockroom/core').Logger;
declare const store: import('@stockroom/core').StockStore;
declare const stockroom: import('@stockroom/core').Stockroom;
declare const kafka: import('kafkajs').Kafka;
declare const brokers: string[];
declare const url: string;
declare const nodes: { host: string; port: number }[];
`;

const PACKAGES = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'src', 'index.ts')),
);

/** `@stockroom/<name>` → its source, so blocks check against the code, not a stale build. */
const PATHS: Record<string, string[]> = Object.fromEntries([
  ['@stockroom/core/testing', ['packages/core/src/testing/index.ts']],
  ['@stockroom/core/adapter-kit', ['packages/core/src/adapter-kit.ts']],
  ...PACKAGES.map((name) => [`@stockroom/${name}`, [`packages/${name}/src/index.ts`]]),
]);

interface Block {
  readonly readme: string;
  readonly index: number;
  readonly line: number;
  readonly code: string;
}

function blocksOf(readme: string): Block[] {
  const text = readFileSync(join(root, readme), 'utf8');
  const blocks: Block[] = [];
  const fence = /^```ts[^\n]*\n([\s\S]*?)^```$/gm;
  for (const match of text.matchAll(fence)) {
    const line = text.slice(0, match.index).split('\n').length + 1;
    blocks.push({ readme, index: blocks.length + 1, line, code: match[1] ?? '' });
  }
  return blocks;
}

const READMES = [
  'README.md',
  ...PACKAGES.map((name) => `packages/${name}/README.md`),
  ...readdirSync(join(root, 'examples')).map((name) => `examples/${name}/README.md`),
].filter((readme) => existsSync(join(root, readme)));

const BLOCKS = READMES.flatMap(blocksOf);

function fileOf(block: Block): string {
  return join(work, `${block.readme.replaceAll('/', '__').replace(/\.md$/, '')}-${block.index}.ts`);
}

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'globals.d.ts'), GLOBALS);
  // tsx reads the same mapping when the root example runs.
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        types: ['node'],
        baseUrl: relative(work, root),
        paths: PATHS,
      },
    }),
  );
  for (const block of BLOCKS) {
    // `export {}` makes every block a module (its own scope; top-level await allowed).
    writeFileSync(fileOf(block), `${block.code}\nexport {};\n`);
  }
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('README code blocks', () => {
  it('finds the blocks: the root host-app example and every package README', () => {
    expect(BLOCKS.filter((block) => block.readme === 'README.md')).toHaveLength(1);
    expect(new Set(BLOCKS.map((block) => block.readme)).size).toBeGreaterThanOrEqual(5);
  });

  it('every ```ts block typechecks (strict) against the packages', () => {
    const config = ts.parseJsonConfigFileContent(
      JSON.parse(readFileSync(join(work, 'tsconfig.json'), 'utf8')),
      ts.sys,
      work,
    );
    const program = ts.createProgram({
      rootNames: [join(work, 'globals.d.ts'), ...BLOCKS.map(fileOf)],
      options: { ...config.options, noEmit: true },
    });
    const blockFiles = new Map(BLOCKS.map((block) => [fileOf(block), block]));
    // Only the blocks are checked (the packages have their own typecheck).
    const problems = [...blockFiles.keys()]
      .flatMap((file) => {
        const source = program.getSourceFile(file)!;
        return [
          ...program.getSyntacticDiagnostics(source),
          ...program.getSemanticDiagnostics(source),
        ];
      })
      .map((diagnostic) => {
        const block = blockFiles.get(diagnostic.file!.fileName)!;
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        return `${block.readme}:${block.line + line} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);

  it('the server README tells a user to retry a 503 with the same Idempotency-Key', () => {
    const text = readFileSync(join(root, 'examples', 'express-server', 'README.md'), 'utf8');
    expect(text).toMatch(
      /Retry a 503 \(or a timeout, or a dropped connection\) with the same `Idempotency-Key`/,
    );
    expect(text).toMatch(/does not always mean nothing happened/);
  });

  it('the root README host-app example runs', () => {
    const [example] = BLOCKS.filter((block) => block.readme === 'README.md');
    const cwd = mkdtempSync(join(tmpdir(), 'stockroom-readme-'));
    try {
      const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
      execFileSync(process.execPath, ['--import', tsx, fileOf(example!)], {
        cwd,
        env: { ...process.env, TSX_TSCONFIG_PATH: join(work, 'tsconfig.json') },
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: 60_000,
      });
      expect(existsSync(join(cwd, 'inventory.db'))).toBe(true);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
