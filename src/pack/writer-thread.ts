/**
 * The worker thread of `createWorkerPackWriter` (worker-writer.ts): an in-thread pack writer
 * driven by messages. Each file's levels are decoded as its bytes arrive and kept here, so the
 * month's levels never cross back; only the written pack does, its buffer transferred.
 */
import { parentPort } from 'node:worker_threads';
import { PackWriteError } from '../errors.js';
import { createInThreadPackWriter } from './writer.js';
import { ownedBuffer, serializeError, type ToThread, type FromThread } from './writer-protocol.js';

const port = parentPort;
if (!port) throw new Error('the data pack writer runs as a worker thread');
const writer = createInThreadPackWriter();

const reply = (message: FromThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'file':
      writer.addFile(message).then(
        () => reply({ type: 'done', seq: message.seq }),
        (error: unknown) => reply({ type: 'failed', seq: message.seq, error: serializeError(error) }),
      );
      return;
    case 'levels':
      writer.addLevels(message.id, message.levels);
      return;
    case 'write':
      writer.write(message.request).then(
        (result) => {
          // The writer's buffer is larger than the file: a copy of the file alone (here, off the
          // caller's thread) is what is transferred.
          const bytes = ownedBuffer(result.bytes);
          reply({ type: 'written', seq: message.seq, result: { ...result, bytes } }, [bytes.buffer as ArrayBuffer]);
        },
        (error: unknown) => reply({ type: 'failed', seq: message.seq, error: serializeError(error instanceof PackWriteError && error.cause ? error.cause : error) }),
      );
      return;
  }
});
