// `stockroom keys create|list|revoke`: the server's API key file.
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  API_KEY_ROLES,
  type ApiKeyRole,
  apiKeyFilePath,
  createApiKey,
  readApiKeyFile,
  revokeApiKey,
} from './api-key-file.js';
import { globals, report, table } from './cli-support.js';
import { ExitCode } from './exit-codes.js';

/** Adds the `keys` command group to the program. */
export function addKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description("the server's API keys, kept hashed in <data-dir>/api-keys.json");
  keys
    .command('create')
    .description('create a key (shown once) for a role')
    .addOption(
      new Option('--role <role>', 'admin, storefront or readonly')
        .choices(API_KEY_ROLES)
        .makeOptionMandatory(),
    )
    .option('--name <label>', 'a label for people', '')
    .action(async (local: { role: ApiKeyRole; name: string }, command: Command) => {
      const options = globals(command);
      const path = apiKeyFilePath(options.dataDir);
      const { key, entry } = await createApiKey(path, { role: local.role, name: local.name });
      report(options, {
        json: { key, ...entry, sha256: undefined, file: path },
        text: `created ${entry.role} key ${entry.id}${entry.name ? ` (${entry.name})` : ''}; it is shown once:\n\n  ${key}\n\nThe server (data dir ${resolve(options.dataDir)}) accepts it within a second.`,
      });
    });
  keys
    .command('list')
    .description('list keys (never the keys themselves)')
    .action(async (_local, command: Command) => {
      const options = globals(command);
      const file = await readApiKeyFile(apiKeyFilePath(options.dataDir));
      const listed = file.keys.map(({ sha256: _secretDigest, ...key }) => key);
      report(options, {
        json: { keys: listed },
        text:
          listed.length === 0
            ? `no keys in ${apiKeyFilePath(options.dataDir)}`
            : table([
                ['id', 'role', 'name', 'created', 'revoked'],
                ...listed.map((key) => [
                  key.id,
                  key.role,
                  key.name,
                  key.createdAt,
                  key.revokedAt ?? '',
                ]),
              ]),
      });
    });
  keys
    .command('revoke')
    .description('revoke a key by id (key_…)')
    .argument('<id>')
    .action(async (id: string, _local, command: Command) => {
      const options = globals(command);
      const revoked = await revokeApiKey(apiKeyFilePath(options.dataDir), id);
      if (!revoked) {
        report(options, {
          json: { error: 'NOT_FOUND', id },
          text: `no key ${id} in ${apiKeyFilePath(options.dataDir)}`,
          exitCode: ExitCode.NOT_FOUND,
        });
        return;
      }
      const { sha256: _secretDigest, ...shown } = revoked;
      report(options, { json: shown, text: `revoked ${id} at ${revoked.revokedAt}` });
    });
}
