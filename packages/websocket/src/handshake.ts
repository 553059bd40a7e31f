export * from '@rfc6455/handshake';
