/** Query results as NDJSON / JSON / CSV byte streams. */
export { CONTENT_TYPES, DEFAULT_FORMAT, MEDIA_TYPES, isOutputFormat, selectFormat } from './formats.js';
export {
  CSV_METADATA_COLUMNS,
  csvColumnsOf,
  csvRows,
  levelColumnsOf,
  serializeResult,
  streamErrorOf,
  type ResultHead,
  type SerializeOptions,
  type StreamError,
} from './serialize.js';
