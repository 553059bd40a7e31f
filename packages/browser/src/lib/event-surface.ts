/**
 * The event surface of the socket: an `EventTarget` with typed `addEventListener` and the
 * `on<type>` handler properties, and {@link emitEvent}, which the socket alone calls to dispatch.
 *
 * The handler properties behave as WHATWG event handler attributes ([LegacyTreatNonObjectAsNull]):
 * a value that is not an object or a function is stored as `null`, and an object that is not
 * callable is kept but never called.
 */
import type { GiveUpEvent, ReconnectEvent, ReconnectedEvent, WebSocketCloseEvent, WebSocketErrorEvent, WebSocketEventMap, WebSocketMessageEvent } from './events.ts';

/** A handler property's value. */
export type EventHandler<E> = ((event: E) => unknown) | null;

let dispatch: (surface: EventSurface<unknown>, event: Event) => void;

/** `EventTarget` plus the handler properties of every event the socket dispatches. */
export class EventSurface<T> extends EventTarget {
  readonly #handlers = new Map<string, unknown>();

  static {
    dispatch = (surface, event) => surface.#dispatch(event);
  }

  /** Called on `open`. */
  get onopen(): EventHandler<Event> {
    return this.#handler('open');
  }
  set onopen(handler: EventHandler<Event>) {
    this.#set('open', handler);
  }

  /** Called on `message`. */
  get onmessage(): EventHandler<WebSocketMessageEvent<T>> {
    return this.#handler('message');
  }
  set onmessage(handler: EventHandler<WebSocketMessageEvent<T>>) {
    this.#set('message', handler);
  }

  /** Called on `close` (each connection's; see `willReconnect`). */
  get onclose(): EventHandler<WebSocketCloseEvent> {
    return this.#handler('close');
  }
  set onclose(handler: EventHandler<WebSocketCloseEvent>) {
    this.#set('close', handler);
  }

  /** Called on `error`. */
  get onerror(): EventHandler<WebSocketErrorEvent> {
    return this.#handler('error');
  }
  set onerror(handler: EventHandler<WebSocketErrorEvent>) {
    this.#set('error', handler);
  }

  /** Called on `reconnect` (an attempt is scheduled). */
  get onreconnect(): EventHandler<ReconnectEvent> {
    return this.#handler('reconnect');
  }
  set onreconnect(handler: EventHandler<ReconnectEvent>) {
    this.#set('reconnect', handler);
  }

  /** Called on `reconnected` (an attempt opened). */
  get onreconnected(): EventHandler<ReconnectedEvent> {
    return this.#handler('reconnected');
  }
  set onreconnected(handler: EventHandler<ReconnectedEvent>) {
    this.#set('reconnected', handler);
  }

  /** Called on `giveup` (`maxRetries` reached). */
  get ongiveup(): EventHandler<GiveUpEvent> {
    return this.#handler('giveup');
  }
  set ongiveup(handler: EventHandler<GiveUpEvent>) {
    this.#set('giveup', handler);
  }

  override addEventListener<K extends keyof WebSocketEventMap<T>>(
    type: K,
    listener: ((event: WebSocketEventMap<T>[K]) => void) | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof WebSocketEventMap<T>>(
    type: K,
    listener: ((event: WebSocketEventMap<T>[K]) => void) | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  #set(type: string, handler: unknown): void {
    this.#handlers.set(type, (typeof handler === 'object' && handler !== null) || typeof handler === 'function' ? handler : null);
  }

  #handler<E>(type: string): EventHandler<E> {
    return (this.#handlers.get(type) ?? null) as EventHandler<E>;
  }

  #dispatch(event: Event): void {
    const handler = this.#handlers.get(event.type);
    if (typeof handler === 'function') {
      try {
        handler.call(this, event);
      } catch (error) {
        // As dispatchEvent does for listeners: report the handler's exception as uncaught, but
        // never let it cut the socket's own bookkeeping (a retry not scheduled, a queue not flushed).
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.dispatchEvent(event);
  }
}

/** Dispatches `event` on `surface`: its `on<type>` handler first, then its listeners. */
export function emitEvent<T>(surface: EventSurface<T>, event: Event): void {
  dispatch(surface as EventSurface<unknown>, event);
}
