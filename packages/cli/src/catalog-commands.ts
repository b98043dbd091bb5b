// `stockroom kits list|show|define|delete` and `stockroom policy show|set`: kits and selling rules.
import {
  type EffectiveSkuPolicy,
  KIT_SHIPPING,
  type Kit,
  type KitComponent,
  type KitShipping,
  type SkuPolicyRequest,
} from '@stockroom/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { globals, report, table, withStockroom } from './cli-support.js';
import { ExitCode } from './exit-codes.js';

/** `SKU=QUANTITY` (or `SKU` alone for one unit), collected over repeated `--component`. */
function component(value: string, previous: KitComponent[] = []): KitComponent[] {
  const match = /^([^=\s]+)(?:=(\d+))?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('must be SKU=QUANTITY, e.g. MUG=2');
  const quantity = match[2] === undefined ? 1 : Number(match[2]);
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    throw new InvalidArgumentError('the quantity must be a whole number of at least 1');
  }
  return [...previous, { sku: match[1]!, quantity }];
}

/** A whole number of at least 0, or `none` (no limit; commander would turn a null into ''). */
function limit(value: string): number | 'none' {
  if (value === 'none') return value;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a whole number of at least 0, or none');
  }
  return Number(value);
}

function kitJson(kit: Kit) {
  return {
    sku: kit.sku,
    shipping: kit.shipping,
    components: kit.components.map((item) => ({ sku: item.sku, quantity: item.quantity })),
    version: kit.version,
    createdAt: kit.createdAt.toISOString(),
    updatedAt: kit.updatedAt.toISOString(),
  };
}

function kitText(kit: Kit): string {
  return `${kit.sku} (shipping ${kit.shipping}, version ${kit.version})\n${table([
    ['component', 'quantity'],
    ...kit.components.map((item) => [item.sku, item.quantity]),
  ])}`;
}

function policyJson(policy: EffectiveSkuPolicy) {
  return { ...policy, updatedAt: policy.updatedAt?.toISOString() ?? null };
}

function policyText(policy: EffectiveSkuPolicy): string {
  const shown = (value: number | null) => (value === null ? 'none' : String(value));
  return `${policy.sku}${policy.stored ? ` (version ${policy.version})` : ' (defaults: no stored policy)'}\n${table(
    [
      ['backorders', policy.backorderPolicy],
      ['backorder limit', shown(policy.backorderLimit)],
      ['preorders', policy.allowPreorder ? 'allowed' : 'refused'],
      ['min per cart', shown(policy.minPerCart)],
      ['max per cart', shown(policy.maxPerCart)],
    ],
  )}`;
}

/** Adds the `kits` command group to the program. */
export function addKitCommands(program: Command): void {
  const kits = program
    .command('kits')
    .description('kits and bundles: SKUs made of other SKUs, never stocked themselves');
  kits
    .command('list')
    .description('every kit, by SKU')
    .action(async (_local, command: Command) => {
      const options = globals(command);
      const listed = await withStockroom(options, (stockroom) => stockroom.kits.list());
      report(options, {
        json: { kits: listed.map(kitJson) },
        text:
          listed.length === 0
            ? 'no kits'
            : table([
                ['kit', 'shipping', 'components', 'version'],
                ...listed.map((kit) => [
                  kit.sku,
                  kit.shipping,
                  kit.components.map((item) => `${item.sku}=${item.quantity}`).join(' '),
                  kit.version,
                ]),
              ]),
      });
    });
  kits
    .command('show')
    .description("a kit's components and shipping")
    .argument('<sku>')
    .action(async (sku: string, _local, command: Command) => {
      const options = globals(command);
      const kit = await withStockroom(options, (stockroom) => stockroom.kits.get(sku));
      if (!kit) {
        report(options, {
          json: { error: 'NOT_FOUND', sku },
          text: `no kit ${sku}`,
          exitCode: ExitCode.NOT_FOUND,
        });
        return;
      }
      report(options, { json: kitJson(kit), text: kitText(kit) });
    });
  kits
    .command('define')
    .description('create a kit, or replace its components and shipping')
    .argument('<sku>')
    .requiredOption(
      '--component <sku=quantity>',
      'a component and the units one kit takes (repeat for each)',
      component,
    )
    .addOption(
      new Option('--shipping <mode>', 'SINGLE_WAREHOUSE: all from one warehouse; SPLIT: any')
        .choices(KIT_SHIPPING)
        .default('SINGLE_WAREHOUSE'),
    )
    .action(
      async (
        sku: string,
        local: { component: KitComponent[]; shipping: KitShipping },
        command: Command,
      ) => {
        const options = globals(command);
        const kit = await withStockroom(options, (stockroom) =>
          stockroom.kits.define(
            { sku, components: local.component, shipping: local.shipping },
            { actor: 'cli:kits' },
          ),
        );
        report(options, { json: kitJson(kit), text: `defined ${kitText(kit)}` });
      },
    );
  kits
    .command('delete')
    .description('delete a kit (reservations made before keep their component lines)')
    .argument('<sku>')
    .action(async (sku: string, _local, command: Command) => {
      const options = globals(command);
      const found = await withStockroom(options, async (stockroom) =>
        (await stockroom.kits.get(sku)) === null
          ? null
          : stockroom.kits.remove(sku, { actor: 'cli:kits' }),
      );
      if (!found) {
        report(options, {
          json: { error: 'NOT_FOUND', sku },
          text: `no kit ${sku}`,
          exitCode: ExitCode.NOT_FOUND,
        });
        return;
      }
      report(options, { json: kitJson(found), text: `deleted kit ${sku}` });
    });
}

/** Adds the `policy` command group to the program. */
export function addPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description("a SKU's selling rules: backorders, preorders, cart limits");
  policy
    .command('show')
    .description("a SKU's effective policy (the defaults when none is stored)")
    .argument('<sku>')
    .action(async (sku: string, _local, command: Command) => {
      const options = globals(command);
      const found = await withStockroom(options, (stockroom) => stockroom.skuPolicies.get(sku));
      report(options, { json: policyJson(found), text: policyText(found) });
    });
  policy
    .command('set')
    .description("change a SKU's policy; what is not given keeps its value")
    .argument('<sku>')
    .addOption(
      new Option(
        '--backorders <policy>',
        'CONTINUE: reservations go beyond what is sellable; DENY: refused',
      ).choices(['CONTINUE', 'DENY']),
    )
    .option(
      '--backorder-limit <units>',
      'the most backordered units one stock row may carry, or none',
      limit,
    )
    .option('--preorders', 'let reservations take units of open incoming receipts')
    .option('--no-preorders', 'refuse preorders')
    .option('--min-per-cart <units>', 'units per reservation at least, or none', limit)
    .option('--max-per-cart <units>', 'units per reservation at most, or none', limit)
    .action(
      async (
        sku: string,
        local: {
          backorders?: 'CONTINUE' | 'DENY';
          backorderLimit?: number | 'none';
          preorders?: boolean;
          minPerCart?: number | 'none';
          maxPerCart?: number | 'none';
        },
        command: Command,
      ) => {
        const options = globals(command);
        const given = (value: number | 'none' | undefined) => (value === 'none' ? null : value);
        const request: SkuPolicyRequest = {
          sku,
          ...(local.backorders === undefined ? {} : { backorderPolicy: local.backorders }),
          ...(local.backorderLimit === undefined
            ? {}
            : { backorderLimit: given(local.backorderLimit) }),
          ...(local.preorders === undefined ? {} : { allowPreorder: local.preorders }),
          ...(local.minPerCart === undefined ? {} : { minPerCart: given(local.minPerCart) }),
          ...(local.maxPerCart === undefined ? {} : { maxPerCart: given(local.maxPerCart) }),
        };
        const stored = await withStockroom(options, (stockroom) =>
          stockroom.skuPolicies.set(request, { actor: 'cli:policy' }),
        );
        report(options, { json: policyJson(stored), text: `set ${policyText(stored)}` });
      },
    );
}
