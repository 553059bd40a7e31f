/**
 * `createRedisAdapter`: the @rfc6455/server adapter seam (Adapter / AdapterNode) over Redis. A
 * server attaches once; its node tells Redis which topics it needs (pub/sub modes), hands each
 * publish and broadcast to Redis once, and delivers what the other nodes published to its own
 * connections through the server's broadcast path (one encoded frame per message per node).
 * Everything it could not do is reported: a forward that failed rejects (the server counts it and
 * emits 'forwardError'), a gap in what it received is a 'messagesMissed' event, a message it could
 * not read an 'invalidMessage' event.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode } from '@rfc6455/codes';
import type { Adapter, AdapterHost, AdapterMessage, AdapterNode } from '@rfc6455/server';
import type { RedisAdapterStatus } from './connection.ts';
import { createNodeId, decodeMessage, encodedLength, encodeMessage } from './message-codec.ts';
import type { DecodedMessage } from './message-codec.ts';
import { resolveRedisAdapterOptions } from './options.ts';
import type { RedisAdapterMode, RedisAdapterOptions, ResolvedRedisAdapterOptions } from './options.ts';
import { PubSubTransport } from './pubsub-transport.ts';
import type { Transport, TransportEvents } from './pubsub-transport.ts';
import { RedisAdapterError } from './redis-adapter-error.ts';
import { SequenceTracker } from './sequence-tracker.ts';
import { StreamsTransport } from './streams-transport.ts';

/** What a 'messagesMissed' event says: what may have been lost, as precisely as the mode knows. */
export interface MissedMessages {
  /** `WS_ERR_MESSAGES_MISSED`, with a message that says what was missed. */
  readonly error: RedisAdapterError;
  /** How many messages were missed, when the mode knows (streams: exactly, per publisher); undefined in pub/sub modes. */
  readonly count: number | undefined;
  /** Streams: the node id (hex) of the publisher whose messages were missed. */
  readonly publisher: string | undefined;
  /** Streams: the publisher's first and last missed sequence numbers. */
  readonly sequences: readonly [number, number] | undefined;
  /** Pub/sub: when the subscription went down and came back (epoch ms); what was published between is lost. */
  readonly downSinceMs: number | undefined;
  /** Pub/sub: when the subscription was back (epoch ms). */
  readonly upAtMs: number | undefined;
}

/** Counters of one adapter, from its creation. */
export interface RedisAdapterStats {
  /** Publishes and broadcasts handed to Redis. */
  forwarded: number;
  /** Publishes and broadcasts that could not be (each also a rejected forward: the server's forwardFailures and 'forwardError'). */
  forwardFailures: number;
  /** Messages of other nodes read from Redis. */
  received: number;
  /** Deliveries to this node's connections of messages of other nodes (one per connection). */
  delivered: number;
  /** Messages of other nodes known to be missed (streams: counted exactly; pub/sub: not countable, see 'messagesMissed'). */
  missed: number;
  /** Messages read twice and dropped the second time (streams: a publish retried after Redis went away before it answered). */
  duplicates: number;
  /** Messages from Redis in another format, dropped. */
  invalidMessages: number;
}

/** The events of a {@link RedisAdapter}. */
export interface RedisAdapterEvents {
  /** The status changed. */
  status: [status: RedisAdapterStatus];
  /** node-redis reported an error: a failed connection or reconnection attempt (the adapter keeps retrying), a refused command. */
  connectionError: [error: Error];
  /** This node may have missed messages of other nodes. */
  messagesMissed: [missed: MissedMessages];
  /** A message in another format arrived and was dropped (`WS_ERR_INVALID_ADAPTER_MESSAGE`). */
  invalidMessage: [error: RedisAdapterError];
}

// A lone surrogate has no UTF-8 form: TextEncoder would turn it into U+FFFD and two different
// topics would share one channel.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function topicBytes(method: string, topic: string): Buffer {
  if (LONE_SURROGATE.test(topic)) throw new TypeError(`${method}: topic ${JSON.stringify(topic)} has a lone surrogate, which has no UTF-8 form; Redis channels carry UTF-8 topics.`);
  return Buffer.from(topic, 'utf8');
}

/**
 * The Redis adapter: pass it as the `adapter` option of one `WebSocketServer`. See the README for
 * each mode's delivery guarantees.
 */
export class RedisAdapter extends EventEmitter<RedisAdapterEvents> implements Adapter {
  /** The mode this adapter runs in. */
  readonly mode: RedisAdapterMode;
  /** This node's id (32 hex digits): its publishes carry it, so it never delivers its own twice. */
  readonly nodeId: string;
  /** Counters since creation. */
  readonly stats: RedisAdapterStats = { forwarded: 0, forwardFailures: 0, received: 0, delivered: 0, missed: 0, duplicates: 0, invalidMessages: 0 };
  readonly #options: ResolvedRedisAdapterOptions;
  readonly #id: Buffer = createNodeId();
  #sequence = 0;
  #transport: Transport | undefined;
  #host: AdapterHost | undefined;
  #status: RedisAdapterStatus = 'connecting';
  #closing: Promise<void> | undefined;
  readonly #sequences = new SequenceTracker();

  constructor(options: RedisAdapterOptions) {
    super();
    this.#options = resolveRedisAdapterOptions(options);
    this.mode = this.#options.mode;
    this.nodeId = this.#id.toString('hex');
  }

  /** 'connecting' until Redis first answers, 'ready' while connected, 'reconnecting' while it is away, 'closed' after close(). */
  get status(): RedisAdapterStatus {
    return this.#status;
  }

  /** Resolves once the status is 'ready' (at once if it is); rejects if the adapter closes first. */
  ready(): Promise<void> {
    if (this.#status === 'ready') return Promise.resolve();
    if (this.#status === 'closed') return Promise.reject(new Error('the Redis adapter is closed'));
    return new Promise((resolve, reject) => {
      const changed = (status: RedisAdapterStatus): void => {
        if (status !== 'ready' && status !== 'closed') return;
        this.off('status', changed);
        if (status === 'ready') resolve();
        else reject(new Error('the Redis adapter closed before it was ready'));
      };
      this.on('status', changed);
    });
  }

  /** Resolves once Redis has confirmed every subscribe and unsubscribe this node asked for so far (pub/sub modes; at once in streams mode). */
  async synced(): Promise<void> {
    await this.#transport?.synced();
  }

  /** Called by the server, once. */
  attach(host: AdapterHost): AdapterNode {
    if (this.#host !== undefined) throw new TypeError('createRedisAdapter(): this adapter is attached to a server already; create one adapter per WebSocketServer.');
    if (this.#status === 'closed') throw new TypeError('createRedisAdapter(): this adapter is closed; create a new one.');
    this.#host = host;
    const events: TransportEvents = {
      message: (bytes) => this.#received(bytes),
      connectionError: (error) => this.emit('connectionError', error),
      status: (status) => this.#setStatus(status),
      subscriptionGap: (sinceMs, untilMs) => this.#subscriptionGap(sinceMs, untilMs),
    };
    const transport = this.mode === 'streams' ? new StreamsTransport(this.#options, events) : new PubSubTransport(this.#options, events);
    this.#transport = transport;
    const pubsub = this.mode !== 'streams';
    if (pubsub) {
      // Every connection receives broadcasts; topics only where someone here subscribed. Topics
      // subscribed before the server attached (none, today) would be picked up from the host.
      transport.subscribe(this.#broadcastChannel());
      for (const topic of host.topics()) transport.subscribe(this.#topicChannel(topic));
    }
    transport.start();
    return {
      subscribe: (topic) => {
        const channel = this.#topicChannel(topic, 'subscribe');
        if (pubsub && this.#status !== 'closed') transport.subscribe(channel);
      },
      unsubscribe: (topic) => {
        if (!pubsub || this.#status === 'closed' || LONE_SURROGATE.test(topic)) return;
        transport.unsubscribe(this.#topicChannel(topic));
      },
      forward: (message) => this.#forward(message),
      close: () => this.close(),
    };
  }

  /** Close the connections (the server does it from its own close()). Pending forwards of streams mode reject. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#setStatus('closed');
      await this.#transport?.close();
    })();
    return this.#closing;
  }

  #topicChannel(topic: string, method = 'subscribe'): string {
    topicBytes(method, topic);
    return `${this.#options.channelPrefix}t:${topic}`;
  }

  #broadcastChannel(): string {
    return `${this.#options.channelPrefix}b`;
  }

  #forward(message: AdapterMessage): Promise<void> {
    const topic = message.topic === undefined ? undefined : topicBytes('publish', message.topic);
    const length = encodedLength(message, topic);
    if (length > this.#options.maxMessageBytes) {
      throw new RangeError(
        `publish: the message is ${length} bytes for Redis (payload ${message.data.length}, topic ${topic?.length ?? 0}, header ${length - message.data.length - (topic?.length ?? 0)}), over the adapter's maxMessageBytes of ${this.#options.maxMessageBytes}; raise maxMessageBytes or send less.`,
      );
    }
    const transport = this.#transport;
    if (transport === undefined || this.#status === 'closed') return Promise.reject(this.#failure(new Error('the Redis adapter is closed')));
    const bytes = encodeMessage(message, topic, this.#id, ++this.#sequence);
    const channel = message.topic === undefined ? this.#broadcastChannel() : `${this.#options.channelPrefix}t:${message.topic}`;
    return transport.publish(channel, bytes).then(
      () => {
        this.stats.forwarded++;
      },
      (err: unknown) => {
        throw this.#failure(err);
      },
    );
  }

  #failure(cause: unknown): RedisAdapterError {
    this.stats.forwardFailures++;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new RedisAdapterError(ErrorCode.ForwardFailed, `Redis did not take the message (status ${this.#status}): ${reason}`, { cause });
  }

  #received(bytes: Buffer): void {
    let message: DecodedMessage;
    try {
      message = decodeMessage(bytes);
    } catch (err) {
      this.stats.invalidMessages++;
      this.emit('invalidMessage', err as RedisAdapterError);
      return;
    }
    if (message.nodeId === this.nodeId) return;
    if (this.mode === 'streams') {
      // Every node reads every entry of the stream, so a publisher's sequence numbers arrive
      // without holes unless entries were trimmed (or lost with Redis) before this node read them.
      const step = this.#sequences.observe(message.nodeId, message.sequence);
      if (step.kind === 'duplicate') {
        this.stats.duplicates++;
        return;
      }
      if (step.kind === 'gap') this.#streamGap(message.nodeId, step.first, step.last);
    }
    this.stats.received++;
    const host = this.#host;
    if (host === undefined) return;
    if (message.topic !== undefined && !host.hasSubscribers(message.topic)) return;
    this.stats.delivered += host.deliver(message);
  }

  #streamGap(publisher: string, first: number, last: number): void {
    const count = last - first + 1;
    this.stats.missed += count;
    const error = new RedisAdapterError(
      ErrorCode.MessagesMissed,
      `This node missed ${count} message${count === 1 ? '' : 's'} of node ${publisher} (its numbers ${first}–${last}): the stream lost them before this node read them (trimmed at maxStreamLength, or lost with Redis).`,
    );
    this.emit('messagesMissed', { error, count, publisher, sequences: [first, last], downSinceMs: undefined, upAtMs: undefined });
  }

  #subscriptionGap(sinceMs: number, untilMs: number): void {
    const error = new RedisAdapterError(
      ErrorCode.MessagesMissed,
      `This node's Redis subscription was down for ${untilMs - sinceMs} ms (from ${new Date(sinceMs).toISOString()}); messages other nodes published then did not reach it (pub/sub keeps nothing).`,
    );
    this.emit('messagesMissed', { error, count: undefined, publisher: undefined, sequences: undefined, downSinceMs: sinceMs, upAtMs: untilMs });
  }

  #setStatus(status: RedisAdapterStatus): void {
    if (this.#status === status || this.#status === 'closed') return;
    this.#status = status;
    this.emit('status', status);
  }
}

/**
 * Create a Redis adapter for one `WebSocketServer`:
 * `new WebSocketServer({ port, adapter: createRedisAdapter({ url: 'redis://127.0.0.1:6379' }) })`.
 *
 * @throws {TypeError} for an unknown option, no connection or two, or a mode the connection cannot carry.
 * @throws {RangeError} for a limit that is not a positive integer.
 */
export function createRedisAdapter(options: RedisAdapterOptions): RedisAdapter {
  return new RedisAdapter(options);
}
