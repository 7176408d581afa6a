export { parseVpcC, vp9CodecString, type VpcConfig } from './vpcc.js';
