/**
 * Demand forecasting for replenishment: classical methods suited to retail demand per
 * (sku, warehouse), where most SKUs sell on few days (intermittent demand).
 *
 * - **SBA** (Syntetos–Boylan Approximation of Croston's method) for intermittent or lumpy
 *   demand: exponentially smooth the non-zero demand sizes (`z`) and the intervals between them
 *   (`p`) separately, updating only in periods with demand; the rate is `(1 − α/2)·z/p`, the
 *   `(1 − α/2)` factor removing the upward bias of Croston's original `z/p`
 *   (Syntetos & Boylan, 2005, Int. J. Forecasting 21:303–314).
 * - **SES** (simple exponential smoothing) where demand is regular.
 *
 * The choice follows the Syntetos–Boylan–Croston classification: demand is *smooth* (SES) when
 * the average inter-demand interval ADI < 1.32 periods and the squared coefficient of variation
 * of the non-zero sizes CV² < 0.49; otherwise (intermittent, erratic, lumpy) SBA.
 */

/** The method a forecast used; `none` when the series holds no demand. */
export type ForecastMethod = 'sba' | 'ses' | 'none';

/** A demand rate per period (per day in replenishment) and how it was obtained. */
export interface DemandForecast {
  readonly method: ForecastMethod;
  /** Expected demand per period, ≥ 0. */
  readonly rate: number;
}

/** Options of {@link forecastDemand}. */
export interface ForecastOptions {
  /** Smoothing constant in (0, 1]; small values suit slow movers. @default 0.1 */
  readonly alpha?: number;
}

/** The SBC classification cut-off on the average inter-demand interval. */
export const ADI_CUTOFF = 1.32;
/** The SBC classification cut-off on the squared coefficient of variation of demand sizes. */
export const CV2_CUTOFF = 0.49;
/** The default smoothing constant. */
export const DEFAULT_ALPHA = 0.1;

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${alpha}`);
}

/**
 * Croston's method with the Syntetos–Boylan correction, over a series of per-period demands
 * (oldest first). Initialised with the first non-zero demand as size and its position as
 * interval. Returns 0 for a series without demand.
 */
export function crostonSba(series: readonly number[], alpha = DEFAULT_ALPHA): number {
  checkAlpha(alpha);
  let size: number | null = null;
  let interval = 0;
  let sinceLast = 0;
  for (const demand of series) {
    sinceLast += 1;
    if (demand <= 0) continue;
    if (size === null) {
      size = demand;
      interval = sinceLast;
    } else {
      size += alpha * (demand - size);
      interval += alpha * (sinceLast - interval);
    }
    sinceLast = 0;
  }
  if (size === null) return 0;
  return ((1 - alpha / 2) * size) / interval;
}

/**
 * Simple exponential smoothing over a series of per-period demands (oldest first), initialised
 * with the mean of the first `⌈1/α⌉` periods. Returns 0 for an empty series.
 */
export function simpleExponentialSmoothing(
  series: readonly number[],
  alpha = DEFAULT_ALPHA,
): number {
  checkAlpha(alpha);
  if (series.length === 0) return 0;
  const warmUp = Math.min(series.length, Math.ceil(1 / alpha));
  let level = series.slice(0, warmUp).reduce((sum, demand) => sum + demand, 0) / warmUp;
  for (const demand of series.slice(warmUp)) level += alpha * (demand - level);
  return level;
}

/** The SBC statistics of a series: average inter-demand interval and CV² of non-zero sizes. */
export function demandPattern(series: readonly number[]): {
  readonly adi: number;
  readonly cv2: number;
} {
  const sizes = series.filter((demand) => demand > 0);
  if (sizes.length === 0) return { adi: Number.POSITIVE_INFINITY, cv2: 0 };
  const mean = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
  const variance = sizes.reduce((sum, size) => sum + (size - mean) ** 2, 0) / sizes.length;
  return { adi: series.length / sizes.length, cv2: variance / (mean * mean) };
}

/**
 * Forecasts the demand per period of a series (oldest first): SES when the demand is smooth,
 * SBA otherwise (see the module comment), `none` with rate 0 when nothing was demanded.
 * @throws RangeError when `alpha` is outside (0, 1]
 */
export function forecastDemand(
  series: readonly number[],
  options: ForecastOptions = {},
): DemandForecast {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  checkAlpha(alpha);
  const { adi, cv2 } = demandPattern(series);
  if (!Number.isFinite(adi)) return { method: 'none', rate: 0 };
  if (adi < ADI_CUTOFF && cv2 < CV2_CUTOFF) {
    return { method: 'ses', rate: Math.max(0, simpleExponentialSmoothing(series, alpha)) };
  }
  return { method: 'sba', rate: crostonSba(series, alpha) };
}
