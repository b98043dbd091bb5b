import type { GeoPoint } from './allocation-plan.js';

/** Mean Earth radius (IUGG), in kilometres. */
const EARTH_RADIUS_KM = 6371.0088;
const RADIANS_PER_DEGREE = Math.PI / 180;

/**
 * The great-circle distance between two points, in kilometres, by the haversine formula on a
 * sphere of the mean Earth radius (6371.0088 km). Symmetric; `0` for the same point.
 *
 * @example
 * ```ts
 * const paris = { latitude: 48.8566, longitude: 2.3522 };
 * const london = { latitude: 51.5074, longitude: -0.1278 };
 * distanceKm(paris, london); // ≈ 343.5
 * ```
 */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const latitudeA = a.latitude * RADIANS_PER_DEGREE;
  const latitudeB = b.latitude * RADIANS_PER_DEGREE;
  const halfDeltaLatitude = (latitudeB - latitudeA) / 2;
  const halfDeltaLongitude = ((b.longitude - a.longitude) * RADIANS_PER_DEGREE) / 2;
  const haversine =
    Math.sin(halfDeltaLatitude) ** 2 +
    Math.cos(latitudeA) * Math.cos(latitudeB) * Math.sin(halfDeltaLongitude) ** 2;
  // Rounding can push the value a hair above 1 for antipodal points, where asin gives NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, haversine)));
}
