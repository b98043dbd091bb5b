import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const block =
  /<!-- readme-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- readme-example:end -->/.exec(readme);
const output = /It logs:\s*```\n([\s\S]*?)```/.exec(readme);
const file = fileURLToPath(new URL('./.readme-example.tmp.ts', import.meta.url));

afterAll(() => rmSync(file, { force: true }));

it('the README example runs and logs what the README says', async () => {
  expect(block?.[1]).toBeDefined();
  writeFileSync(file, block![1]!);
  const module = (await import(file)) as { main: () => Promise<string[]> };
  expect((await module.main()).join('\n')).toBe(output![1]!.trim());
});
