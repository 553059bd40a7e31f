/**
 * The event surface of the WebSocket: the WHATWG one (`addEventListener`, `removeEventListener`,
 * `dispatchEvent`, the `on*` attributes) laid over Node's EventEmitter, and the ws-style event
 * map that types `on`/`once`/`off`. A WHATWG listener is stored as an EventEmitter listener — a
 * wrapper that builds the event object — so both dialects see every event in the order added.
 * {@link EventSurface} is the WebSocket's base class; the functions work on any EventEmitter.
 */
import { EventEmitter } from 'node:events';
import type { ClientRequest as HttpRequest, IncomingMessage } from 'node:http';
import { CloseEvent, ErrorEvent, MessageEvent, WebSocketEvent } from './events.ts';
import type { EventListenerLike } from './events.ts';
import { toWhatwgData } from './message-conversion.ts';

/**
 * The ws-style events of {@link WebSocket} and their listener arguments, as `on`, `once`, `off`,
 * `addListener`, `removeListener` and `prependListener` type them.
 */
export interface WebSocketEventMap {
  open: [];
  message: [data: Buffer | ArrayBuffer | Blob | Buffer[], isBinary: boolean];
  close: [code: number, reason: Buffer, wasClean: boolean];
  error: [err: Error];
  ping: [data: Buffer];
  pong: [data: Buffer];
  drain: [];
  upgrade: [response: IncomingMessage];
  'unexpected-response': [request: HttpRequest, response: IncomingMessage];
}

/**
 * A listener of `event`: the arguments of {@link WebSocketEventMap} for a known event, anything for
 * another one. Checked bivariantly (the method-shorthand trick), so a listener may declare a
 * narrower argument than the union, e.g. `(data: Buffer, isBinary) => …` for 'message' when
 * `binaryType` is left at 'nodebuffer' — what code written for ws does.
 */
export type WebSocketListener<Event extends string | symbol> = Event extends keyof WebSocketEventMap
  ? { bivarianceHack(...args: WebSocketEventMap[Event]): void }['bivarianceHack']
  : (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any -- events of subclasses and ws extras carry any arguments

/** Marks a listener wrapper added by addEventListener / an on* attribute. */
const kListener = Symbol('listener');
const kAttribute = Symbol('attribute');
/** First argument with which dispatchEvent calls a wrapper: the second is the event itself. */
const kDispatch = Symbol('dispatch');

type Wrapper = ((...args: unknown[]) => void) & { [kListener]: unknown; [kAttribute]: boolean };

/** The WHATWG event object for a ws-style emit of `type` with `args`, its target set to `target`. */
function makeEvent(target: EventEmitter, type: string, args: unknown[]): WebSocketEvent {
  let event: WebSocketEvent;
  switch (type) {
    case 'message':
      event = new MessageEvent('message', { data: toWhatwgData(args[0], args[1] as boolean) });
      break;
    case 'close':
      event = new CloseEvent('close', {
        code: args[0] as number,
        reason: (args[1] as Buffer).toString('utf8'),
        wasClean: args[2] as boolean,
      });
      break;
    case 'error': {
      const error = args[0];
      event = new ErrorEvent('error', { error, message: error instanceof Error ? error.message : String(error) });
      break;
    }
    default:
      event = new WebSocketEvent(type);
  }
  event.target = target;
  return event;
}

function wrap(target: EventEmitter, type: string, listener: EventListenerLike<never>, attribute: boolean, once: boolean): Wrapper {
  const wrapper = ((...args: unknown[]) => {
    if (once) target.off(type, wrapper);
    const event = args[0] === kDispatch ? (args[1] as WebSocketEvent) : makeEvent(target, type, args);
    if (typeof listener === 'function') (listener as (event: WebSocketEvent) => void).call(target, event);
    else (listener as { handleEvent(event: WebSocketEvent): void }).handleEvent(event);
  }) as Wrapper;
  wrapper[kListener] = listener;
  wrapper[kAttribute] = attribute;
  return wrapper;
}

/**
 * `target.addEventListener(type, listener, options)`: the same listener is added once;
 * `{ once: true }` removes it after one call.
 *
 * @throws {TypeError} when `listener` is neither a function nor an object with `handleEvent`.
 */
function addWhatwgListener(
  target: EventEmitter,
  type: string,
  listener: EventListenerLike<never> | null,
  options?: { once?: boolean } | boolean,
): void {
  if (listener === null || listener === undefined) return;
  if (typeof listener !== 'function' && (typeof listener !== 'object' || typeof listener.handleEvent !== 'function')) {
    throw new TypeError('addEventListener(type, listener): listener must be a function or an object with handleEvent');
  }
  for (const existing of target.listeners(type) as Wrapper[]) {
    if (existing[kListener] === listener && !existing[kAttribute]) return;
  }
  const once = typeof options === 'object' && options !== null && options.once === true;
  target.on(type, wrap(target, type, listener, false, once));
}

/** `target.removeEventListener(type, listener)`: removes a listener added with addWhatwgListener. */
function removeWhatwgListener(target: EventEmitter, type: string, listener: EventListenerLike<never> | null): void {
  for (const existing of target.listeners(type) as Wrapper[]) {
    if (existing[kListener] === listener && !existing[kAttribute]) {
      target.off(type, existing);
      return;
    }
  }
}

/**
 * `target.dispatchEvent(event)`: calls the WHATWG-style listeners (addEventListener and on*) of
 * `event.type` with `event`. Returns true.
 *
 * @throws {TypeError} when `event` has no string `type`.
 */
function dispatchWhatwgEvent(target: EventEmitter, event: { readonly type: string }): boolean {
  if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
    throw new TypeError('dispatchEvent(event): event must be an object with a string type');
  }
  if (event instanceof WebSocketEvent && event.target === null) event.target = target;
  for (const existing of target.rawListeners(event.type) as Wrapper[]) {
    if (existing[kListener] !== undefined) existing(kDispatch, event);
  }
  return true;
}

/** The listener of the `on<type>` attribute, or null. */
function getAttributeListener(target: EventEmitter, type: string): unknown {
  for (const existing of target.listeners(type) as Wrapper[]) if (existing[kAttribute]) return existing[kListener];
  return null;
}

/** Set the `on<type>` attribute: replaces the previous one; a non-function clears it (WHATWG). */
function setAttributeListener(target: EventEmitter, type: string, listener: unknown): void {
  for (const existing of target.listeners(type) as Wrapper[]) {
    if (existing[kAttribute]) target.off(type, existing);
  }
  if (typeof listener === 'function') target.on(type, wrap(target, type, listener as EventListenerLike<never>, true, false));
}

/** Emit `error` on `target` only when someone listens: an unheard 'error' would throw into the event loop, and the network must not crash the process. */
export function emitError(target: EventEmitter, err: Error): void {
  if (target.listenerCount('error') > 0) target.emit('error', err);
}

/**
 * The WebSocket's base class: an EventEmitter whose `on`, `once`, `off`, `addListener`,
 * `removeListener` and `prependListener` are typed by {@link WebSocketEventMap}, with the WHATWG
 * listener methods and `on*` attributes on top.
 */
export class EventSurface extends EventEmitter {
  /** Add a ws-style listener (Node EventEmitter `on`), typed by {@link WebSocketEventMap}. */
  override on<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.on(event, listener);
  }

  /** Add a listener called once, typed by {@link WebSocketEventMap}. */
  override once<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.once(event, listener);
  }

  /** Remove a listener added with `on` / `once`. */
  override off<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.off(event, listener);
  }

  /** Alias of `on`, typed the same way. */
  override addListener<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.addListener(event, listener);
  }

  /** Alias of `off`, typed the same way. */
  override removeListener<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.removeListener(event, listener);
  }

  /** Add a listener before the others, typed by {@link WebSocketEventMap}. */
  override prependListener<E extends string | symbol>(event: E, listener: WebSocketListener<E>): this {
    return super.prependListener(event, listener);
  }

  /**
   * Add a WHATWG-style listener for `open`, `message`, `error` or `close` (or any event this
   * object emits). The same listener is added once; `{ once: true }` removes it after one call.
   */
  addEventListener(type: string, listener: EventListenerLike<never> | null, options?: { once?: boolean } | boolean): void {
    addWhatwgListener(this, type, listener, options);
  }

  /** Remove a listener added with `addEventListener`. */
  removeEventListener(type: string, listener: EventListenerLike<never> | null): void {
    removeWhatwgListener(this, type, listener);
  }

  /** Call the WHATWG-style listeners (addEventListener and on*) of `event.type` with `event`. Returns true. */
  dispatchEvent(event: { readonly type: string }): boolean {
    return dispatchWhatwgEvent(this, event);
  }

  /** WHATWG `onopen` attribute. */
  get onopen(): ((event: WebSocketEvent) => void) | null {
    return getAttributeListener(this, 'open') as ((event: WebSocketEvent) => void) | null;
  }

  set onopen(listener: ((event: WebSocketEvent) => void) | null) {
    setAttributeListener(this, 'open', listener);
  }

  /** WHATWG `onmessage` attribute. */
  get onmessage(): ((event: MessageEvent) => void) | null {
    return getAttributeListener(this, 'message') as ((event: MessageEvent) => void) | null;
  }

  set onmessage(listener: ((event: MessageEvent) => void) | null) {
    setAttributeListener(this, 'message', listener);
  }

  /** WHATWG `onerror` attribute. */
  get onerror(): ((event: ErrorEvent) => void) | null {
    return getAttributeListener(this, 'error') as ((event: ErrorEvent) => void) | null;
  }

  set onerror(listener: ((event: ErrorEvent) => void) | null) {
    setAttributeListener(this, 'error', listener);
  }

  /** WHATWG `onclose` attribute. */
  get onclose(): ((event: CloseEvent) => void) | null {
    return getAttributeListener(this, 'close') as ((event: CloseEvent) => void) | null;
  }

  set onclose(listener: ((event: CloseEvent) => void) | null) {
    setAttributeListener(this, 'close', listener);
  }
}
