// Categories 12 and 13: permessage-deflate (RFC 7692). The fuzzer negotiates the extension with
// the parameters of each case, sends compressed messages one at a time and checks every echo.
// The fuzzer's own codec is node:zlib used directly (not @rfc6455/deflate), so the suite does not
// judge our codec with itself.
import zlib from 'node:zlib';
import { OK } from './verdict.mjs';
import { message, normalClose } from './cases.mjs';

/** Messages per case: the public suite sends 1000; we divide by this. */
export const DEFLATE_COUNT_DIVISOR = Number(process.env.CONFORMANCE_DEFLATE_DIVISOR ?? 100);
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Run one zlib stream over `data` and flush it (Z_SYNC_FLUSH), collecting the output. */
function pump(stream, data) {
  return new Promise((resolve, reject) => {
    const out = [];
    const onData = (chunk) => out.push(chunk);
    stream.on('data', onData);
    stream.once('error', reject);
    stream.write(data);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', reject);
      resolve(Buffer.concat(out));
    });
  });
}

/**
 * The fuzzer's end of a negotiated permessage-deflate: compress with our window and context
 * rules, inflate what the peer sends (a 15-bit window inflates any smaller window too, and keeping
 * the inflate context is right whether or not the peer resets its own).
 */
export class DeflateCodec {
  constructor({ windowBits = 15, noContextTakeover = false }) {
    // zlib cannot produce an 8-bit raw deflate window; 9 is what every implementation uses for 8.
    this.windowBits = Math.max(9, windowBits);
    this.noContextTakeover = noContextTakeover;
    this.deflater = null;
    this.inflater = zlib.createInflateRaw({ windowBits: 15 });
  }

  async compress(data) {
    if (!this.deflater || this.noContextTakeover) {
      this.deflater?.close();
      this.deflater = zlib.createDeflateRaw({ windowBits: this.windowBits });
    }
    const out = await pump(this.deflater, data);
    // RFC 7692 §7.2.1: drop the 00 00 ff ff that ends a sync flush.
    return out.subarray(out.length - 4).equals(TAIL) ? out.subarray(0, out.length - 4) : out;
  }

  async decompress(data) {
    // RFC 7692 §7.2.2: put the tail back before inflating.
    return pump(this.inflater, Buffer.concat([data, TAIL]));
  }

  close() {
    this.deflater?.close();
    this.inflater.close();
  }
}

/** Parse a Sec-WebSocket-Extensions value into [{ name, params }]. */
export function parseExtensions(header) {
  if (!header) return [];
  return header.split(',').map((offer) => {
    const [name, ...params] = offer.split(';').map((s) => s.trim());
    const parsed = {};
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      parsed[k] = v === undefined ? true : v.replace(/^"|"$/g, '');
    }
    return { name, params: parsed };
  });
}

/** A client offer (fuzzer as client), in the public suite's four parameters. */
function offerString({ requestNoContextTakeover = false, requestMaxWindowBits = 0 } = {}) {
  let s = 'permessage-deflate; client_no_context_takeover; client_max_window_bits';
  if (requestNoContextTakeover) s += '; server_no_context_takeover';
  if (requestMaxWindowBits) s += `; server_max_window_bits=${requestMaxWindowBits}`;
  return s;
}

/**
 * Negotiation for one parameter combination: `offers` when the fuzzer is the client, `accepts`
 * (tried in order) when the fuzzer is the server.
 */
function negotiation(offers, accepts) {
  return {
    offer: offers.map(offerString).join(', '),
    // Fuzzer as client: the server's answer sets our compressor (RFC 7692 §7.1.1, §7.1.2).
    fromResponse(header) {
      const ext = parseExtensions(header).find((e) => e.name === 'permessage-deflate');
      if (!ext) return null;
      return new DeflateCodec({
        windowBits: ext.params.client_max_window_bits ? Number(ext.params.client_max_window_bits) : 15,
        noContextTakeover: Boolean(ext.params.client_no_context_takeover),
      });
    },
    // Fuzzer as server: accept the first offer an accept rule fits; honour what the client asked
    // of the server (server_no_context_takeover, server_max_window_bits).
    answer(header) {
      for (const { requestNoContextTakeover, requestMaxWindowBits } of accepts) {
        for (const { name, params } of parseExtensions(header)) {
          if (name !== 'permessage-deflate') continue;
          if (requestMaxWindowBits && !params.client_max_window_bits) continue;
          const parts = ['permessage-deflate'];
          if (params.server_no_context_takeover) parts.push('server_no_context_takeover');
          if (params.server_max_window_bits) parts.push(`server_max_window_bits=${params.server_max_window_bits}`);
          if (requestNoContextTakeover) parts.push('client_no_context_takeover');
          if (requestMaxWindowBits) parts.push(`client_max_window_bits=${requestMaxWindowBits}`);
          return {
            header: parts.join('; '),
            codec: new DeflateCodec({
              windowBits: params.server_max_window_bits ? Number(params.server_max_window_bits) : 15,
              noContextTakeover: Boolean(params.server_no_context_takeover),
            }),
          };
        }
      }
      return null;
    },
    clientOptions: true,
    serverOptions: true,
  };
}

// Deterministic test corpora standing in for the public suite's files (a German novel, a bitmap,
// a PDF, a JSON file, an HTML file): same kinds of data, generated so nothing is downloaded.
function prng(seed) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}
const CORPUS_SIZE = 256 * 1024;
function corpus(kind) {
  const rnd = prng(kind.length * 7919 + 17);
  const words = ['und', 'der', 'die', 'Faust', 'Mephistopheles', 'Gretchen', 'Himmel', 'Erde', 'Geist', 'über', 'schön', 'Straße', 'Nacht', 'Welt', 'ich', 'bin', 'nicht', 'Mädchen', 'grün', 'Wort'];
  // Text corpora stay ASCII: a window cut at any byte must still be valid UTF-8.
  const ascii = kind === 'json' || kind === 'html';
  const pick = (a) => {
    const w = a[Math.floor(rnd() * a.length)];
    return ascii ? w.normalize('NFD').replace(/[^\x20-\x7e]/g, '') : w;
  };
  const parts = [];
  let size = 0;
  const push = (s) => {
    const b = typeof s === 'string' ? Buffer.from(s) : s;
    parts.push(b);
    size += b.length;
  };
  while (size < CORPUS_SIZE) {
    if (kind === 'text') push(Array.from({ length: 12 }, () => pick(words)).join(' ') + (rnd() < 0.2 ? '.\n' : ', '));
    else if (kind === 'bitmap') push(Buffer.from(Array.from({ length: 512 }, (_, i) => (i + Math.floor(rnd() * 24)) & 0xff)));
    else if (kind === 'pdf') push(rnd() < 0.5 ? Buffer.from(Array.from({ length: 256 }, () => Math.floor(rnd() * 256))) : `obj << /Type /Page /Contents ${Math.floor(rnd() * 1e6)} 0 R >> endobj\n`);
    else if (kind === 'json') push(JSON.stringify({ id: Math.floor(rnd() * 1e9), name: pick(words), tags: [pick(words), pick(words)], score: rnd(), ok: rnd() < 0.5 }) + ',\n');
    else push(`<div class="${pick(words)}"><p>${Array.from({ length: 8 }, () => pick(words)).join(' ')}</p><a href="/${pick(words)}">${pick(words)}</a></div>\n`);
  }
  return Buffer.concat(parts).subarray(0, CORPUS_SIZE);
}
/** A window of `length` bytes of the corpus, wrapping around, starting where the last one ended. */
function slicer(data) {
  let at = 0;
  return (length) => {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = data[(at + i) % data.length];
    at = (at + length) % data.length;
    return out;
  };
}

/** (payload length, auto-fragment size) as the public suite lists them; the count is scaled. */
const MESSAGE_SIZES = [
  [16, 0], [64, 0], [256, 0], [1024, 0], [4096, 0], [8192, 0], [16384, 0], [32768, 0], [65536, 0], [131072, 0],
  [8192, 256], [16384, 256], [32768, 256], [65536, 256], [131072, 256], [131072, 1024], [131072, 4096], [131072, 32768],
];

const DATA_SETS = [
  ['Human readable text (binary)', 'text', true],
  ['Bitmap (binary)', 'bitmap', true],
  ['A larger PDF-like file (binary)', 'pdf', true],
  ['Large JSON data (utf8)', 'json', false],
  ['Large HTML data (utf8)', 'html', false],
];

/** Category 12 and 13 sub-group titles, for the README. */
export const DEFLATE_GROUP_TITLES = {};
const cases = [];

function compressionCase(id, description, data, binary, length, autoFragment, neg) {
  const count = Math.max(1, Math.round(1000 / DEFLATE_COUNT_DIVISOR));
  cases.push({
    id,
    description: `${description}: ${count} messages of ${length} bytes${autoFragment ? `, in frames of ${autoFragment} bytes` : ''}`,
    deflate: neg,
    killAfterMs: 30_000,
    async run(p) {
      if (!p.deflate) {
        // Autobahn: no permessage-deflate negotiated → UNIMPLEMENTED, close normally.
        p.unimplemented = true;
        p.expect({ [OK]: [] }, normalClose());
        await p.sendClose(1000);
        return;
      }
      const next = slicer(data);
      const payloads = Array.from({ length: count }, () => next(length));
      const sent = payloads.map((payload) => message(payload, binary));
      p.expect({ [OK]: sent }, normalClose());
      for (let n = 0; n < count && p.isOpen; n++) {
        const payload = payloads[n];
        const compressed = await p.deflate.compress(payload);
        if (autoFragment > 0 && compressed.length > autoFragment) {
          const frames = [];
          for (let at = 0; at < compressed.length; at += autoFragment) {
            frames.push(
              p.encode({
                opcode: at === 0 ? (binary ? 2 : 1) : 0,
                rsv: at === 0 ? 4 : 0, // RFC 7692 §6.1: RSV1 on the first frame only
                fin: at + autoFragment >= compressed.length,
                payload: compressed.subarray(at, at + autoFragment),
              }),
            );
          }
          await p.sendRaw(Buffer.concat(frames));
        } else {
          await p.sendFrame({ opcode: binary ? 2 : 1, rsv: 4, payload: compressed });
        }
        await p.events(n + 1);
        if (!p.received.every((e, i) => e[0] === 'message' && sentMatches(e, sent[i]))) break;
      }
    },
  });
}
const sentMatches = (got, want) => got[2] === want[2] && Buffer.isBuffer(got[1]) && got[1].equals(want[1]);

DATA_SETS.forEach(([title, kind, binary], j) => {
  const group = `12.${j + 1}`;
  DEFLATE_GROUP_TITLES[group] = `${title}, default offer`;
  const data = corpus(kind);
  const neg = negotiation([{}], [{}]);
  MESSAGE_SIZES.forEach(([length, frag], i) => compressionCase(`${group}.${i + 1}`, title, data, binary, length, frag, neg));
});

const PARAMETERS = [
  ['default offer / plain accept', [{}], [{}]],
  ['server_no_context_takeover / accept asking client_no_context_takeover', [{ requestNoContextTakeover: true }], [{ requestNoContextTakeover: true }]],
  ['server_max_window_bits=8 / accept asking client_max_window_bits=8', [{ requestMaxWindowBits: 8 }], [{ requestMaxWindowBits: 8 }]],
  ['server_max_window_bits=15 / accept asking client_max_window_bits=15', [{ requestMaxWindowBits: 15 }], [{ requestMaxWindowBits: 15 }]],
  ['no context takeover + window 8, both ways', [{ requestNoContextTakeover: true, requestMaxWindowBits: 8 }], [{ requestNoContextTakeover: true, requestMaxWindowBits: 8 }]],
  ['no context takeover + window 15, both ways', [{ requestNoContextTakeover: true, requestMaxWindowBits: 15 }], [{ requestNoContextTakeover: true, requestMaxWindowBits: 15 }]],
  [
    'three offers (nct+8, nct, default) / first fitting accept of (nct+8, nct, plain)',
    [{ requestNoContextTakeover: true, requestMaxWindowBits: 8 }, { requestNoContextTakeover: true }, {}],
    [{ requestNoContextTakeover: true, requestMaxWindowBits: 8 }, { requestNoContextTakeover: true }, {}],
  ],
];
const json = corpus('json');
PARAMETERS.forEach(([title, offers, accepts], j) => {
  const group = `13.${j + 1}`;
  DEFLATE_GROUP_TITLES[group] = `JSON data (utf8), ${title}`;
  const neg = negotiation(offers, accepts);
  MESSAGE_SIZES.forEach(([length, frag], i) => compressionCase(`${group}.${i + 1}`, `JSON, ${title}`, json, false, length, frag, neg));
});

/** Every case of categories 12 and 13. */
export const DEFLATE_CASES = cases;
