// A TCP front for a Kafka cluster, for tests: every connection is relayed to the cluster, and
// the few responses that name brokers are rewritten so that clients keep talking to the front.
//
// - Metadata: broker hosts/ports become this front's listeners (one local port per broker id);
//   a controller id that names no broker (librdkafka's mock answers 0) becomes the lowest
//   broker id, so kafkajs's admin client and idempotent producer find a controller.
// - FindCoordinator: the coordinator's host/port become the front's listener for that broker.
// - ApiVersions and CreateTopics: with a `createTopic` hook (the mock does not implement
//   CreateTopics), the front advertises CreateTopics v0–4 and answers it through the hook.
//
// Stopping the front closes every listener and connection: to its clients that is a cluster
// outage. Plain Node `net`, no dependencies.
import net from 'node:net';

const API = { PRODUCE: 0, METADATA: 3, FIND_COORDINATOR: 10, API_VERSIONS: 18, CREATE_TOPICS: 19 };
const CREATE_TOPICS_MAX_VERSION = 4;
const ERROR = {
  NONE: 0,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
};

/** The first version of each API we parse whose messages use the flexible (KIP-482) encoding. */
const FLEXIBLE_FROM = {
  [API.PRODUCE]: 9,
  [API.METADATA]: 9,
  [API.FIND_COORDINATOR]: 3,
  [API.API_VERSIONS]: 3,
  [API.CREATE_TOPICS]: 5,
};

const isFlexible = (apiKey, version) =>
  FLEXIBLE_FROM[apiKey] !== undefined && version >= FLEXIBLE_FROM[apiKey];

class Reader {
  constructor(buffer, offset = 0) {
    this.buffer = buffer;
    this.offset = offset;
  }
  int8() {
    const value = this.buffer.readInt8(this.offset);
    this.offset += 1;
    return value;
  }
  int16() {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32() {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uvarint() {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buffer[this.offset];
      this.offset += 1;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  }
  bytes(length) {
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  /** A (nullable) string: int16 length, or uvarint length + 1 when `compact`. */
  string(compact) {
    const length = compact ? this.uvarint() - 1 : this.int16();
    return length < 0 ? null : this.bytes(length).toString('utf8');
  }
  arrayLength(compact) {
    return compact ? this.uvarint() - 1 : this.int32();
  }
  /** Skips a tagged-field section and returns its raw bytes. */
  taggedFields() {
    const start = this.offset;
    const count = this.uvarint();
    for (let index = 0; index < count; index += 1) {
      this.uvarint();
      this.bytes(this.uvarint());
    }
    return this.buffer.subarray(start, this.offset);
  }
  rest() {
    return this.buffer.subarray(this.offset);
  }
}

const int16 = (value) => {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
};
const int32 = (value) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};
const uvarint = (value) => {
  const bytes = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
};
const string = (value, compact) => {
  if (value === null) return compact ? uvarint(0) : int16(-1);
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([compact ? uvarint(bytes.length + 1) : int16(bytes.length), bytes]);
};
const arrayLength = (length, compact) => (compact ? uvarint(length + 1) : int32(length));
const frame = (parts) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(body.length), body]);
};

/** Splits a byte stream into size-prefixed Kafka frames. */
function frameSplitter(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (pending.length < 4 + size) break;
      onFrame(pending.subarray(0, 4 + size));
      pending = pending.subarray(4 + size);
    }
  };
}

/** Reads a request header; returns the fields and the offset where the body starts. */
function parseRequestHeader(message) {
  const reader = new Reader(message, 4);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  reader.string(false); // client id: always a classic nullable string
  // Request header v2 (flexible APIs) adds tagged fields; ApiVersions v3+ is flexible too.
  if (isFlexible(apiKey, apiVersion)) reader.taggedFields();
  return { apiKey, apiVersion, correlationId, bodyOffset: reader.offset };
}

/** False for a Produce request with acks = 0: the broker sends no response to it. */
function expectsResponse(message, header) {
  if (header.apiKey !== API.PRODUCE) return true;
  const reader = new Reader(message, header.bodyOffset);
  if (header.apiVersion >= 3) reader.string(isFlexible(API.PRODUCE, header.apiVersion));
  return reader.int16() !== 0;
}

/**
 * Starts a front for the cluster reachable at `upstream` ("host:port" list).
 *
 * @param {object} options
 * @param {string[]} options.upstream bootstrap addresses of the real (or mock) cluster
 * @param {string} [options.host] the address to listen on and advertise; default 127.0.0.1
 * @param {number} [options.basePort] listen on basePort (bootstrap) and basePort + brokerId
 *   (each broker), so the addresses stay the same across restarts; default: free ports
 * @param {(topic: string, partitions: number, replicationFactor: number) => Promise<number>} [options.createTopic]
 *   creates a topic in the cluster, resolving to a Kafka error code; enables CreateTopics
 * @param {number} [options.brokerCount] used to check replication factors for CreateTopics
 * @param {(message: string) => void} [options.log]
 * @returns {Promise<{ bootstrap: string, brokers: () => string[], close: () => Promise<void> }>}
 */
export async function startKafkaFront(options) {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const servers = new Set();
  const sockets = new Set();
  /** broker id → { port, upstreamHost, upstreamPort, ready: Promise } */
  const brokers = new Map();
  let closed = false;

  const listen = (port, target) =>
    new Promise((resolve, reject) => {
      const server = net.createServer((client) => relay(client, target()));
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        servers.add(server);
        resolve(server.address().port);
      });
    });

  /** The front's port for a broker, opening its listener on first sight. */
  const portOf = async (nodeId, upstreamHost, upstreamPort) => {
    let broker = brokers.get(nodeId);
    if (!broker) {
      const preferred = options.basePort ? options.basePort + nodeId : 0;
      const port = preferred > 0 && preferred < 65536 ? preferred : 0;
      broker = { upstreamHost, upstreamPort, ready: undefined };
      brokers.set(nodeId, broker);
      broker.ready = listen(port, () => ({ host: broker.upstreamHost, port: broker.upstreamPort }));
      log(`broker ${nodeId} → ${upstreamHost}:${upstreamPort}`);
    } else {
      broker.upstreamHost = upstreamHost;
      broker.upstreamPort = upstreamPort;
    }
    return broker.ready;
  };

  const rewriteMetadata = async (response, version) => {
    const compact = isFlexible(API.METADATA, version);
    const reader = new Reader(response, 8);
    if (compact) reader.taggedFields();
    const head = response.subarray(4, reader.offset);
    const throttle = version >= 3 ? reader.int32() : null;
    const count = reader.arrayLength(compact);
    const list = [];
    for (let index = 0; index < count; index += 1) {
      const nodeId = reader.int32();
      const brokerHost = reader.string(compact);
      const port = reader.int32();
      const rack = version >= 1 ? reader.string(compact) : null;
      const tags = compact ? reader.taggedFields() : null;
      list.push({ nodeId, brokerHost, port, rack, tags });
    }
    const clusterId = version >= 2 ? reader.string(compact) : null;
    let controllerId = version >= 1 ? reader.int32() : null;
    const rest = reader.rest();
    const parts = [head];
    if (throttle !== null) parts.push(int32(throttle));
    parts.push(arrayLength(list.length, compact));
    for (const broker of list) {
      const local = await portOf(broker.nodeId, broker.brokerHost, broker.port);
      parts.push(int32(broker.nodeId), string(host, compact), int32(local));
      if (version >= 1) parts.push(string(broker.rack, compact));
      if (compact) parts.push(broker.tags);
    }
    if (version >= 2) parts.push(string(clusterId, compact));
    if (controllerId !== null) {
      if (list.length > 0 && !list.some((broker) => broker.nodeId === controllerId)) {
        controllerId = Math.min(...list.map((broker) => broker.nodeId));
      }
      parts.push(int32(controllerId));
    }
    parts.push(rest);
    return frame(parts);
  };

  const rewriteFindCoordinator = async (response, version) => {
    const compact = isFlexible(API.FIND_COORDINATOR, version);
    const reader = new Reader(response, 8);
    if (compact) reader.taggedFields();
    const parts = [response.subarray(4, reader.offset)];
    const coordinator = async () => {
      const nodeId = reader.int32();
      const coordinatorHost = reader.string(compact);
      const port = reader.int32();
      if (nodeId < 0) return [int32(nodeId), string(coordinatorHost, compact), int32(port)];
      const local = await portOf(nodeId, coordinatorHost, port);
      return [int32(nodeId), string(host, compact), int32(local)];
    };
    if (version >= 1) parts.push(int32(reader.int32()));
    if (version <= 3) {
      parts.push(int16(reader.int16()));
      if (version >= 1) parts.push(string(reader.string(compact), compact));
      parts.push(...(await coordinator()));
    } else {
      const count = reader.arrayLength(true);
      parts.push(arrayLength(count, true));
      for (let index = 0; index < count; index += 1) {
        parts.push(string(reader.string(true), true));
        parts.push(...(await coordinator()));
        parts.push(int16(reader.int16()), string(reader.string(true), true), reader.taggedFields());
      }
    }
    parts.push(reader.rest());
    return frame(parts);
  };

  /** Adds CreateTopics to the advertised APIs (the mock lacks it; the hook answers it). */
  const rewriteApiVersions = (response, version) => {
    const compact = isFlexible(API.API_VERSIONS, version);
    const reader = new Reader(response, 8); // the ApiVersions response header is always v0
    const errorCode = reader.int16();
    const count = reader.arrayLength(compact);
    const entries = [];
    for (let index = 0; index < count; index += 1) {
      const apiKey = reader.int16();
      const min = reader.int16();
      const max = reader.int16();
      const tags = compact ? reader.taggedFields() : null;
      if (apiKey !== API.CREATE_TOPICS) entries.push({ apiKey, min, max, tags });
    }
    entries.push({
      apiKey: API.CREATE_TOPICS,
      min: 0,
      max: CREATE_TOPICS_MAX_VERSION,
      tags: compact ? uvarint(0) : null,
    });
    entries.sort((left, right) => left.apiKey - right.apiKey);
    const parts = [response.subarray(4, 8), int16(errorCode), arrayLength(entries.length, compact)];
    for (const entry of entries) {
      parts.push(int16(entry.apiKey), int16(entry.min), int16(entry.max));
      if (compact) parts.push(entry.tags);
    }
    parts.push(reader.rest());
    return frame(parts);
  };

  const answerCreateTopics = async (request, header) => {
    const reader = new Reader(request, header.bodyOffset);
    const topics = [];
    const count = reader.int32();
    for (let index = 0; index < count; index += 1) {
      const name = reader.string(false);
      let partitions = reader.int32();
      let replication = reader.int16();
      const assignments = reader.int32();
      for (let item = 0; item < assignments; item += 1) {
        reader.int32();
        const replicas = reader.int32();
        for (let replica = 0; replica < replicas; replica += 1) reader.int32();
        if (item === 0 && replication === -1) replication = replicas;
      }
      if (assignments > 0 && partitions === -1) partitions = assignments;
      const configs = reader.int32();
      for (let item = 0; item < configs; item += 1) {
        reader.string(false);
        reader.string(false);
      }
      topics.push({ name, partitions, replication });
    }
    reader.int32(); // timeout
    const validateOnly = header.apiVersion >= 1 ? reader.int8() !== 0 : false;
    const brokerCount = options.brokerCount ?? Math.max(brokers.size, 1);
    const results = [];
    for (const topic of topics) {
      // -1 asks for the broker defaults: the mock's auto-create defaults.
      const partitions = topic.partitions === -1 ? 4 : topic.partitions;
      const replication = topic.replication === -1 ? Math.min(3, brokerCount) : topic.replication;
      let errorCode = ERROR.NONE;
      let message = null;
      if (partitions < 1) {
        errorCode = ERROR.INVALID_PARTITIONS;
        message = 'Number of partitions must be larger than 0.';
      } else if (replication < 1 || replication > brokerCount) {
        errorCode = ERROR.INVALID_REPLICATION_FACTOR;
        message = `Replication factor: ${replication} larger than available brokers: ${brokerCount}.`;
      } else if (!validateOnly) {
        errorCode = await options.createTopic(topic.name, partitions, replication);
        if (errorCode === ERROR.TOPIC_ALREADY_EXISTS)
          message = `Topic '${topic.name}' already exists.`;
      }
      results.push({ name: topic.name, errorCode, message });
    }
    const parts = [int32(header.correlationId)];
    if (header.apiVersion >= 2) parts.push(int32(0));
    parts.push(int32(results.length));
    for (const result of results) {
      parts.push(string(result.name, false), int16(result.errorCode));
      if (header.apiVersion >= 1) parts.push(string(result.message, false));
    }
    return frame(parts);
  };

  const rewriteResponse = async (response, request) => {
    switch (request.apiKey) {
      case API.METADATA:
        return rewriteMetadata(response, request.apiVersion);
      case API.FIND_COORDINATOR:
        return rewriteFindCoordinator(response, request.apiVersion);
      case API.API_VERSIONS:
        return options.createTopic ? rewriteApiVersions(response, request.apiVersion) : response;
      default:
        return response;
    }
  };

  /** Relays one client connection to `target`, keeping responses in request order. */
  function relay(client, target) {
    if (closed) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    /** Response slots in request order: { correlationId, request, local?, frame? }. */
    const slots = [];
    let chain = Promise.resolve();
    const flush = () => {
      while (slots.length > 0 && slots[0].frame) client.write(slots.shift().frame);
    };
    const fail = (error) => {
      log(`connection error: ${error?.message ?? error}`);
      client.destroy();
      upstream.destroy();
    };
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk) => onRequest(chunk));
    const onRequest = frameSplitter((message) => {
      const header = parseRequestHeader(message);
      if (header.apiKey === API.CREATE_TOPICS && options.createTopic) {
        if (header.apiVersion > CREATE_TOPICS_MAX_VERSION) return fail(new Error('CreateTopics'));
        const slot = { correlationId: header.correlationId, local: true, frame: null };
        slots.push(slot);
        answerCreateTopics(message, header).then((answer) => {
          slot.frame = answer;
          flush();
        }, fail);
        return;
      }
      if (expectsResponse(message, header)) {
        slots.push({ correlationId: header.correlationId, request: header, frame: null });
      }
      upstream.write(message);
    });
    const onResponse = frameSplitter((message) => {
      const correlationId = message.readInt32BE(4);
      const slot = slots.find((item) => !item.local && item.correlationId === correlationId);
      if (!slot) return fail(new Error(`unexpected correlation id ${correlationId}`));
      // Rewrites may await a new listener: chain them so responses keep their order.
      chain = chain.then(async () => {
        slot.frame = await rewriteResponse(message, slot.request);
        flush();
      });
      chain.catch(fail);
    });
    upstream.on('data', (chunk) => onResponse(chunk));
    client.on('error', fail);
    upstream.on('error', fail);
    client.on('close', end);
    upstream.on('close', end);
  }

  const [firstHost, firstPort] = splitAddress(options.upstream[0]);
  const bootstrapPort = await listen(options.basePort ?? 0, () => ({
    host: firstHost,
    port: firstPort,
  }));

  return {
    bootstrap: `${host}:${bootstrapPort}`,
    brokers: () => [...brokers.keys()],
    async close() {
      closed = true;
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        [...servers].map((server) => new Promise((resolve) => server.close(() => resolve()))),
      );
    },
  };
}

/** "host:port" → [host, port]. */
export function splitAddress(address) {
  const index = address.lastIndexOf(':');
  return [address.slice(0, index), Number(address.slice(index + 1))];
}
