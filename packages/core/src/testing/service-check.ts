/**
 * What a test file does when the service it needs is not reachable: outside CI it skips with a
 * printed reason; under `CI=true` it fails, so a green CI always means the real thing was tested.
 *
 * @returns the skip reason to pass to `describe.skipIf`, or `false` when the service is there
 * @throws Error under `CI=true` when the service is missing
 */
export function unavailableService(
  service: string,
  reachable: boolean,
  detail = '',
): string | false {
  if (reachable) return false;
  const reason = `${service} is not reachable${detail ? ` (${detail})` : ''}`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${reason}; under CI=true integration tests must not skip`);
  }
  process.stdout.write(`[stockroom] skipping ${service} tests: ${reason}\n`);
  return reason;
}
