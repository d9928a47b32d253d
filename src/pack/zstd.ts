/**
 * Synchronous ZSTD for the Parquet writer and reader (both call their codecs synchronously, page
 * by page): Node's own `zlib` ZSTD where the runtime has it (Node ≥ 22.15, and the Docker image's
 * Node 24), else the zstd library compiled to WebAssembly (`@bokuweb/zstd-wasm`, Node 20). Both
 * are the reference zstd: a pack written by one is read by the other, and by every Parquet reader.
 *
 * The project's `@mongodb-js/zstd` is asynchronous only, so it cannot serve a page-by-page codec.
 */
import zlib from 'node:zlib';
import { CorruptIndexError } from '../errors.js';

export interface ZstdCodec {
  /** Where the implementation comes from (for logs and the benchmark). */
  readonly implementation: 'node:zlib' | 'wasm';
  compress(bytes: Uint8Array, level: number): Uint8Array;
  /** Throws CorruptIndexError when the frame is bad or does not hold `outputLength` bytes. */
  decompress(bytes: Uint8Array, outputLength: number): Uint8Array;
}

/** Node ≥ 22.15's zlib ZSTD (absent from Node 20's typings, hence the narrow view). */
interface ZlibZstd {
  zstdCompressSync(bytes: Uint8Array, options: { params: Record<number, number> }): Buffer;
  zstdDecompressSync(bytes: Uint8Array, options?: { maxOutputLength?: number }): Buffer;
  constants: { ZSTD_c_compressionLevel: number };
}

function nodeZstd(): ZlibZstd | undefined {
  const z = zlib as unknown as Partial<ZlibZstd>;
  return typeof z.zstdCompressSync === 'function' && typeof z.zstdDecompressSync === 'function' && z.constants?.ZSTD_c_compressionLevel !== undefined
    ? (z as ZlibZstd)
    : undefined;
}

function checked(out: Uint8Array, outputLength: number): Uint8Array {
  if (out.length !== outputLength) {
    throw new CorruptIndexError({ message: `data pack page: ${out.length} bytes after decompression, expected ${outputLength}` });
  }
  return out;
}

function corrupt(error: unknown): CorruptIndexError {
  return error instanceof CorruptIndexError ? error : new CorruptIndexError({ message: 'data pack page: bad ZSTD frame', cause: error });
}

async function load(): Promise<ZstdCodec> {
  const z = nodeZstd();
  if (z) {
    return {
      implementation: 'node:zlib',
      compress: (bytes, level) => z.zstdCompressSync(bytes, { params: { [z.constants.ZSTD_c_compressionLevel]: level } }),
      decompress: (bytes, outputLength) => {
        try {
          return checked(z.zstdDecompressSync(bytes, { maxOutputLength: Math.max(1, outputLength) }), outputLength);
        } catch (error) {
          throw corrupt(error);
        }
      },
    };
  }
  const wasm = await import('@bokuweb/zstd-wasm');
  await wasm.init();
  return {
    implementation: 'wasm',
    compress: (bytes, level) => wasm.compress(bytes, level),
    decompress: (bytes, outputLength) => {
      try {
        return checked(wasm.decompress(bytes), outputLength);
      } catch (error) {
        throw corrupt(error);
      }
    },
  };
}

let loading: Promise<ZstdCodec> | undefined;

/** The codec, loaded once per process (the WebAssembly module compiles on first use). */
export function loadZstd(): Promise<ZstdCodec> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
