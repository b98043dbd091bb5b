import { Session } from 'node:inspector';

/** A node of the sampling heap profiler's tree: `selfSize` is V8's estimate of the bytes allocated there. */
export interface SampledNode {
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SampledNode[];
}

/**
 * Starts the inspector's sampling heap profiler on this thread (a sample every 4 KiB, objects
 * collected by full collections counted; those collected by scavenges too with `minor`).
 * `stop` ends it and gives the profile's root.
 */
export async function startHeapSampling(options: {
  readonly minor: boolean;
}): Promise<{ stop(): Promise<SampledNode> }> {
  const session = new Session();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  session.connect();
  await post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: options.minor,
  });
  return {
    async stop() {
      const { profile } = (await post('HeapProfiler.stopSampling')) as {
        profile: { head: SampledNode };
      };
      session.disconnect();
      return profile.head;
    },
  };
}
