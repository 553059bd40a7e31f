export * from '@rfc6455/deflate/node';
