import { describe, expect, it } from 'vitest';
import { RecordingSocket } from './recording-socket.ts';

describe('RecordingSocket', () => {
  it('records each write as a batch of one, and corked writes as one batch', async () => {
    const socket = new RecordingSocket();
    socket.write(Buffer.from('ab'));
    socket.cork();
    socket.write(Buffer.from('c'));
    socket.write(Buffer.from('de'));
    process.nextTick(() => socket.uncork());
    await new Promise<void>((resolve) => socket.write(Buffer.from('f'), () => resolve()));
    expect(socket.batches.map((batch) => batch.map((chunk) => chunk.toString()))).toEqual([['ab'], ['c', 'de', 'f']]);
    expect(socket.written.toString()).toBe('abcdef');
  });

  it('reads what the test pushes, and ends when told', async () => {
    const socket = new RecordingSocket();
    const read: string[] = [];
    socket.on('data', (chunk: Buffer) => read.push(chunk.toString()));
    const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
    socket.push(Buffer.from('hello'));
    socket.push(null);
    await ended;
    expect(read).toEqual(['hello']);
  });
});
