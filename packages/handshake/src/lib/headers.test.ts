/// <reference types="node" />
import { describe, expect, it } from 'vitest';
import { HandshakeHeaders, normalizeHeaders } from './headers.ts';

describe('normalizeHeaders', () => {
  it('reads Node IncomingHttpHeaders: lower-case keys, string and array values, undefined skipped', () => {
    const headers = normalizeHeaders({ host: 'a.example', 'set-cookie': ['a=1', 'b=2'], 'x-none': undefined, 'content-length': 5 });
    expect(headers.get('Host')).toBe('a.example');
    expect(headers.getAll('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(headers.get('set-cookie')).toBe('a=1, b=2');
    expect(headers.has('x-none')).toBe(false);
    expect(headers.get('content-length')).toBe('5');
  });

  it('reads Headers-like objects, Maps, [name, value] pairs and flat rawHeaders', () => {
    const fromMap = normalizeHeaders(new Map([['Upgrade', 'websocket']]));
    expect(fromMap.get('upgrade')).toBe('websocket');
    const pairs = normalizeHeaders([
      ['Connection', 'Upgrade'],
      ['connection', 'keep-alive'],
    ]);
    expect(pairs.getAll('Connection')).toEqual(['Upgrade', 'keep-alive']);
    const raw = normalizeHeaders(['Host', 'x', 'Sec-WebSocket-Key', 'k1', 'sec-websocket-key', 'k2', 'dangling']);
    expect(raw.getAll('sec-websocket-key')).toEqual(['k1', 'k2']);
    expect(raw.get('host')).toBe('x');
    expect(raw.has('dangling')).toBe(false);
  });

  it('tells absent, single and repeated fields apart with getSingle', () => {
    const headers = normalizeHeaders([
      ['a', '1'],
      ['b', '1'],
      ['b', '2'],
      ['c', ''],
    ]);
    expect(headers.getSingle('a')).toBe('1');
    expect(headers.getSingle('b')).toBeNull();
    expect(headers.getSingle('z')).toBeUndefined();
    expect(headers.getSingle('c')).toBe('');
  });

  it('treats __proto__, constructor and toString as ordinary header names', () => {
    const input = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
    const headers = normalizeHeaders(input);
    expect(headers.get('__proto__')).toBe('p');
    expect(headers.get('constructor')).toBe('c');
    expect(headers.get('toString')).toBeUndefined();
    expect(headers.has('hasOwnProperty')).toBe(false);
    const record = headers.toRecord();
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(record['__proto__']).toBe('p');
  });

  it('never throws on junk: null, numbers, non-string values, nested junk', () => {
    for (const junk of [null, undefined, 42, 'str', [[1, 2]], [null], { a: null, b: {}, c: [1, null, 'ok'] }]) {
      expect(() => normalizeHeaders(junk as never)).not.toThrow();
    }
    expect(normalizeHeaders({ c: [1, null, 'ok'] } as never).getAll('c')).toEqual(['ok']);
  });

  it('passes a HandshakeHeaders through and copies it in the constructor', () => {
    const headers = new HandshakeHeaders({ a: '1' });
    expect(normalizeHeaders(headers)).toBe(headers);
    const copy = new HandshakeHeaders(headers);
    expect(copy).not.toBe(headers);
    expect(copy.entries()).toEqual([['a', ['1']]]);
  });
});

describe('normalizeHeaders with a WHATWG Headers object', () => {
  it('reads the runtime Headers class through entries()', () => {
    const web = new Headers({ Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'a' });
    web.append('sec-websocket-protocol', 'b');
    const headers = normalizeHeaders(web);
    expect(headers.get('upgrade')).toBe('websocket');
    expect(headers.get('sec-websocket-protocol')).toBe('a, b');
  });
});
