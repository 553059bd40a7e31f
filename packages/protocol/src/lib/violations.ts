/**
 * The errors the state machine reports for a peer's violations and a caller's misuse, each with
 * its stable code (and so its close code, see protocol-error.ts). Built only on the failure path,
 * never per frame.
 */
import { Opcode } from '@rfc6455/codes';
import type { WebSocketError } from '@rfc6455/codes';
import { isValidUtf8 } from '@rfc6455/frame';
import type { Frame } from '@rfc6455/frame';
import { ProtocolError, ProtocolErrorCode } from './protocol-error.ts';

/** `WS_ERR_INVALID_STATE`: a method called in a state that does not allow it (the caller's mistake). */
export function invalidState(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidState, message);
}

/** `WS_ERR_UNSUPPORTED_MESSAGE_LENGTH` (1009): a message of at least `length` bytes arrived. */
export function messageTooBig(length: number, maxMessageLength: number): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.UnsupportedMessageLength, `Message of at least ${length} bytes exceeds maxMessageLength ${maxMessageLength}`);
}

/** `WS_ERR_INVALID_UTF8` (1007): a text message is not UTF-8 (RFC 6455 §8.1). */
export function invalidUtf8(): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidUtf8, 'Invalid UTF-8 in a text message (RFC 6455 §8.1)');
}

/** `WS_ERR_UNEXPECTED_RSV_1` or `_2_3` (1002): a reserved bit on a frame no extension may mark (`where` names it). */
export function unexpectedRsv(frame: Frame, where: string): ProtocolError {
  const bit = frame.rsv1 ? 1 : frame.rsv2 ? 2 : 3;
  const code = bit === 1 ? ProtocolErrorCode.UnexpectedRsv1 : ProtocolErrorCode.UnexpectedRsv23;
  return new ProtocolError(code, `RSV${bit} set on ${where}: extensions mark only a message's first frame`);
}

/** The checks a decoded message still needs: the size cap (in case an extension ignored it) and UTF-8 for text (unless `checkUtf8` is false). */
export function checkDecodedMessage(opcode: number, data: Uint8Array, max: number, checkUtf8 = true): WebSocketError | undefined {
  if (data.length > max) {
    return new ProtocolError(ProtocolErrorCode.UnsupportedMessageLength, `Decoded message of ${data.length} bytes exceeds maxMessageLength ${max}`);
  }
  if (checkUtf8 && opcode === Opcode.Text && !isValidUtf8(data)) return invalidUtf8();
  return undefined;
}
