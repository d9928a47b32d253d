/**
 * Synchronous ZSTD for the Parquet writer and reader (both call their codecs synchronously, page
 * by page, and the pack writer holds its levels compressed: held-levels.ts): the reference zstd
 * compiled to WebAssembly (`@bokuweb/zstd-wasm`), on every Node.
 *
 * Not Node's own `zlib.zstdCompressSync` / `zstdDecompressSync` (Node ≥ 22.15), measured against
 * it: they make a context per call and free it only when the call's JavaScript wrapper is
 * garbage-collected, which V8 does not hurry (it does not see the native memory). A
 * 13,000-profile month's build (~14,000 compressions) reached 1.1–1.4 GB of RSS with them,
 * against ~0.7 GB with the WebAssembly codec, whose one linear memory is reused call after call,
 * and the build took the same time (the write is split over two threads). Decompressing an
 * 800 KB page 600 times: 158 MB of RSS and 357 ms with zlib, 119 MB and 189 ms with WebAssembly.
 *
 * A pack written here is read by every Parquet reader (DuckDB, pyarrow, polars). The project's
 * `@mongodb-js/zstd` is asynchronous only, so it cannot serve a page-by-page codec.
 */
import { CorruptIndexError } from '../errors.js';

export interface ZstdCodec {
  /** Where the implementation comes from (for logs and the benchmark). */
  readonly implementation: 'wasm';
  compress(bytes: Uint8Array, level: number): Uint8Array;
  /** Throws CorruptIndexError when the frame is bad or does not hold `outputLength` bytes. */
  decompress(bytes: Uint8Array, outputLength: number): Uint8Array;
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
