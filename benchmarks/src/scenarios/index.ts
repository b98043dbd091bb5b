import type { Scenario } from '../scenario.js';
import { availabilityScenario } from './availability.js';
import { bulkImportScenario } from './bulk-import.js';
import { coldSkusScenario } from './cold-skus.js';
import { historyScenario } from './history.js';
import { hotSkuScenario } from './hot-sku.js';
import { httpScenario } from './http.js';
import { kitsScenario } from './kits.js';
import { mixedScenario } from './mixed.js';
import { naiveScenario } from './naive.js';
import { rawLimitsScenario } from './raw-limits.js';
import { singleAdjustScenario } from './single-adjust.js';

/** Every scenario, in the order `npm run bench` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  hotSkuScenario,
  naiveScenario,
  rawLimitsScenario,
  coldSkusScenario,
  availabilityScenario,
  bulkImportScenario,
  httpScenario,
  mixedScenario,
  singleAdjustScenario,
  historyScenario,
  kitsScenario,
];
