export * from '@rfc6455/codes';
export * from '@rfc6455/browser';
export { createClient, client } from './lib/create-browser-client.ts';
