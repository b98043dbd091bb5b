import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { afterTest, tempFile } from './fixtures/temp-store.js';

it('the README example runs and logs what the README says', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const example =
    /<!-- readme-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- readme-example:end -->/.exec(
      readme,
    )?.[1];
  expect(example).toBeDefined();
  // Written next to this test (so its imports resolve like the package's), under a unique name.
  const module = fileURLToPath(
    new URL(`./readme-example-${randomUUID()}.generated.ts`, import.meta.url),
  );
  await writeFile(module, example!);
  afterTest(() => rm(module, { force: true }));
  const { main } = (await import(module)) as { main: (filename: string) => Promise<string[]> };
  expect(await main(tempFile())).toEqual([
    'migrations run: 0',
    'ACTIVE 2',
    'available 3, reserved 2',
  ]);
});
