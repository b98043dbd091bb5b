import { unavailableService } from '@stockroom/core/testing';
import { Cluster } from 'ioredis';
import { redisClusterOptions } from '../src/index.js';
import { type RedisClusterHandle, startRedisCluster } from './redis-cluster.js';
import { hasRedisBinaries, untilReady } from './redis-services.js';
import { defineRedisSuite } from './redis-suite.js';

const skip = unavailableService(
  'Redis Cluster',
  hasRedisBinaries(),
  'redis-server and redis-cli must be on PATH to start a cluster',
);
let cluster: RedisClusterHandle | undefined;
let client: Cluster | undefined;

defineRedisSuite({
  name: 'Redis Cluster (3 masters)',
  skip,
  cluster: true,
  async setUp() {
    cluster = await startRedisCluster();
    client = new Cluster([...cluster.nodes], redisClusterOptions(2000));
    client.on('error', () => {});
    await untilReady(client, 20_000);
    return client;
  },
  async tearDown() {
    await client?.quit();
    await cluster?.stop();
  },
});
