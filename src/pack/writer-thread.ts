/**
 * The worker thread of `createWorkerPackWriter` (worker-writer.ts), driven by messages. The
 * month's thread decodes each file's levels as its bytes arrive and keeps them, so they never
 * cross back; a helper thread gets half of them (transferred) to write its half of the row
 * groups, and the month's thread assembles the parts. Only written bytes come back, their buffers
 * transferred.
 */
import { parentPort } from 'node:worker_threads';
import { PackWriteError } from '../errors.js';
import { compactLevels } from './levels.js';
import { createPackWriterCore, levelsOfFile } from './writer.js';
import { loadZstd } from './zstd.js';
import { levelsForTransfer, ownedBuffer, serializeError, type FromThread, type ToThread } from './writer-protocol.js';

const port = parentPort;
if (!port) throw new Error('the data pack writer runs as a worker thread');
const core = createPackWriterCore();
// The codec now, while the month's files are still downloading: on Node 20 it is WebAssembly,
// compiled on first use, which would otherwise delay the write. A failure surfaces at the write.
loadZstd().catch(() => undefined);

const reply = (message: FromThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const failed = (seq: number) => (error: unknown) =>
  reply({ type: 'failed', seq, error: serializeError(error instanceof PackWriteError && error.cause ? error.cause : error) });

async function handle(message: Exclude<ToThread, { type: 'levels' }>): Promise<void> {
  switch (message.type) {
    case 'file': {
      const { seq, id, bytes } = message;
      try {
        core.levels.set(id, levelsOfFile(id, bytes));
        reply({ type: 'done', seq });
      } catch (error) {
        failed(seq)(error);
      }
      return;
    }
    case 'take': {
      const moved = levelsForTransfer(core.take(message.ids));
      reply({ type: 'taken', seq: message.seq, entries: moved.entries }, moved.transfer);
      return;
    }
    case 'part': {
      const { part, missing } = await core.part(message.entries, message.layout, message.maxRowGroupRows);
      reply({ type: 'part', seq: message.seq, part, missing }, [part.bytes.buffer as ArrayBuffer]);
      return;
    }
    case 'assemble': {
      const written = await core.assemble(message.parts, message.layout);
      // The writer's buffer is larger than the file: a copy of the file alone (here, off the
      // caller's thread) is what is transferred.
      const bytes = ownedBuffer(written.bytes);
      reply({ type: 'written', seq: message.seq, result: { ...written, bytes, missing: [] } }, [bytes.buffer as ArrayBuffer]);
      return;
    }
  }
}

port.on('message', (message: ToThread) => {
  if (message.type === 'levels') {
    // Levels that do not fit their nLevels throw here, uncaught: the thread ends and the writer
    // fails (levels come checked from their producer: this is a bug, not a bad file).
    for (const [id, levels] of message.entries) core.levels.set(id, compactLevels(levels, { id }));
    return;
  }
  handle(message).catch(failed(message.seq));
});
