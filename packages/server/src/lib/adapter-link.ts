/**
 * The server's side of the adapter seam (adapter.ts): `publish` and `broadcast` go to this node's
 * connections (broadcast.ts) and, unless `{ local: true }`, through the adapter to the other
 * nodes; the registry tells the adapter which topics this node needs. What could not be forwarded
 * is counted and reported ('forwardError', or the rejection of `publishAsync`), never silent.
 *
 * Without an `adapter` option there is no node at all: a publish is the local delivery and
 * nothing else, the fastest path for a server alone.
 */
import { ErrorCode, checkOptionKeys, isWebSocketError } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import type { Adapter, AdapterHost, AdapterMessage, AdapterNode } from './adapter.ts';
import { toBytes } from './broadcast.ts';
import type { BroadcastData, BroadcastOptions, Broadcaster } from './broadcast.ts';
import type { ServerWebSocket } from './connection.ts';
import { ServerError, ServerErrorCode } from './server-error.ts';

const OPTION_NAMES: ReadonlySet<string> = new Set(['binary', 'filter', 'local']);

/** Where forward failures of calls nobody awaits are reported (the server's 'forwardError'). */
export type ForwardErrorReport = (error: WebSocketError, topic: string | undefined) => void;

function checkTopic(method: string, topic: string): string {
  if (typeof topic !== 'string') throw new TypeError(`${method}(topic, data, options): topic must be a string.`);
  return topic;
}

function checkOptions(method: string, options: BroadcastOptions<never>): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`${method}: options must be an object { binary, filter, local }.`);
  checkOptionKeys(method, options, OPTION_NAMES);
  if (options.filter !== undefined && typeof options.filter !== 'function') throw new TypeError(`${method}: filter must be a function (ws) => boolean.`);
}

/** One server's publish and broadcast, locally and through its adapter. */
export class AdapterLink<Context, Socket extends ServerWebSocket<Context>> {
  readonly #broadcaster: Broadcaster<Context, Socket>;
  readonly #node: AdapterNode | undefined;
  readonly #report: ForwardErrorReport;
  #failures = 0;

  constructor(adapter: Adapter | undefined, broadcaster: Broadcaster<Context, Socket>, host: AdapterHost, report: ForwardErrorReport) {
    this.#broadcaster = broadcaster;
    this.#report = report;
    this.#node = adapter?.attach(host);
  }

  /** How many publishes and broadcasts could not be forwarded to the other nodes. */
  get forwardFailures(): number {
    return this.#failures;
  }

  /** The first connection of this node subscribed to `topic` (may throw: the adapter cannot carry it). */
  opened(topic: string): void {
    this.#node?.subscribe(topic);
  }

  /** The last connection of this node left `topic`. */
  closed(topic: string): void {
    this.#node?.unsubscribe(topic);
  }

  /** `wss.publish`: the local delivery count; a forward failure is reported. */
  publish(topic: string, data: BroadcastData, options: BroadcastOptions<Socket>): number {
    return this.#reported(checkTopic('publish', topic), data, options, 'publish');
  }

  /** `wss.broadcast`: the local delivery count; a forward failure is reported. */
  broadcast(data: BroadcastData, options: BroadcastOptions<Socket>): number {
    return this.#reported(undefined, data, options, 'broadcast');
  }

  /** `wss.publishAsync`: the local delivery count once forwarded, or the reason it was not. */
  publishAsync(topic: string, data: BroadcastData, options: BroadcastOptions<Socket>): Promise<number> {
    try {
      return this.#awaited(checkTopic('publishAsync', topic), data, options, 'publishAsync');
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** `wss.broadcastAsync`: the local delivery count once forwarded, or the reason it was not. */
  broadcastAsync(data: BroadcastData, options: BroadcastOptions<Socket>): Promise<number> {
    try {
      return this.#awaited(undefined, data, options, 'broadcastAsync');
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** Leave the adapter (the server has shut down). */
  async close(): Promise<void> {
    await this.#node?.close();
  }

  #reported(topic: string | undefined, data: BroadcastData, options: BroadcastOptions<Socket>, method: string): number {
    const [sent, forwarded] = this.#send(topic, data, options, method);
    forwarded?.catch((err: unknown) => this.#report(this.#failed(err, topic), topic));
    return sent;
  }

  #awaited(topic: string | undefined, data: BroadcastData, options: BroadcastOptions<Socket>, method: string): Promise<number> {
    const [sent, forwarded] = this.#send(topic, data, options, method);
    if (forwarded === undefined) return Promise.resolve(sent);
    return forwarded.then(
      () => sent,
      (err: unknown) => {
        throw this.#failed(err, topic);
      },
    );
  }

  #send(topic: string | undefined, data: BroadcastData, options: BroadcastOptions<Socket>, method: string): [number, Promise<void> | undefined] {
    checkOptions(method, options);
    const node = options.local === true ? undefined : this.#node;
    if (node === undefined) {
      const sent = topic === undefined ? this.#broadcaster.broadcast(data, options) : this.#broadcaster.publish(topic, data, options);
      return [sent, undefined];
    }
    if (options.filter !== undefined) {
      throw new TypeError(`${method}: filter runs on this node's connections only; with an adapter pass { local: true } with it (or publish to a topic).`);
    }
    // Converted once: the same bytes go to the adapter and into this node's frame.
    const message: AdapterMessage = { topic, data: toBytes(data), binary: options.binary ?? typeof data !== 'string' };
    // Forwarded first: an adapter that refuses the message (size, topic) throws before anyone got it.
    const forwarded = node.forward(message);
    const local = { binary: message.binary };
    const sent = topic === undefined ? this.#broadcaster.broadcast(message.data, local) : this.#broadcaster.publish(topic, message.data, local);
    return [sent, forwarded];
  }

  #failed(err: unknown, topic: string | undefined): WebSocketError {
    this.#failures++;
    if (isWebSocketError(err) && err.code === ErrorCode.ForwardFailed) return err;
    const what = topic === undefined ? 'A broadcast' : `A publish to ${JSON.stringify(topic)}`;
    const reason = err instanceof Error ? err.message : String(err);
    return new ServerError(ServerErrorCode.ForwardFailed, `${what} reached this node but could not be forwarded to the other nodes: ${reason}`, { cause: err });
  }
}
