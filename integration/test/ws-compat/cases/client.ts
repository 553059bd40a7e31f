/** doc/ws.md, "Class: WebSocket": constructor options, events and methods of a client. */
import { cases } from '../harness.ts';

export default cases('Class: WebSocket', {});
