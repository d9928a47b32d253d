/** Query results as NDJSON / JSON / CSV byte streams: the formats, their media types, the bodies. */
export { CONTENT_TYPES, DEFAULT_FORMAT, MEDIA_TYPES, OUTPUT_FORMATS, selectFormat, type OutputFormat } from './formats.js';
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
