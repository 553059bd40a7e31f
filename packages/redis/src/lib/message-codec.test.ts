import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCode } from '@rfc6455/codes';
import { createNodeId, decodeMessage, encodedLength, encodeMessage, FORMAT_VERSION, NODE_ID_BYTES } from './message-codec.ts';

const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('the message format', () => {
  it('lays out a publish byte for byte: version, flags, node id, sequence, topic length, topic, payload', () => {
    const bytes = encodeMessage({ topic: 'é', data: Buffer.from('hi'), binary: false }, Buffer.from('é'), id, 2 ** 32 + 5);
    expect(bytes.toString('hex')).toBe('01' + '02' + '00112233445566778899aabbccddeeff' + '0000000100000005' + '00000002' + 'c3a9' + '6869');
    expect(bytes.length).toBe(encodedLength({ topic: 'é', data: Buffer.from('hi'), binary: false }, Buffer.from('é')));
  });

  it('lays out a binary broadcast without a topic', () => {
    const bytes = encodeMessage({ topic: undefined, data: Buffer.from([0xff, 0]), binary: true }, undefined, id, 1);
    expect(bytes.toString('hex')).toBe('01' + '01' + '00112233445566778899aabbccddeeff' + '0000000000000001' + 'ff00');
  });

  it('decodes what it encodes, for any topic, payload and sequence number', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }), fc.uint8Array(), fc.boolean(), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (topic, payload, binary, sequence) => {
        const data = binary ? payload : Buffer.from(Buffer.from(payload).toString('utf8'));
        const encoded = encodeMessage({ topic, data, binary }, topic === undefined ? undefined : Buffer.from(topic), id, sequence);
        const decoded = decodeMessage(encoded);
        expect(decoded).toEqual({ topic, data: Buffer.from(data), binary, nodeId: id.toString('hex'), sequence });
      }),
    );
  });

  it.each([
    ['too short', Buffer.alloc(10), /shorter than its 26-byte header/],
    ['another version', Buffer.concat([Buffer.from([2, 0]), Buffer.alloc(24)]), /format version 2/],
    ['unknown flags', Buffer.concat([Buffer.from([1, 4]), Buffer.alloc(24)]), /unknown flags 0x4/],
    ['no topic length', Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(24)]), /topic length is missing/],
    ['a topic longer than the message', Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(24), Buffer.from([0, 0, 0, 9, 0x61])]), /a 9-byte topic in 1 bytes/],
    ['a topic that is not UTF-8', Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(24), Buffer.from([0, 0, 0, 1, 0xff])]), /topic is not UTF-8/],
    ['a text payload that is not UTF-8', Buffer.concat([Buffer.from([1, 0]), Buffer.alloc(24), Buffer.from([0xc3])]), /payload is not UTF-8/],
  ])('refuses %s with WS_ERR_INVALID_ADAPTER_MESSAGE', (_what, bytes, message) => {
    expect(() => decodeMessage(bytes)).toThrow(message);
    try {
      decodeMessage(bytes);
    } catch (err) {
      expect((err as { code: string }).code).toBe(ErrorCode.InvalidAdapterMessage);
    }
  });

  it('gives each node its own random 16-byte id', () => {
    expect(FORMAT_VERSION).toBe(1);
    expect(createNodeId()).toHaveLength(NODE_ID_BYTES);
    expect(createNodeId().equals(createNodeId())).toBe(false);
  });
});
