import { describe } from '../environment.js';
import type { ScenarioContext } from '../scenario.js';

/**
 * Opens a scenario's variants together (a PostgreSQL schema's migration takes seconds on a
 * loaded machine): each one that opens joins `running`; each that cannot is noted in `skipped`
 * with its reason and logged, so the scenario reports it instead of failing.
 */
export async function openVariants<V extends { readonly label: string }, R>(
  context: ScenarioContext,
  scenario: string,
  variants: readonly V[],
  open: (context: ScenarioContext, variant: V) => Promise<R | { skipped: string }>,
  running: R[],
  skipped: Map<string, string>,
): Promise<void> {
  const opened = await Promise.all(
    variants.map((variant) =>
      open(context, variant).catch((error: unknown) => ({
        skipped: `failed to start: ${describe(error)}`,
      })),
    ),
  );
  opened.forEach((entry, index) => {
    const variant = variants[index]!;
    if (typeof entry === 'object' && entry !== null && 'skipped' in entry) {
      skipped.set(variant.label, entry.skipped);
      context.log(`${scenario} · ${variant.label}: skipped: ${entry.skipped}`);
    } else running.push(entry as R);
  });
}
