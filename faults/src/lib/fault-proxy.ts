/**
 * A user-space TCP proxy between a client and a server on loopback, for the faults nftables cannot
 * make: added latency, a bandwidth cap towards the client (a slow consumer), a connection reset in
 * the middle of a frame, a half-close (FIN in one direction only), and a client side that stops
 * reading. Bytes are forwarded unchanged and in order; every fault is a setting that can change
 * while connections are open, and applies to every connection through the proxy.
 */
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** The faults, as they can be set on a running proxy. */
export interface ProxyFaults {
  /** Delay every chunk, both ways, by this many ms (order kept). */
  latencyMs: number;
  /** Forward at most this many bytes per second towards the client (Infinity: no cap). */
  clientBytesPerSecond: number;
  /** After this many bytes towards the client, reset both connections (RST), cutting a chunk at that byte. */
  resetAfterClientBytes: number;
  /** Stop reading from the server and forwarding to the client (a client that stops reading: the server's sends back up). */
  stopReadingServer: boolean;
}

/** One proxied connection: the client's socket and the proxy's socket to the server. */
export interface ProxiedConnection {
  readonly client: Socket;
  readonly server: Socket;
  /** Bytes forwarded towards the client so far. */
  readonly toClientBytes: number;
  /** When the proxy applied `stopReadingServer` to this connection (Date.now()), if it has. */
  readonly stoppedReadingAt: number | undefined;
  /** Send FIN to the server only (the client → server direction ends; server → client stays open). */
  halfCloseTowardsServer(): void;
  /** Send FIN to the client only. */
  halfCloseTowardsClient(): void;
}

/** A running proxy. */
export interface FaultProxy {
  readonly port: number;
  readonly faults: ProxyFaults;
  readonly connections: ProxiedConnection[];
  /** Resolves with the next connection made through the proxy (or the latest, if one is waiting). */
  nextConnection(): Promise<ProxiedConnection>;
  close(): Promise<void>;
}

/** Start a proxy on 127.0.0.1 (any port) forwarding to 127.0.0.1:`targetPort`. */
export async function startFaultProxy(targetPort: number, initial: Partial<ProxyFaults> = {}): Promise<FaultProxy> {
  const faults: ProxyFaults = {
    latencyMs: 0,
    clientBytesPerSecond: Number.POSITIVE_INFINITY,
    resetAfterClientBytes: Number.POSITIVE_INFINITY,
    stopReadingServer: false,
    ...initial,
  };
  const connections: ProxiedConnection[] = [];
  const sockets = new Set<Socket>();
  let taken = 0;
  const waiting: Array<(c: ProxiedConnection) => void> = [];
  const tickers = new Set<NodeJS.Timeout>();

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      // A reset is one of the faults: neither end's error may crash the proxy.
      s.on('error', () => s.destroy());
    }
    let toClientBytes = 0;
    let reset = false;
    let stoppedReadingAt: number | undefined;
    const resetBoth = (): void => {
      reset = true;
      if (!client.destroyed) client.resetAndDestroy();
      if (!upstream.destroyed) upstream.resetAndDestroy();
    };

    // Client → server: only latency applies.
    const forward = (to: Socket, chunk: Buffer): void => {
      if (faults.latencyMs > 0) setTimeout(() => !to.destroyed && to.write(chunk), faults.latencyMs);
      else to.write(chunk);
    };
    client.on('data', (chunk: Buffer) => forward(upstream, chunk));
    client.on('end', () => setTimeout(() => !upstream.destroyed && upstream.end(), faults.latencyMs));

    // Server → client: latency, the bandwidth cap (a token bucket refilled every 10 ms; the server
    // socket pauses while the bucket is empty, so the server's own buffers fill up), the reset, and
    // stopping reading altogether.
    const queue: Buffer[] = [];
    let tokens = 0;
    let ended = false;
    const pump = (): void => {
      if (faults.stopReadingServer) {
        // Nothing more reaches the client and nothing more is read: the server's sends back up.
        upstream.pause();
        stoppedReadingAt ??= Date.now();
        return;
      }
      while (queue.length > 0 && !reset) {
        let chunk = queue[0]!;
        const budget = faults.clientBytesPerSecond === Number.POSITIVE_INFINITY ? chunk.length : Math.floor(tokens);
        if (budget <= 0) break;
        if (chunk.length > budget) {
          queue[0] = chunk.subarray(budget);
          chunk = chunk.subarray(0, budget);
        } else {
          queue.shift();
        }
        const left = faults.resetAfterClientBytes - toClientBytes;
        if (chunk.length >= left) {
          // The RST goes once the bytes before the cut have been handed to the kernel: a reset with
          // writes still pending would be turned into a plain close (FIN) by libuv.
          reset = true;
          toClientBytes += Math.max(0, left);
          client.write(chunk.subarray(0, Math.max(0, left)), resetBoth);
          return;
        }
        if (faults.clientBytesPerSecond !== Number.POSITIVE_INFINITY) tokens -= chunk.length;
        toClientBytes += chunk.length;
        client.write(chunk);
      }
      if (queue.length === 0 && ended && !reset) client.end();
      if (queue.length > 0) upstream.pause();
      else upstream.resume();
    };
    const ticker = setInterval(() => {
      if (faults.clientBytesPerSecond !== Number.POSITIVE_INFINITY) {
        tokens = Math.min(tokens + faults.clientBytesPerSecond / 100, Math.max(faults.clientBytesPerSecond / 10, 1));
      }
      pump();
    }, 10);
    tickers.add(ticker);
    client.on('close', () => {
      clearInterval(ticker);
      tickers.delete(ticker);
      if (!reset) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!reset && queue.length === 0) client.destroy();
    });
    upstream.on('data', (chunk: Buffer) => {
      const push = (): void => {
        queue.push(chunk);
        pump();
      };
      if (faults.latencyMs > 0) setTimeout(push, faults.latencyMs);
      else push();
    });
    upstream.on('end', () => {
      // Behind the data still being delayed: the FIN keeps its place in the stream.
      const end = (): void => {
        ended = true;
        pump();
      };
      if (faults.latencyMs > 0) setTimeout(end, faults.latencyMs);
      else end();
    });

    const connection: ProxiedConnection = {
      client,
      server: upstream,
      get toClientBytes() {
        return toClientBytes;
      },
      get stoppedReadingAt() {
        return stoppedReadingAt;
      },
      halfCloseTowardsServer: () => upstream.end(),
      halfCloseTowardsClient: () => client.end(),
    };
    upstream.once('connect', () => {
      client.resume();
      connections.push(connection);
      const next = waiting.shift();
      if (next !== undefined) {
        taken++;
        next(connection);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    faults,
    connections,
    nextConnection() {
      if (connections.length > taken) return Promise.resolve(connections[taken++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const ticker of tickers) clearInterval(ticker);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
