import { describe, expect, it } from 'vitest';
import { distanceKm } from './haversine.js';

const paris = { latitude: 48.8566, longitude: 2.3522 };
const london = { latitude: 51.5074, longitude: -0.1278 };
const radius = 6371.0088;

describe('distanceKm', () => {
  it('gives Paris–London as about 343.5 km', () => {
    expect(Math.abs(distanceKm(paris, london) - 343.5)).toBeLessThan(1);
  });

  it('is symmetric', () => {
    expect(distanceKm(london, paris)).toBe(distanceKm(paris, london));
  });

  it('is 0 for the same point', () => {
    expect(distanceKm(paris, paris)).toBe(0);
  });

  it('gives one degree of a meridian as R·π/180', () => {
    const oneDegree = distanceKm({ latitude: 10, longitude: 30 }, { latitude: 11, longitude: 30 });
    expect(oneDegree).toBeCloseTo((radius * Math.PI) / 180, 6);
    expect(oneDegree).toBeCloseTo(111.195, 3);
  });

  it('gives equator to pole as a quarter circumference', () => {
    const quarter = distanceKm({ latitude: 0, longitude: 0 }, { latitude: 90, longitude: 0 });
    expect(quarter).toBeCloseTo((radius * Math.PI) / 2, 6);
  });

  it('gives antipodes as half a circumference, without NaN', () => {
    const half = distanceKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 });
    expect(half).toBeCloseTo(radius * Math.PI, 6);
    const diagonal = distanceKm(
      { latitude: 45, longitude: 10 },
      { latitude: -45, longitude: -170 },
    );
    expect(diagonal).toBeCloseTo(radius * Math.PI, 6);
  });

  it('handles crossing the antimeridian', () => {
    const across = distanceKm(
      { latitude: 0, longitude: 179.5 },
      { latitude: 0, longitude: -179.5 },
    );
    expect(across).toBeCloseTo((radius * Math.PI) / 180, 6);
  });
});
