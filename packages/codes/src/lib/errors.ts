/**
 * The error base every @rfc6455 package builds on.
 *
 * Callers match errors on the stable string `code`, not with `instanceof`: two copies of a package
 * in one dependency tree break `instanceof`, while `code` survives copies, bundlers and
 * serialization (the lesson of ws's `WS_ERR_*` codes).
 */

/** Options for {@link WebSocketError}. */
export interface WebSocketErrorOptions {
  /** The close code the connection ends with because of this error, if it ends one. */
  closeCode?: number | undefined;
  /** The error that caused this one (ES2022 `cause`). */
  cause?: unknown;
}

/** Any error raised by an @rfc6455 package: a message, a stable `code`, an optional `closeCode`. */
export class WebSocketError extends Error {
  /** A stable, machine-readable code such as `WS_ERR_INVALID_OPCODE`. */
  readonly code: string;
  /** The close code (RFC 6455 §7.4) the connection was or will be closed with, when there is one. */
  readonly closeCode: number | undefined;

  constructor(code: string, message: string, options: WebSocketErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.closeCode = options.closeCode;
  }

  override get name(): string {
    return 'WebSocketError';
  }
}

/**
 * True for anything shaped like a {@link WebSocketError}: an `Error` with a string `code` starting
 * with `WS_`. Works across duplicate copies of this package, unlike `instanceof`.
 */
export function isWebSocketError(value: unknown): value is WebSocketError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('WS_');
}

/**
 * The close code carried by an error, following `cause` links, or `undefined` when none carries
 * one. The counterpart of coder/websocket's `CloseStatus(err)`.
 */
export function closeStatus(err: unknown): number | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 16 && current !== null && typeof current === 'object'; depth++) {
    const closeCode = (current as { closeCode?: unknown }).closeCode;
    if (typeof closeCode === 'number') return closeCode;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
