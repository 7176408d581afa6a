export { parseAv1Config, av1CodecString, type Av1Config } from './av1-config.js';
export {
  parseAv1SequenceHeader, splitObus, OBU_SEQUENCE_HEADER, OBU_TEMPORAL_DELIMITER,
  type Av1SequenceHeader, type Av1Obu,
} from './sequence-header.js';
