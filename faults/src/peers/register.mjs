// `node --conditions=source --import ./register.mjs peer.ts`: TypeScript sources in a peer process.
import { register } from 'node:module';

register('./typescript-hooks.mjs', import.meta.url);
