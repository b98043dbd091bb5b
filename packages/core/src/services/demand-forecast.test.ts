import { describe, expect, it } from 'vitest';
import {
  crostonSba,
  demandPattern,
  forecastDemand,
  simpleExponentialSmoothing,
} from './demand-forecast.js';

/** mulberry32: a small seeded PRNG, so the synthetic series are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Intermittent demand with a known rate: a sale happens on a day with probability
 * `probability`, and its size is uniform on 1…9 (mean 5), so the rate is `5 · probability`.
 */
function intermittentSeries(seed: number, days: number, probability: number): number[] {
  const random = seeded(seed);
  return Array.from({ length: days }, () =>
    random() < probability ? 1 + Math.floor(random() * 9) : 0,
  );
}

/** Regular demand: every day, uniform on 3…7 (rate 5). */
function regularSeries(seed: number, days: number): number[] {
  const random = seeded(seed);
  return Array.from({ length: days }, () => 3 + Math.floor(random() * 5));
}

const mean = (values: readonly number[]) =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Rolling one-step-ahead evaluation from day `warmUp` on: each day is forecast from the days
 * before it only. Returns the mean absolute error against the known rate and against the
 * realised demand over the next `horizon` days (rate × horizon vs the realised sum).
 */
function evaluate(
  series: readonly number[],
  rate: number,
  forecast: (history: readonly number[]) => number,
  warmUp = 28,
  horizon = 7,
) {
  const againstRate: number[] = [];
  const againstDemand: number[] = [];
  for (let day = warmUp; day + horizon <= series.length; day += 1) {
    const predicted = forecast(series.slice(0, day));
    const realised = series.slice(day, day + horizon).reduce((sum, value) => sum + value, 0);
    againstRate.push(Math.abs(predicted - rate));
    againstDemand.push(Math.abs(predicted * horizon - realised));
  }
  return { rate: mean(againstRate), demand: mean(againstDemand) };
}

const naiveLastValue = (history: readonly number[]) => history[history.length - 1] ?? 0;

describe('demand forecast', () => {
  it('Croston/SBA beats the naive last-value forecast on intermittent demand with a known rate', () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const probability = 0.2;
      const rate = 5 * probability;
      const series = intermittentSeries(seed, 365, probability);
      expect(demandPattern(series).adi).toBeGreaterThan(1.32);
      const sba = evaluate(series, rate, (history) => forecastDemand(history).rate);
      const naive = evaluate(series, rate, naiveLastValue);
      expect(forecastDemand(series).method).toBe('sba');
      // Against the known rate the naive forecast is off by the whole daily noise.
      expect(sba.rate).toBeLessThan(naive.rate / 3);
      // Against what actually sold over the next week (what replenishment orders for).
      expect(sba.demand).toBeLessThan(naive.demand);
      // And the final estimate is close to the truth.
      expect(Math.abs(forecastDemand(series).rate - rate)).toBeLessThan(0.35 * rate);
    }
  });

  it('uses exponential smoothing where demand is regular, and beats naive there too', () => {
    for (const seed of [7, 8, 9]) {
      const series = regularSeries(seed, 200);
      const forecast = forecastDemand(series);
      expect(forecast.method).toBe('ses');
      expect(Math.abs(forecast.rate - 5)).toBeLessThan(0.75);
      const ses = evaluate(series, 5, (history) => forecastDemand(history).rate);
      const naive = evaluate(series, 5, naiveLastValue);
      expect(ses.rate).toBeLessThan(naive.rate / 2);
      expect(ses.demand).toBeLessThan(naive.demand);
    }
  });

  it('computes SBA and SES exactly on small series', () => {
    // Demands 4 at period 2 and 6 at period 5: z = 4 → 4 + 0.5·(6 − 4) = 5; p = 2 → 2 + 0.5·(3 − 2) = 2.5.
    expect(crostonSba([0, 4, 0, 0, 6], 0.5)).toBeCloseTo((1 - 0.25) * (5 / 2.5), 10);
    // Warm-up of ⌈1/0.5⌉ = 2 periods: level 3, then 3 + 0.5·(5 − 3) = 4.
    expect(simpleExponentialSmoothing([2, 4, 5], 0.5)).toBeCloseTo(4, 10);
    expect(forecastDemand([0, 0, 0])).toEqual({ method: 'none', rate: 0 });
    expect(forecastDemand([])).toEqual({ method: 'none', rate: 0 });
    expect(() => forecastDemand([1], { alpha: 0 })).toThrow(RangeError);
  });
});
