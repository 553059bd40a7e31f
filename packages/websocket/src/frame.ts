export * from '@rfc6455/frame';
