/**
 * A whole-variable reader for checking what the writer wrote: the service never reads a whole
 * variable (the builder reads slots by offset, the query reads rows by range), so this lives with
 * the tests. Record variables are gathered record by record; values in row-major order.
 */
import { decodeValues, rowElements, sliceRange, type NcHeader, type NcValues } from '../../src/netcdf/index.js';
import { NC_TYPE_SIZE } from '../../src/netcdf/types.js';

export function readVariable(header: NcHeader, file: Uint8Array, name: string): NcValues {
  const v = header.variables.find((x) => x.name === name);
  if (!v) throw new Error(`no variable ${name}`);
  const rowBytes = rowElements(v) * NC_TYPE_SIZE[v.type];
  if (!v.isRecord) {
    const length = v.shape.length === 0 ? NC_TYPE_SIZE[v.type] : rowBytes * v.shape[0];
    return decodeValues({ type: v.type, bytes: sliceRange(file, { offset: v.offset, length }) });
  }
  const gathered = new Uint8Array(rowBytes * header.numRecords);
  for (let r = 0; r < header.numRecords; r++) {
    gathered.set(sliceRange(file, { offset: v.offset + r * header.recordSize, length: rowBytes }), r * rowBytes);
  }
  return decodeValues({ type: v.type, bytes: gathered });
}
