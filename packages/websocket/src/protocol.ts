export * from '@rfc6455/protocol';
