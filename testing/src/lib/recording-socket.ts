/**
 * An in-memory socket for tests that drive a connection without a network: a `Duplex` that keeps
 * everything written to it, batch by batch (one chunk per `write`, several when the stream
 * machinery joined them into one `writev`, which is what corking produces), and reads only what
 * the test pushes into it. The client's and the server's tests both need one; this is the one.
 */
import { Duplex } from 'node:stream';

/** A socket stand-in that records how the stream machinery hands it data: one write, or a batch. */
export class RecordingSocket extends Duplex {
  /** The writes, each a batch of chunks (one chunk unless writev joined several). */
  readonly batches: Buffer[][] = [];

  /** Everything written so far, as one buffer. */
  get written(): Buffer {
    return Buffer.concat(this.batches.flat());
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.batches.push([chunk]);
    done();
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.batches.push(chunks.map((c) => c.chunk));
    done();
  }
}
