/**
 * How an AdapterMessage crosses Redis: one binary string per message (a pub/sub message, or the
 * `m` field of a stream entry), the same in every mode. Binary-safe: the topic and the payload are
 * length-delimited bytes, never parsed as text on the way. It carries the publishing node's id,
 * so a node drops its own publishes when Redis hands them back, and a per-node sequence number,
 * so a reader of a stream can tell exactly how many messages of a node it missed.
 *
 * Layout (version 1), all integers big-endian:
 *
 * | bytes | field |
 * | --- | --- |
 * | 1 | version, 1 |
 * | 1 | flags: bit 0 binary frame, bit 1 a publish (a topic follows), else a broadcast |
 * | 16 | the publishing node's id (random) |
 * | 8 | the node's sequence number, from 1 (below 2^53) |
 * | 4 | topic length in bytes (publishes only) |
 * | n | topic, UTF-8 (publishes only) |
 * | rest | payload, as it goes on the wire |
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@rfc6455/codes';
import type { AdapterMessage } from '@rfc6455/server';
import { RedisAdapterError } from './redis-adapter-error.ts';

/** The format version this package writes and reads. */
export const FORMAT_VERSION = 1;
const FLAG_BINARY = 1;
const FLAG_TOPIC = 2;
/** The bytes before the topic length: version, flags, node id, sequence number. */
const HEAD = 1 + 1 + 16 + 8;
/** The length of a node id, in bytes. */
export const NODE_ID_BYTES = 16;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A message read back from Redis, with who published it. */
export interface DecodedMessage extends AdapterMessage {
  /** The publishing node's id, as 32 lowercase hex digits. */
  readonly nodeId: string;
  /** The publishing node's sequence number for this message. */
  readonly sequence: number;
}

/** A fresh random node id (16 bytes). */
export function createNodeId(): Buffer {
  return randomBytes(NODE_ID_BYTES);
}

/** How many bytes {@link encodeMessage} writes for `message`. */
export function encodedLength(message: AdapterMessage, topicBytes: Buffer | undefined): number {
  return HEAD + (topicBytes === undefined ? 0 : 4 + topicBytes.length) + message.data.length;
}

/**
 * Encode `message` for Redis. `topicBytes` is the topic's UTF-8 (the caller has it already, for
 * the channel name and the size check).
 */
export function encodeMessage(message: AdapterMessage, topicBytes: Buffer | undefined, nodeId: Buffer, sequence: number): Buffer {
  const out = Buffer.allocUnsafe(encodedLength(message, topicBytes));
  out[0] = FORMAT_VERSION;
  out[1] = (message.binary ? FLAG_BINARY : 0) | (topicBytes === undefined ? 0 : FLAG_TOPIC);
  nodeId.copy(out, 2);
  // Two 32-bit halves: a sequence number stays below 2^53.
  out.writeUInt32BE(Math.floor(sequence / 2 ** 32), 18);
  out.writeUInt32BE(sequence >>> 0, 22);
  let at = HEAD;
  if (topicBytes !== undefined) {
    out.writeUInt32BE(topicBytes.length, at);
    at += 4;
    topicBytes.copy(out, at);
    at += topicBytes.length;
  }
  out.set(message.data, at);
  return out;
}

function invalid(reason: string): RedisAdapterError {
  return new RedisAdapterError(ErrorCode.InvalidAdapterMessage, `A message from Redis is not in @rfc6455/redis format ${FORMAT_VERSION} and was dropped: ${reason}.`);
}

/**
 * Decode a message read from Redis. Checks everything another program (or another version)
 * could get wrong: the version, the lengths, the topic's UTF-8 and, for a text message, the
 * payload's UTF-8 (RFC 6455 §8.1: a text frame carries UTF-8, and this node's clients would
 * otherwise fail their connections with 1007).
 *
 * @throws {RedisAdapterError} `WS_ERR_INVALID_ADAPTER_MESSAGE` when the bytes are not a message.
 */
export function decodeMessage(bytes: Buffer): DecodedMessage {
  if (bytes.length < HEAD) throw invalid(`${bytes.length} bytes is shorter than its ${HEAD}-byte header`);
  if (bytes[0] !== FORMAT_VERSION) throw invalid(`format version ${bytes[0]}`);
  const flags = bytes[1] as number;
  if ((flags & ~(FLAG_BINARY | FLAG_TOPIC)) !== 0) throw invalid(`unknown flags 0x${flags.toString(16)}`);
  const nodeId = bytes.toString('hex', 2, 18);
  const sequence = bytes.readUInt32BE(18) * 2 ** 32 + bytes.readUInt32BE(22);
  let at = HEAD;
  let topic: string | undefined;
  if ((flags & FLAG_TOPIC) !== 0) {
    if (bytes.length < at + 4) throw invalid('the topic length is missing');
    const length = bytes.readUInt32BE(at);
    at += 4;
    if (bytes.length < at + length) throw invalid(`a ${length}-byte topic in ${bytes.length - at} bytes`);
    try {
      topic = strictUtf8.decode(bytes.subarray(at, at + length));
    } catch {
      throw invalid('the topic is not UTF-8');
    }
    at += length;
  }
  const binary = (flags & FLAG_BINARY) !== 0;
  const data = bytes.subarray(at);
  if (!binary && !isUtf8(data)) throw invalid('a text message whose payload is not UTF-8');
  return { topic, data, binary, nodeId, sequence };
}
