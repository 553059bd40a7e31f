import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYNC_DEFLATE_MAX_LENGTH } from './deflate-message.ts';
import { PerMessageDeflate, SYNC_INFLATE_MAX_LENGTH, type PerMessageDeflateOptions } from './per-message-deflate.ts';
import { ZlibLimiter } from './zlib-limiter.ts';
import type { DeflateConfig } from './negotiation.ts';
import { RSV1, bytes, closeAfterTest, config, hex, make, sample, text, thrown } from '../../test/codec.ts';

describe('RFC 7692 §7.2.3 examples', () => {
  it('compresses "Hello" to f2 48 cd c9 c9 07 00 (§7.2.3.1)', async () => {
    const server = make({ role: 'server' });
    const { data, rsv } = await server.encode(text('Hello'), false);
    expect(hex(data)).toBe('f248cdc9c90700');
    expect(rsv).toBe(RSV1);
  });

  it('without context takeover, "Hello" twice gives the same bytes (§7.2.3.2)', async () => {
    const server = make({ role: 'server', config: config({ serverNoContextTakeover: true }) });
    expect(hex((await server.encode(text('Hello'))).data)).toBe('f248cdc9c90700');
    expect(hex((await server.encode(text('Hello'))).data)).toBe('f248cdc9c90700');
  });

  it('with context takeover, the second "Hello" is f2 00 11 00 00 (§7.2.3.2)', async () => {
    const server = make({ role: 'server' });
    expect(hex((await server.encode(text('Hello'))).data)).toBe('f248cdc9c90700');
    expect(hex((await server.encode(text('Hello'))).data)).toBe('f200110000');
  });

  it('decodes both takeover messages in order', async () => {
    const client = make({ role: 'client' });
    expect(Buffer.from(await client.decode([bytes('f248cdc9c90700')], RSV1, 100)).toString()).toBe('Hello');
    expect(Buffer.from(await client.decode([bytes('f200110000')], RSV1, 100)).toString()).toBe('Hello');
  });

  it.each([
    ['a stored block (§7.2.3.1)', ['00 05 00 fa ff 48 65 6c 6c 6f 00']],
    ['a message in two fragments (§7.2.3.1)', ['f2 48 cd', 'c9 c9 07 00']],
    ['BFINAL set (§7.2.3.4)', ['f3 48 cd c9 c9 07 00 00']],
    ['two DEFLATE blocks in one message (§7.2.3.5)', ['f2 48 05 00 00 00 ff ff ca c9 c9 07 00']],
  ])('decodes %s', async (_name, fragments) => {
    const client = make({ role: 'client' });
    expect(Buffer.from(await client.decode(fragments.map(bytes), RSV1, 100)).toString()).toBe('Hello');
  });

  it('compresses an empty message to the single byte 00 and reads it back (§7.2.3.6)', async () => {
    for (const serverNoContextTakeover of [false, true]) {
      const server = make({ role: 'server', config: config({ serverNoContextTakeover }) });
      const client = make({ role: 'client', config: config({ serverNoContextTakeover }) });
      const { data, rsv } = await server.encode(new Uint8Array(0));
      expect([hex(data), rsv]).toEqual(['00', RSV1]);
      expect((await client.decode([data], RSV1, 0)).length).toBe(0);
      // The context is intact afterwards.
      const next = await server.encode(text('Hello'));
      expect(Buffer.from(await client.decode([next.data], RSV1, 100)).toString()).toBe('Hello');
    }
  });

  it('reads an empty compressed payload as an empty message', async () => {
    const client = make({ role: 'client' });
    expect((await client.decode([new Uint8Array(0)], RSV1, 10)).length).toBe(0);
  });
});

describe('compressionThreshold', () => {
  it('defaults to 1024 bytes: shorter messages pass through with rsv 0', async () => {
    const server = new PerMessageDeflate({ role: 'server', config: config() });
    closeAfterTest(server);
    expect(server.compressionThreshold).toBe(1024);
    const small = sample(1023);
    const passed = await server.encode(small);
    expect(passed.rsv).toBe(0);
    expect(passed.data).toBe(small);
    const big = await server.encode(sample(1024));
    expect(big.rsv).toBe(RSV1);
    expect(big.data.length).toBeLessThan(1024);
  });

  it('passes messages without RSV1 through decode unchanged, joined', async () => {
    const client = make({ role: 'client' });
    expect(hex(await client.decode([bytes('0102'), bytes('03')], 0, 10))).toBe('010203');
  });

  it('{ compress: false } sends one message uncompressed and keeps the context right', async () => {
    const server = make({ role: 'server' });
    const client = make({ role: 'client' });
    const big = sample(5000);
    const plain = await server.encode(big, true, { compress: false });
    expect(plain).toEqual({ data: big, rsv: 0 });
    const next = await server.encode(text('Hello'));
    expect(hex(next.data)).toBe('f248cdc9c90700');
    expect(Buffer.from(await client.decode([next.data], RSV1, 100)).toString()).toBe('Hello');
  });

  it('Infinity never compresses', async () => {
    const server = make({ role: 'server', compressionThreshold: Number.POSITIVE_INFINITY });
    expect((await server.encode(sample(100_000))).rsv).toBe(0);
  });
});

describe('round trips', () => {
  const sizes = [0, 5, 300, SYNC_DEFLATE_MAX_LENGTH + 1, 40_000];

  it.each([8, 9, 10, 11, 12, 13, 14, 15])('window bits %i, every context takeover combination, both directions', async (bits) => {
    for (const serverNoContextTakeover of [false, true]) {
      for (const clientNoContextTakeover of [false, true]) {
        const cfg = config({ serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits: bits, clientMaxWindowBits: bits });
        const server = make({ role: 'server', config: cfg });
        const client = make({ role: 'client', config: cfg });
        for (const [from, to] of [
          [server, client],
          [client, server],
        ] as const) {
          for (const [i, size] of sizes.entries()) {
            const message = sample(size, i + bits);
            const { data, rsv } = await from.encode(message);
            expect(rsv).toBe(RSV1);
            expect(hex(await to.decode([data], rsv, 1 << 20))).toBe(hex(message));
          }
        }
      }
    }
  });

  it('any split of the compressed payload into fragments decodes the same (RSV1 only on the first frame)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }), async (lengths, cuts) => {
        const server = make({ role: 'server' });
        const client = make({ role: 'client' });
        for (const [i, length] of lengths.entries()) {
          const message = sample(length, i + length);
          const { data } = await server.encode(message);
          const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
          const fragments: Uint8Array[] = [];
          let start = 0;
          for (const point of points) {
            fragments.push(data.subarray(start, point));
            start = point;
          }
          fragments.push(data.subarray(start));
          expect(hex(await client.decode(fragments, RSV1, 1 << 20))).toBe(hex(message));
        }
        server.close();
        client.close();
      }),
      { numRuns: 40 },
    );
  });

  it('inflates large payloads (over SYNC_INFLATE_MAX_LENGTH compressed) on the thread pool, keeping the context', async () => {
    const server = make({ role: 'server' });
    const client = make({ role: 'client' });
    const incompressible = new Uint8Array(randomBytes(SYNC_INFLATE_MAX_LENGTH + 1000));
    const first = await server.encode(incompressible);
    expect(first.data.length).toBeGreaterThan(SYNC_INFLATE_MAX_LENGTH);
    const decoded = client.decode([first.data], RSV1, 1 << 20);
    expect(decoded).toBeInstanceOf(Promise);
    expect(hex(await decoded)).toBe(hex(incompressible));
    // The next message refers back into the first one: the window must hold its last bytes.
    const tail = incompressible.subarray(incompressible.length - 2000);
    const second = await server.encode(tail);
    expect(second.data.length).toBeLessThan(100);
    expect(hex(await client.decode([second.data], RSV1, 1 << 20))).toBe(hex(tail));
  });
});

describe('oracle: node:zlib', () => {
  it('without context takeover, the bytes equal deflateRaw with a sync flush minus the tail', async () => {
    for (const size of [1500, SYNC_DEFLATE_MAX_LENGTH + 5000]) {
      const message = sample(size, size);
      const server = make({ role: 'server', config: config({ serverNoContextTakeover: true }) });
      const expected = zlib.deflateRawSync(message, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      expect(hex((await server.encode(message)).data)).toBe(hex(expected.subarray(0, expected.length - 4)));
    }
  });

  it('with context takeover, the bytes equal one deflateRaw stream flushed after each message', async () => {
    const stream = zlib.createDeflateRaw();
    const server = make({ role: 'server' });
    for (const [i, size] of [2000, 10, 7000, 3000].entries()) {
      const message = sample(size, i);
      const expected = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        const onData = (c: Buffer): number => chunks.push(c);
        stream.on('data', onData);
        stream.write(message);
        stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          stream.off('data', onData);
          resolve(Buffer.concat(chunks));
        });
      });
      expect(hex((await server.encode(message)).data)).toBe(hex(expected.subarray(0, expected.length - 4)));
    }
    stream.close();
  });

  it('window bits 8: our compressor (zlib 9) is readable by a strict 8-bit inflater', async () => {
    const server = make({ role: 'server', config: config({ serverMaxWindowBits: 8, serverNoContextTakeover: true }) });
    // Repeats 300 bytes apart: a 9-bit window could reach them, an 8-bit one cannot.
    const block = new Uint8Array(randomBytes(300));
    const message = new Uint8Array([...block, ...block, ...block, ...block]);
    const { data } = await server.encode(message);
    const inflated = zlib.inflateRawSync(Buffer.concat([data, Buffer.from([0, 0, 0xff, 0xff])]), {
      windowBits: 8,
      chunkSize: 64,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    expect(hex(inflated)).toBe(hex(message));
  });

  it('window bits 8: we read what zlib compresses with window 9 (what ws and Python send for 8)', async () => {
    const client = make({ role: 'client', config: config({ serverMaxWindowBits: 8 }) });
    const stream = zlib.createDeflateRaw({ windowBits: 9 });
    for (const seed of [1, 2, 3]) {
      const message = sample(3000, seed);
      const compressed = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        const onData = (c: Buffer): number => chunks.push(c);
        stream.on('data', onData);
        stream.write(message);
        stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          stream.off('data', onData);
          resolve(Buffer.concat(chunks));
        });
      });
      expect(hex(await client.decode([compressed.subarray(0, compressed.length - 4)], RSV1, 1 << 20))).toBe(hex(message));
    }
    stream.close();
  });

  it('window bits 8: a match further back than 256 bytes is invalid data (1007)', async () => {
    const client = make({ role: 'client', config: config({ serverMaxWindowBits: 8 }) });
    const block = new Uint8Array(randomBytes(300));
    // zlib reports a too-far distance only when the match crosses a message boundary (its
    // output buffer covers the rest), so put the referenced bytes in an earlier message.
    const first = zlib.deflateRawSync(block, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(hex(await client.decode([first.subarray(0, first.length - 4)], RSV1, 1 << 20))).toBe(hex(block));
    const tricky = await new Promise<Buffer>((resolve) => {
      const stream = zlib.createDeflateRaw();
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.write(block);
      stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        chunks.length = 0;
        stream.write(block);
        stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          stream.close();
          resolve(Buffer.concat(chunks));
        });
      });
    });
    const error = await thrown(() => client.decode([tricky.subarray(0, tricky.length - 4)], RSV1, 1 << 20));
    expect(error).toMatchObject({ name: 'DeflateError', code: 'WS_ERR_INVALID_COMPRESSED_DATA', closeCode: 1007 });
  });
});

describe('limits and bad input', () => {
  it('allows exactly maxLength bytes and refuses one more (1009)', async () => {
    const server = make({ role: 'server', config: config({ serverNoContextTakeover: true }) });
    const client = make({ role: 'client', config: config({ serverNoContextTakeover: true }) });
    const { data } = await server.encode(sample(5000));
    expect((await client.decode([data], RSV1, 5000)).length).toBe(5000);
    const error = await thrown(() => client.decode([data], RSV1, 4999));
    expect(error).toMatchObject({ name: 'DeflateError', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', closeCode: 1009 });
  });

  it('maxLength 0 allows only the empty message', async () => {
    const client = make({ role: 'client' });
    expect((await client.decode([bytes('00')], RSV1, 0)).length).toBe(0);
    expect(await thrown(() => client.decode([bytes('f248cdc9c90700')], RSV1, 0))).toMatchObject({ code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
  });

  it.each([
    ['a reserved block type', 'ff'],
    ['a stored block whose length check fails', '00 05 00 00 00 48 65 6c 6c 6f'],
  ])('refuses %s with WS_ERR_INVALID_COMPRESSED_DATA (1007)', async (_name, payload) => {
    const client = make({ role: 'client' });
    const error = await thrown(() => client.decode([bytes(payload)], RSV1, 1000));
    expect(error).toMatchObject({ code: 'WS_ERR_INVALID_COMPRESSED_DATA', closeCode: 1007 });
  });

  it('random payloads never throw anything but the two typed errors', async () => {
    const client = make({ role: 'client', config: config({ serverNoContextTakeover: true }) });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (payload) => {
        try {
          await client.decode([payload], RSV1, 1000);
        } catch (err) {
          expect(['WS_ERR_INVALID_COMPRESSED_DATA', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH']).toContain((err as { code?: string }).code);
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['sync path: 48 MiB of zeros', 48, true],
    ['thread pool: 100 MiB of zeros', 100, false],
  ])('a deflate bomb (%s) with a 1 MiB cap fails with 1009 and bounded memory', async (_name, mebibytes, sync) => {
    // Build the bomb by streaming zeros into a compressor, so the test never holds the 100 MiB.
    const deflater = zlib.createDeflateRaw({ level: 9 });
    const chunks: Buffer[] = [];
    deflater.on('data', (c: Buffer) => chunks.push(c));
    const zeros = Buffer.alloc(1 << 20);
    for (let i = 0; i < mebibytes; i++) deflater.write(zeros);
    await new Promise<void>((resolve) => deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    deflater.close();
    const bomb = Buffer.concat(chunks);
    expect(bomb.length <= SYNC_INFLATE_MAX_LENGTH).toBe(sync);

    const client = make({ role: 'client' });
    const before = process.memoryUsage();
    const error = await thrown(() => client.decode([bomb.subarray(0, bomb.length - 4)], RSV1, 1 << 20));
    const after = process.memoryUsage();
    expect(error).toMatchObject({ code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', closeCode: 1009 });
    // Inflating it all would add ≥ 48 MiB; stopping at the cap adds a few MiB at most.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 << 20);
    expect(after.rss - before.rss).toBeLessThan(40 << 20);
  });

  it('throws at once for invalid options', () => {
    const cases: Array<Partial<PerMessageDeflateOptions>> = [
      { role: 'peer' as 'client' },
      { role: 'client', config: undefined as unknown as DeflateConfig },
      { role: 'client', config: config({ clientMaxWindowBits: 16 }) },
      { role: 'client', config: config({ serverMaxWindowBits: 7 }) },
      { role: 'client', compressionThreshold: -1 },
      { role: 'client', level: 10 },
      { role: 'client', memLevel: 0 },
    ];
    for (const options of cases) {
      expect(() => new PerMessageDeflate({ config: config(), ...options } as PerMessageDeflateOptions)).toThrow(/PerMessageDeflate: /);
    }
  });
});

describe('ordering and concurrency', () => {
  it.each([false, true])('settles results of one direction in call order, sync or not (no context takeover: %s)', async (noTakeover) => {
    const cfg = config({ serverNoContextTakeover: noTakeover, clientNoContextTakeover: noTakeover });
    const server = make({ role: 'server', config: cfg, compressionThreshold: 100 });
    const client = make({ role: 'client', config: cfg });
    const messages = [5000, 10, 20_000, 0, 300, 99, 70_000, 1].map((n, i) => sample(n, i));
    // Incompressible and over SYNC_INFLATE_MAX_LENGTH: its inflation goes to the thread pool.
    messages[6] = new Uint8Array(randomBytes(SYNC_INFLATE_MAX_LENGTH + 5000));
    const settled: number[] = [];
    const encoded = messages.map((m, i) =>
      Promise.resolve(server.encode(m)).then((r) => {
        settled.push(i);
        return r;
      }),
    );
    const results = await Promise.all(encoded);
    expect(settled).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(results.map((r) => r.rsv)).toEqual([RSV1, 0, RSV1, 0, RSV1, 0, RSV1, 0]);
    const decodedOrder: number[] = [];
    const decoded = await Promise.all(
      results.map((r, i) =>
        Promise.resolve(client.decode([r.data], r.rsv, 1 << 20)).then((d) => {
          decodedOrder.push(i);
          return d;
        }),
      ),
    );
    expect(decodedOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(decoded.map(hex)).toEqual(messages.map(hex));
  });

  it('never runs more thread-pool jobs than the shared limiter allows', async () => {
    const limiter = new ZlibLimiter(2);
    const peers = Array.from({ length: 6 }, () => make({ role: 'server', limiter }));
    let maxActive = 0;
    const original = limiter.run.bind(limiter);
    limiter.run = <T>(job: () => Promise<T>): Promise<T> =>
      original(() => {
        maxActive = Math.max(maxActive, limiter.active);
        return job();
      });
    const message = sample(50_000);
    const pending = peers.map(async (p) => p.encode(message));
    expect(limiter.active).toBe(2);
    expect(limiter.pending).toBe(4);
    const results = await Promise.all(pending);
    expect(maxActive).toBe(2);
    expect(limiter.active).toBe(0);
    expect(new Set(results.map((r) => hex(r.data))).size).toBe(1);
  });
});

describe('close()', () => {
  it('fails pending compression, releases its limiter slot, and refuses later calls', async () => {
    const limiter = new ZlibLimiter(1);
    const server = make({ role: 'server', limiter });
    const pending = server.encode(sample(200_000));
    const queued = server.encode(sample(200_000));
    server.close();
    server.close();
    expect(await thrown(() => pending)).toMatchObject({ code: 'WS_ERR_DEFLATE_CLOSED' });
    expect(await thrown(() => queued)).toMatchObject({ code: 'WS_ERR_DEFLATE_CLOSED' });
    expect(limiter.active).toBe(0);
    expect(() => server.encode(text('x'))).toThrow(expect.objectContaining({ code: 'WS_ERR_DEFLATE_CLOSED' }));
    expect(() => server.decode([bytes('00')], RSV1, 10)).toThrow(expect.objectContaining({ code: 'WS_ERR_DEFLATE_CLOSED' }));
  });
});
