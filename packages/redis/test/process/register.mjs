// `node --conditions=source --import ./register.mjs node.ts`: a test's server process runs the
// workspace's TypeScript sources (the `source` export condition resolves @rfc6455/* to src/).
import { register } from 'node:module';

register('./typescript-hooks.mjs', import.meta.url);
