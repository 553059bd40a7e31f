import { describe, expect, expectTypeOf, it } from 'vitest';
import * as clientPackage from '@rfc6455/client';
import * as serverPackage from '@rfc6455/server';
import WebSocketDefault, { WebSocket, WebSocketServer, createWebSocketStream } from '../index.ts';

describe("ws's module shape", () => {
  it('the default export is the client class itself, carrying ws\'s static properties', () => {
    expect(WebSocketDefault).toBe(clientPackage.WebSocket);
    expect(WebSocket).toBe(clientPackage.WebSocket);
    expect(WebSocketDefault.WebSocket).toBe(clientPackage.WebSocket);
    expect(WebSocketDefault.Server).toBe(serverPackage.WebSocketServer);
    expect(WebSocketDefault.WebSocketServer).toBe(WebSocketServer);
    expect(WebSocketDefault.createWebSocketStream).toBe(createWebSocketStream);
    expect([WebSocketDefault.CONNECTING, WebSocketDefault.OPEN, WebSocketDefault.CLOSING, WebSocketDefault.CLOSED]).toEqual([0, 1, 2, 3]);
  });

  it('the properties are enumerable and read-only, as plain values on the class', () => {
    expect(Object.keys(WebSocketDefault)).toEqual(expect.arrayContaining(['WebSocket', 'Server', 'WebSocketServer', 'createWebSocketStream']));
    expect(() => {
      (WebSocketDefault as unknown as Record<string, unknown>)['Server'] = null;
    }).toThrow(TypeError);
  });

  it('types: the name is the class (a value with the statics) and the instance type', () => {
    expectTypeOf(WebSocketDefault.Server).toEqualTypeOf<typeof WebSocketServer>();
    const make = (): WebSocketDefault => new WebSocketDefault('ws://127.0.0.1:1', { perMessageDeflate: false });
    expectTypeOf(make).returns.toEqualTypeOf<clientPackage.WebSocket>();
  });
});
