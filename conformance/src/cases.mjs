// The case list, numbered as Autobahn|Testsuite numbers it (categories 1–7, 9, 10; 12 and 13 are
// in deflate-cases.mjs). Each case is our own restatement of the public case's description and
// expectation: what the fuzzer sends, the event lists it accepts, and how the connection must end.
import { closePayload, fromHex, toBytes } from '@rfc6455/testing';
import { NON_STRICT, OK } from './verdict.mjs';

/**
 * Autobahn's unit of waiting is one second; on loopback a quarter of it is plenty and keeps the
 * whole run short. CONFORMANCE_WAIT_MS overrides it (e.g. 1000 to match the public suite).
 */
export const WAIT_MS = Number(process.env.CONFORMANCE_WAIT_MS ?? 250);
/** Autobahn's killAfter(1): how long the fuzzer waits for the peer to finish before dropping TCP. */
export const KILL_MS = Number(process.env.CONFORMANCE_KILL_MS ?? 1000);
/** Category 9 sizes and counts are the public suite's divided by this (a 2-core machine). */
export const SCALE = 4;

const KiB = 1024;
const MiB = 1024 * KiB;

/** Event constructors for expectations. */
export const message = (data, binary = false) => ['message', toBytes(data), binary];
export const pong = (data) => ['pong', toBytes(data)];
export const timeout = (label) => ['timeout', label];

/** The fuzzer closes with 1000 and the closing handshake must complete. */
export const normalClose = () => ({ closedByMe: true, closeCode: [1000], requireClean: true });
/** The peer must fail the connection with `code` (dropping TCP is allowed). */
export const failedBy = (...codes) => ({ closedByMe: false, closeCode: codes, requireClean: false });

const repeat = (pattern, length) => {
  const p = toBytes(pattern);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += p.length) p.copy(out, i, 0, Math.min(p.length, length - i));
  return out;
};
const hex = (h) => toBytes(fromHex(h));

const cases = [];
/** Register a case: `run(peer)` sends, and declares expectations through `peer.expect`. */
const def = (id, description, run, options = {}) => cases.push({ id, description, run, ...options });

// ---------------------------------------------------------------------------------------------
// 1 Framing: text and binary messages at every length-encoding boundary (RFC 6455 §5.2).
const lengths = [0, 125, 126, 127, 128, 65535, 65536];
for (const [k, binary] of [[1, false], [2, true]]) {
  const fill = binary ? Buffer.from([0xfe]) : '*';
  lengths.forEach((n, i) => {
    def(`1.${k}.${i + 1}`, `Send ${binary ? 'binary' : 'text'} message of ${n} bytes`, async (p) => {
      const payload = repeat(fill, n);
      p.expect({ [OK]: [message(payload, binary)] }, normalClose());
      await p.sendFrame({ opcode: binary ? 2 : 1, payload });
    });
  });
  def(`1.${k}.8`, `Send ${binary ? 'binary' : 'text'} message of 65536 bytes in chops of 997 octets`, async (p) => {
    const payload = repeat(fill, 65536);
    p.expect({ [OK]: [message(payload, binary)] }, normalClose());
    await p.sendFrame({ opcode: binary ? 2 : 1, payload, chop: 997 });
  });
}

// ---------------------------------------------------------------------------------------------
// 2 Ping/pong (RFC 6455 §5.5.2, §5.5.3).
const pingCase = (id, description, payload, chop = 0) =>
  def(id, description, async (p) => {
    p.expect({ [OK]: [pong(payload)] }, normalClose());
    await p.sendFrame({ opcode: 9, payload, chop });
  });
pingCase('2.1', 'Send ping without payload', '');
pingCase('2.2', 'Send ping with small text payload', 'Hello, world!');
pingCase('2.3', 'Send ping with small binary (non UTF-8) payload', hex('00ff fefd fcfb 00ff'));
pingCase('2.4', 'Send ping with binary payload of 125 octets', repeat(Buffer.from([0xfe]), 125));
def('2.5', 'Send ping with binary payload of 126 octets (control frames are ≤ 125)', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1002));
  await p.sendFrame({ opcode: 9, payload: repeat(Buffer.from([0xfe]), 126) });
});
pingCase('2.6', 'Send ping with payload of 125 octets, in octet-wise chops', repeat(Buffer.from([0xfe]), 125), 1);
def('2.7', 'Send unsolicited pong without payload', async (p) => {
  p.expect({ [OK]: [] }, normalClose());
  await p.sendFrame({ opcode: 10 });
  p.closeAfter(WAIT_MS);
});
def('2.8', 'Send unsolicited pong with payload', async (p) => {
  p.expect({ [OK]: [] }, normalClose());
  await p.sendFrame({ opcode: 10, payload: 'unsolicited pong payload' });
  p.closeAfter(WAIT_MS);
});
def('2.9', 'Send unsolicited pong with payload, then ping with payload', async (p) => {
  p.expect({ [OK]: [pong('ping payload')] }, normalClose());
  await p.sendFrame({ opcode: 10, payload: 'unsolicited pong payload' });
  await p.sendFrame({ opcode: 9, payload: 'ping payload' });
});
for (const [id, chop] of [['2.10', 0], ['2.11', 1]]) {
  def(id, `Send 10 pings with payload${chop ? ', in octet-wise chops' : ''}`, async (p) => {
    const payloads = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
    p.expect({ [OK]: payloads.map(pong) }, normalClose());
    for (const payload of payloads) await p.sendFrame({ opcode: 9, payload, chop });
  });
}

// ---------------------------------------------------------------------------------------------
// 3 Reserved bits: no extension negotiated, so RSV1-3 must be 0 (RFC 6455 §5.2).
def('3.1', 'Send small text message with RSV = 1', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1002));
  await p.sendFrame({ opcode: 1, payload: 'Hello, world!', rsv: 1 });
});
for (const [id, rsv, how] of [['3.2', 2, 'one write'], ['3.3', 3, 'frame-wise chops'], ['3.4', 4, 'octet-wise chops']]) {
  def(id, `Send small text message, then again with RSV = ${rsv}, then a ping (${how})`, async (p) => {
    p.expect({ [OK]: [message('Hello, world!')], [NON_STRICT]: [] }, failedBy(1002));
    const chop = how === 'octet-wise chops' ? 1 : 0;
    const frames = [
      { opcode: 1, payload: 'Hello, world!' },
      { opcode: 1, payload: 'Hello, world!', rsv },
      { opcode: 9, payload: '' },
    ];
    if (how === 'one write') await p.sendRaw(Buffer.concat(frames.map((f) => p.encode(f))));
    else for (const f of frames) await p.sendFrame({ ...f, chop, sync: true });
  });
}
def('3.5', 'Send small binary message with RSV = 5', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1002));
  await p.sendFrame({ opcode: 2, payload: Buffer.from(Array.from({ length: 256 }, (_, i) => i)), rsv: 5 });
});
def('3.6', 'Send ping with RSV = 6', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1002));
  await p.sendFrame({ opcode: 9, payload: 'Hello, world!', rsv: 6 });
});
def('3.7', 'Send close with RSV = 7', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1002));
  await p.sendFrame({ opcode: 8, payload: closePayload(1000), rsv: 7 });
});

// ---------------------------------------------------------------------------------------------
// 4 Reserved opcodes: 3–7 (non-control) and 11–15 (control) must fail the connection (§5.2).
for (const [group, opcodes] of [[1, [3, 4, 5, 6, 7]], [2, [11, 12, 13, 14, 15]]]) {
  opcodes.forEach((opcode, i) => {
    const id = `4.${group}.${i + 1}`;
    if (i < 2) {
      const payload = i === 0 ? '' : 'reserved opcode payload';
      def(id, `Send frame with reserved opcode ${opcode}${payload ? ' and a payload' : ''}`, async (p) => {
        p.expect({ [OK]: [] }, failedBy(1002));
        await p.sendFrame({ opcode, payload });
      });
    } else {
      def(id, `Send small text message, then a frame with reserved opcode ${opcode}, then a ping`, async (p) => {
        p.expect({ [OK]: [message('Hello, world!')], [NON_STRICT]: [] }, failedBy(1002));
        await p.sendFrame({ opcode: 1, payload: 'Hello, world!' });
        await p.sendFrame({ opcode, payload: i === 2 ? '' : 'reserved opcode payload' });
        await p.sendFrame({ opcode: 9, payload: '' });
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// 5 Fragmentation (RFC 6455 §5.4).
const WRITES = ['one write', 'frame-wise chops', 'octet-wise chops'];
/** Send frames in one of the three ways the public suite uses. */
async function sendFrames(p, frames, how) {
  if (how === 'one write') return p.sendRaw(Buffer.concat(frames.map((f) => p.encode(f))));
  for (const f of frames) await p.sendFrame({ ...f, chop: how === 'octet-wise chops' ? 1 : 0 });
}
def('5.1', 'Send ping fragmented into 2 fragments', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1002));
  await sendFrames(p, [{ opcode: 9, fin: false, payload: 'fragment1' }, { opcode: 0, payload: 'fragment2' }], 'one write');
});
def('5.2', 'Send pong fragmented into 2 fragments', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1002));
  await sendFrames(p, [{ opcode: 10, fin: false, payload: 'fragment1' }, { opcode: 0, payload: 'fragment2' }], 'one write');
});
WRITES.forEach((how, i) => {
  def(`5.${3 + i}`, `Send text message fragmented into 2 fragments (${how})`, async (p) => {
    p.expect({ [OK]: [message('fragment1fragment2')] }, normalClose());
    await sendFrames(p, [{ opcode: 1, fin: false, payload: 'fragment1' }, { opcode: 0, payload: 'fragment2' }], how);
  });
  def(`5.${6 + i}`, `Send text message in 2 fragments with a ping between them (${how})`, async (p) => {
    p.expect({ [OK]: [pong('ping payload'), message('fragment1fragment2')] }, normalClose());
    await sendFrames(
      p,
      [{ opcode: 1, fin: false, payload: 'fragment1' }, { opcode: 9, payload: 'ping payload' }, { opcode: 0, payload: 'fragment2' }],
      how,
    );
  });
  def(`5.${9 + i}`, `Send continuation frame with FIN = true and nothing to continue, then a text message (${how})`, async (p) => {
    p.expect({ [OK]: [] }, failedBy(1002));
    await sendFrames(p, [{ opcode: 0, payload: 'non-continuation payload' }, { opcode: 1, payload: 'Hello, world!' }], how);
  });
  def(`5.${12 + i}`, `Send continuation frame with FIN = false and nothing to continue, then a text message (${how})`, async (p) => {
    p.expect({ [OK]: [] }, failedBy(1002));
    await sendFrames(p, [{ opcode: 0, fin: false, payload: 'non-continuation payload' }, { opcode: 1, payload: 'Hello, world!' }], how);
  });
});
def('5.15', 'Send text message in 2 fragments, then a continuation with FIN = false and nothing to continue, then text', async (p) => {
  p.expect({ [OK]: [message('fragment1fragment2')], [NON_STRICT]: [] }, failedBy(1002));
  await sendFrames(
    p,
    [
      { opcode: 1, fin: false, payload: 'fragment1' },
      { opcode: 0, payload: 'fragment2' },
      { opcode: 0, fin: false, payload: 'fragment3' },
      { opcode: 1, payload: 'fragment4' },
    ],
    'frame-wise chops',
  );
});
for (const [id, firstFin] of [['5.16', false], ['5.17', true]]) {
  def(id, `Twice: continuation (FIN = ${firstFin}) with nothing to continue, text (FIN = false), continuation (FIN = true)`, async (p) => {
    p.expect({ [OK]: [] }, failedBy(1002));
    const once = [
      { opcode: 0, fin: firstFin, payload: 'fragment1' },
      { opcode: 1, fin: false, payload: 'fragment2' },
      { opcode: 0, payload: 'fragment3' },
    ];
    await sendFrames(p, [...once, ...once], 'frame-wise chops');
  });
}
def('5.18', 'Send text message in 2 fragments, both with the text opcode', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1002));
  await sendFrames(p, [{ opcode: 1, fin: false, payload: 'fragment1' }, { opcode: 1, payload: 'fragment2' }], 'frame-wise chops');
});
for (const [id, sync] of [['5.19', false], ['5.20', true]]) {
  def(id, `Text message in 5 fragments with 2 pings between them and a wait${sync ? ' (each frame its own write)' : ''}`, async (p) => {
    const parts = ['fragment1', 'fragment2', 'fragment3', 'fragment4', 'fragment5'];
    p.expect({ [OK]: [pong('pongme 1!'), pong('pongme 2!'), message(parts.join(''))] }, normalClose());
    const how = sync ? 'frame-wise chops' : 'one write';
    await sendFrames(p, [{ opcode: 1, fin: false, payload: parts[0] }, { opcode: 0, fin: false, payload: parts[1] }, { opcode: 9, payload: 'pongme 1!' }], how);
    await p.wait(WAIT_MS);
    await sendFrames(
      p,
      [
        { opcode: 0, fin: false, payload: parts[2] },
        { opcode: 0, fin: false, payload: parts[3] },
        { opcode: 9, payload: 'pongme 2!' },
        { opcode: 0, payload: parts[4] },
      ],
      how,
    );
    p.closeAfter(WAIT_MS);
  });
}

// ---------------------------------------------------------------------------------------------
// 6 UTF-8 handling (RFC 6455 §5.6, §8.1): text must be valid UTF-8, checked as it arrives.
def('6.1.1', 'Send text message of length 0', async (p) => {
  p.expect({ [OK]: [message('')] }, normalClose());
  await p.sendFrame({ opcode: 1, payload: '' });
});
def('6.1.2', 'Send fragmented text message, 3 fragments each of length 0', async (p) => {
  p.expect({ [OK]: [message('')] }, normalClose());
  await sendFrames(p, [{ opcode: 1, fin: false }, { opcode: 0, fin: false }, { opcode: 0 }], 'frame-wise chops');
});
def('6.1.3', 'Send fragmented text message, 3 fragments, first and last of length 0', async (p) => {
  p.expect({ [OK]: [message('middle frame payload')] }, normalClose());
  await sendFrames(p, [{ opcode: 1, fin: false }, { opcode: 0, fin: false, payload: 'middle frame payload' }, { opcode: 0 }], 'frame-wise chops');
});
const HELLO_UTF8 = Buffer.from('Hello-µ@ßöäüàá-UTF-8!!', 'utf8');
const KOSME = hex('cebae1bdb9cf83cebcceb5');
def('6.2.1', 'Send a valid UTF-8 text message in one fragment', async (p) => {
  p.expect({ [OK]: [message(HELLO_UTF8)] }, normalClose());
  await p.sendFrame({ opcode: 1, payload: HELLO_UTF8 });
});
def('6.2.2', 'Send a valid UTF-8 text message in two fragments, split on a code point boundary', async (p) => {
  p.expect({ [OK]: [message(HELLO_UTF8)] }, normalClose());
  await sendFrames(p, [{ opcode: 1, fin: false, payload: HELLO_UTF8.subarray(0, 11) }, { opcode: 0, payload: HELLO_UTF8.subarray(11) }], 'frame-wise chops');
});
const perByteFragments = (bytes) =>
  Array.from(bytes, (b, i) => ({ opcode: i === 0 ? 1 : 0, fin: i === bytes.length - 1, payload: Buffer.from([b]) }));
def('6.2.3', 'Send a valid UTF-8 text message in fragments of 1 octet (frames end inside code points)', async (p) => {
  p.expect({ [OK]: [message(HELLO_UTF8)] }, normalClose());
  await sendFrames(p, perByteFragments(HELLO_UTF8), 'frame-wise chops');
});
def('6.2.4', 'Send a valid UTF-8 text message (κόσμε) in fragments of 1 octet', async (p) => {
  p.expect({ [OK]: [message(KOSME)] }, normalClose());
  await sendFrames(p, perByteFragments(KOSME), 'frame-wise chops');
});
const INVALID_KOSME = Buffer.concat([KOSME, hex('eda080'), Buffer.from('edited')]);
def('6.3.1', 'Send invalid UTF-8 text message unfragmented', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1007));
  await p.sendFrame({ opcode: 1, payload: INVALID_KOSME });
});
def('6.3.2', 'Send invalid UTF-8 text message in fragments of 1 octet', async (p) => {
  p.expect({ [OK]: [] }, failedBy(1007));
  await sendFrames(p, perByteFragments(INVALID_KOSME), 'frame-wise chops');
});

// 6.4: fail fast. The second part holds the first invalid byte; a peer that validates as bytes
// arrive fails the connection before the wait ends (OK), one that validates whole messages only
// fails after the third part (NON-STRICT).
const FF1 = KOSME;
const FF2 = hex('f4908080'); // U+110000 in the integer scheme: 0x90 after 0xF4 is out of range
const FF3 = Buffer.from('edited');
const FF = Buffer.concat([FF1, FF2, FF3]);
const failFast = (id, description, parts, asChops) =>
  def(id, description, async (p) => {
    p.expect({ [OK]: [timeout('A')], [NON_STRICT]: [timeout('A'), timeout('B')] }, failedBy(1007));
    let sendPart;
    if (asChops) {
      // One frame whose payload leaves in three writes.
      const frame = p.encode({ opcode: 1, payload: FF });
      const headerLength = frame.length - FF.length;
      const cuts = [0, headerLength + parts[0].length, headerLength + parts[0].length + parts[1].length, frame.length];
      sendPart = (i) => p.sendRaw(frame.subarray(cuts[i], cuts[i + 1]));
    } else {
      sendPart = (i) => p.sendFrame({ opcode: i === 0 ? 1 : 0, fin: i === 2, payload: parts[i] });
    }
    await sendPart(0);
    await p.wait(WAIT_MS);
    if (!p.isOpen) return;
    p.record(timeout('A'));
    await sendPart(1);
    await p.wait(WAIT_MS);
    if (!p.isOpen) return;
    p.record(timeout('B'));
    await sendPart(2);
  });
failFast('6.4.1', 'Invalid UTF-8 text in 3 frames: valid, wait, invalid code point (f4 90 80 80), wait, rest', [FF1, FF2, FF3], false);
failFast('6.4.2', 'Invalid UTF-8 text in 3 frames, the 2nd is the single invalid byte 0x90', [FF.subarray(0, 12), FF.subarray(12, 13), FF.subarray(13)], false);
failFast('6.4.3', 'As 6.4.1, in 3 chops of one frame', [FF1, FF2, FF3], true);
failFast('6.4.4', 'As 6.4.2, in 3 chops of one frame', [FF.subarray(0, 12), FF.subarray(12, 13), FF.subarray(13)], true);

// 6.5 onwards: Markus Kuhn's UTF-8 decoder stress test, grouped as the public suite groups it.
const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i);
const incomplete = ['c0', 'e080', 'f08080', 'f8808080', 'fc80808080', 'df', 'efbf', 'f7bfbf', 'fbbfbfbf', 'fdbfbfbfbf'];
const nonCharacters = ['efbfbe', 'efbfbf'];
for (const z1 of ['f0', 'f1', 'f2', 'f3', 'f4']) {
  for (const z2 of ['8f', '9f', 'af', 'bf']) {
    if (z1 === 'f4' && z2 !== '8f') continue; // above U+10FFFF
    for (const z3 of ['be', 'bf']) {
      const seq = z1 + z2 + 'bf' + z3;
      if (seq !== 'f08fbfbe' && seq !== 'f08fbfbf') nonCharacters.push(seq); // those two are overlong
    }
  }
}
// Prefixes of κόσμε: valid exactly when they end on a code point boundary.
const kosmeBoundaries = new Set([2, 5, 7, 9, 11]);
const UTF8_GROUPS = [
  ['Some valid UTF-8 sequences', [
    [true, Buffer.from('hello$world')],
    [true, Buffer.concat([Buffer.from('hello'), hex('c2a2'), Buffer.from('world')])],
    [true, Buffer.concat([Buffer.from('hello'), hex('e282ac'), Buffer.from('world')])],
    [true, Buffer.concat([Buffer.from('hello'), hex('f0a4ada2'), Buffer.from('world')])],
    [true, KOSME],
  ]],
  ['All prefixes of a valid UTF-8 string with multi-byte code points', range(1, 12).map((n) => [kosmeBoundaries.has(n), KOSME.subarray(0, n)])],
  ['First possible sequence of a certain length', ['00', 'c280', 'e0a080', 'f0908080'].map((h) => [true, hex(h)])],
  ['First possible sequence length 5/6 (invalid code points)', ['f888808080', 'fc8480808080'].map((h) => [false, hex(h)])],
  ['Last possible sequence of a certain length', ['7f', 'dfbf', 'efbfbf', 'f48fbfbf'].map((h) => [true, hex(h)])],
  ['Last possible sequence length 4/5/6 (invalid code points)', ['f7bfbfbf', 'fbbfbfbfbf', 'fdbfbfbfbfbf'].map((h) => [false, hex(h)])],
  ['Other boundary conditions', [[true, 'ed9fbf'], [true, 'ee8080'], [true, 'efbfbd'], [true, 'f48fbfbf'], [false, 'f4908080']].map(([v, h]) => [v, hex(h)])],
  ['Unexpected continuation bytes', [
    ...['80', 'bf', '80bf', '80bf80', '80bf80bf', '80bf80bf80', '80bf80bf80bf'].map((h) => [false, hex(h)]),
    [false, Buffer.from(range(0x80, 0xbf))],
  ]],
  ['Lonely start characters', [[0xc0, 0xdf], [0xe0, 0xef], [0xf0, 0xf7], [0xf8, 0xfb], [0xfc, 0xfd]].map(([a, b]) => [
    false,
    Buffer.from(range(a, b).flatMap((c) => [c, 0x20])),
  ])],
  ['Sequences with last continuation byte missing', incomplete.map((h) => [false, hex(h)])],
  ['Concatenation of incomplete sequences', [[false, hex(incomplete.join(''))]]],
  ['Impossible bytes', ['fe', 'ff', 'fefeffff'].map((h) => [false, hex(h)])],
  ['Examples of an overlong ASCII character', ['c0af', 'e080af', 'f08080af', 'f8808080af', 'fc80808080af'].map((h) => [false, hex(h)])],
  ['Maximum overlong sequences', ['c1bf', 'e09fbf', 'f08fbfbf', 'f887bfbfbf', 'fc83bfbfbfbf'].map((h) => [false, hex(h)])],
  ['Overlong representation of the NUL character', ['c080', 'e08080', 'f0808080', 'f880808080', 'fc8080808080'].map((h) => [false, hex(h)])],
  ['Single UTF-16 surrogates', ['eda080', 'edadbf', 'edae80', 'edafbf', 'edb080', 'edbe80', 'edbfbf'].map((h) => [false, hex(h)])],
  ['Paired UTF-16 surrogates', ['eda080edb080', 'eda080edbfbf', 'edadbfedb080', 'edadbfedbfbf', 'edae80edb080', 'edae80edbfbf', 'edafbfedb080', 'edafbfedbfbf'].map((h) => [false, hex(h)])],
  ['Non-character code points (valid UTF-8)', nonCharacters.map((h) => [true, hex(h)])],
  ['Unicode specials (i.e. replacement char)', ['efbfb9', 'efbfba', 'efbfbb', 'efbfbc', 'efbfbd', 'efbfbe', 'efbfbf'].map((h) => [true, hex(h)])],
];
/** Category 6 sub-group titles by number, for the printed table. */
export const UTF8_GROUP_TITLES = {};
UTF8_GROUPS.forEach(([title, sequences], g) => {
  const group = `6.${5 + g}`;
  UTF8_GROUP_TITLES[group] = title;
  sequences.forEach(([valid, payload], j) => {
    def(`${group}.${j + 1}`, `${title}: ${valid ? 'valid' : 'invalid'} text 0x${payload.toString('hex')}`, async (p) => {
      if (valid) p.expect({ [OK]: [message(payload)] }, normalClose());
      else p.expect({ [OK]: [] }, failedBy(1007));
      await p.sendFrame({ opcode: 1, payload });
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 7 Close handling (RFC 6455 §5.5.1, §7.1–7.4).
def('7.1.1', 'Send a message followed by a close frame', async (p) => {
  p.expect({ [OK]: [message('Hello World!')] }, normalClose());
  await p.sendFrame({ opcode: 1, payload: 'Hello World!' });
});
def('7.1.2', 'Send two close frames', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, normalClose());
  await p.sendClose(1000);
  await p.sendFrame({ opcode: 8, payload: closePayload(1000) });
});
def('7.1.3', 'Send a ping after the close frame', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, normalClose());
  await p.sendClose(1000);
  await p.sendFrame({ opcode: 9, payload: 'Hello World!' });
});
def('7.1.4', 'Send a text message after the close frame', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, normalClose());
  await p.sendClose(1000);
  await p.sendFrame({ opcode: 1, payload: 'Hello World!' });
});
def('7.1.5', 'Send the first fragment of a message, a close frame, then the last fragment', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, normalClose());
  await p.sendFrame({ opcode: 1, fin: false, payload: 'fragment1' });
  await p.sendClose(1000);
  await p.sendFrame({ opcode: 0, payload: 'fragment2' });
});
def(
  '7.1.6',
  'Send a 256 KiB message, a small message, a close and a ping, back to back',
  async (p) => {
    p.suppressClose = true;
    p.expect({ [OK]: [message(repeat('BAsd7&jh23', 256 * KiB)), message('Hello World!')], [NON_STRICT]: [] }, normalClose());
    await p.sendFrame({ opcode: 1, payload: repeat('BAsd7&jh23', 256 * KiB) });
    await p.sendFrame({ opcode: 1, payload: 'Hello World!' });
    await p.sendClose(1000);
    await p.sendFrame({ opcode: 9 });
  },
  { informational: true },
);
def('7.3.1', 'Send close with payload length 0 (no close code)', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, normalClose());
  await p.sendClosePayload(Buffer.alloc(0));
});
def('7.3.2', 'Send close with payload length 1', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, { closedByMe: true, closeCode: [1002], requireClean: false });
  await p.sendClosePayload(Buffer.from('a'));
});
def('7.3.3', 'Send close with close code 1000 and no reason', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, normalClose());
  await p.sendClose(1000);
});
def('7.3.4', 'Send close with close code 1000 and a reason', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, normalClose());
  await p.sendClose(1000, 'Hello World!');
});
def('7.3.5', 'Send close with close code 1000 and a 123-byte reason (the maximum)', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, normalClose());
  await p.sendClose(1000, '*'.repeat(123));
});
def('7.3.6', 'Send close with close code 1000 and a 124-byte reason (payload 126 > 125)', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, { closedByMe: true, closeCode: [1002], requireClean: false });
  await p.sendClose(1000, '*'.repeat(124));
});
def('7.5.1', 'Send close with a reason that is not valid UTF-8', async (p) => {
  p.suppressClose = true;
  p.expect({ [OK]: [] }, { closedByMe: true, closeCode: [1002, 1007], requireClean: false });
  await p.sendClose(1000, INVALID_KOSME);
});
[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].forEach((code, i) => {
  def(`7.7.${i + 1}`, `Send close with valid close code ${code}`, async (p) => {
    p.suppressClose = true;
    p.expect({ [OK]: [] }, { closedByMe: true, closeCode: [1000, code], requireClean: true });
    await p.sendClose(code);
  });
});
[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].forEach((code, i) => {
  def(`7.9.${i + 1}`, `Send close with invalid close code ${code}`, async (p) => {
    p.suppressClose = true;
    p.expect({ [OK]: [] }, { closedByMe: true, closeCode: [1002], requireClean: false });
    await p.sendClose(code);
  });
});
[5000, 65535].forEach((code, i) => {
  def(
    `7.13.${i + 1}`,
    `Send close with close code ${code} (outside any range; behaviour undefined)`,
    async (p) => {
      p.suppressClose = true;
      p.expect({ [OK]: [] }, { closedByMe: true, closeCode: [1000, code, 1002], requireClean: false });
      await p.sendClose(code);
    },
    { informational: true },
  );
});

// ---------------------------------------------------------------------------------------------
// 9 Limits and performance, sizes and counts divided by SCALE (the public suite goes to 16 MiB
// and 1000 round trips).
const BIG_KILL_MS = 30_000;
const sizes9 = [64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB, 8 * MiB, 16 * MiB].map((n) => n / SCALE);
for (const [k, binary] of [[1, false], [2, true]]) {
  sizes9.forEach((n, i) => {
    def(`9.${k}.${i + 1}`, `Send ${binary ? 'binary' : 'text'} message of ${n} bytes`, async (p) => {
      const payload = repeat(binary ? Buffer.from([0xfe]) : 'BAsd7&jh23', n);
      p.expect({ [OK]: [message(payload, binary)] }, normalClose());
      await p.sendFrame({ opcode: binary ? 2 : 1, payload });
    }, { killAfterMs: BIG_KILL_MS });
  });
}
const fragmentSizes = [64, 256, 1 * KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB];
for (const [k, binary] of [[3, false], [4, true]]) {
  const total = (4 * MiB) / SCALE;
  fragmentSizes.forEach((size, i) => {
    def(`9.${k}.${i + 1}`, `Send ${binary ? 'binary' : 'text'} message of ${total} bytes in fragments of ${size} bytes`, async (p) => {
      const payload = repeat(binary ? Buffer.from([0xfe]) : '*', total);
      p.expect({ [OK]: [message(payload, binary)] }, normalClose());
      const frames = [];
      for (let at = 0; at < total; at += size) {
        frames.push(p.encode({ opcode: at === 0 ? (binary ? 2 : 1) : 0, fin: at + size >= total, payload: payload.subarray(at, at + size) }));
      }
      await p.sendRaw(Buffer.concat(frames));
    }, { killAfterMs: BIG_KILL_MS });
  });
}
const chopSizes = [64, 128, 256, 512, 1024, 2048];
for (const [k, binary] of [[5, false], [6, true]]) {
  const total = MiB / SCALE;
  chopSizes.forEach((chop, i) => {
    def(`9.${k}.${i + 1}`, `Send ${binary ? 'binary' : 'text'} message of ${total} bytes in one frame, in chops of ${chop} bytes`, async (p) => {
      const payload = repeat(binary ? Buffer.from([0xfe]) : '*', total);
      p.expect({ [OK]: [message(payload, binary)] }, normalClose());
      await p.sendFrame({ opcode: binary ? 2 : 1, payload, chop });
    }, { killAfterMs: BIG_KILL_MS });
  });
}
const rttSizes = [0, 16, 64, 256, 1024, 4096];
for (const [k, binary] of [[7, false], [8, true]]) {
  const count = 1000 / SCALE;
  rttSizes.forEach((size, i) => {
    def(`9.${k}.${i + 1}`, `Send ${count} ${binary ? 'binary' : 'text'} messages of ${size} bytes, each after the echo of the previous one`, async (p) => {
      const payload = repeat(binary ? Buffer.from([0xfe]) : '*', size);
      const echo = message(payload, binary);
      p.expect({ [OK]: Array.from({ length: count }, () => echo) }, normalClose());
      for (let n = 0; n < count && p.isOpen; n++) {
        await p.sendFrame({ opcode: binary ? 2 : 1, payload });
        await p.events(n + 1);
      }
    }, { killAfterMs: BIG_KILL_MS });
  });
}

// ---------------------------------------------------------------------------------------------
// 10 Miscellaneous: a message split into frames by the sender (auto-fragmentation).
def('10.1.1', 'Send a 65536-byte text message in frames of 1300 bytes', async (p) => {
  const payload = repeat('*', 65536);
  p.expect({ [OK]: [message(payload)] }, normalClose());
  const frames = [];
  for (let at = 0; at < payload.length; at += 1300) {
    frames.push({ opcode: at === 0 ? 1 : 0, fin: at + 1300 >= payload.length, payload: payload.subarray(at, at + 1300) });
  }
  await sendFrames(p, frames, 'frame-wise chops');
});

/** Every case of categories 1–10, in suite order. */
export const CORE_CASES = cases;

/** Categories by their first number, with the public suite's titles. */
export const CATEGORY_TITLES = {
  1: 'Framing',
  2: 'Pings/Pongs',
  3: 'Reserved Bits',
  4: 'Opcodes',
  5: 'Fragmentation',
  6: 'UTF-8 Handling',
  7: 'Close Handling',
  9: 'Limits/Performance',
  10: 'Misc',
  12: 'WebSocket Compression (different payloads)',
  13: 'WebSocket Compression (different parameters)',
};
