/**
 * The Node-only part of the handshake: a SHA-1 from `node:crypto` (OpenSSL), which the Node client
 * and server pass wherever the handshake takes a {@link Sha1}. The main entry stays runtime-neutral
 * with its own portable SHA-1; this one is faster and is the one place Node code computes it.
 */
import { createHash } from 'node:crypto';
import type { Sha1 } from './lib/sha1.ts';

/** SHA-1 of `data` through `node:crypto`, for `createAcceptKey`, `buildServerResponse` and friends. */
export const nodeSha1: Sha1 = (data) => createHash('sha1').update(data).digest();
