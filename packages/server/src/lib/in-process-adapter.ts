/**
 * The in-process adapter, every server's default: today's behaviour, no dependency. Alone (the
 * default, one per server) it has nobody to forward to, so a publish costs nothing beyond the
 * local delivery. Shared by several servers of one process (`adapter: shared` on each), it hands
 * every publish and broadcast of one to the others, synchronously.
 */
import type { Adapter, AdapterHost, AdapterMessage, AdapterNode } from './adapter.ts';

/**
 * An adapter for the servers of one process: pass the same one as the `adapter` option of each
 * `WebSocketServer` that should share topics and broadcasts (say, one on a public port and one on
 * an internal port). A server without the `adapter` option gets one of its own.
 */
export function createInProcessAdapter(): Adapter {
  const hosts = new Set<AdapterHost>();
  return {
    attach(host: AdapterHost): AdapterNode {
      hosts.add(host);
      return {
        // Every server of the process sees every message; its own registry knows who wants it.
        subscribe: () => undefined,
        unsubscribe: () => undefined,
        forward(message: AdapterMessage): undefined {
          if (hosts.size === 1) return undefined;
          for (const other of hosts) if (other !== host) other.deliver(message);
          return undefined;
        },
        close: async () => {
          hosts.delete(host);
        },
      };
    },
  };
}
