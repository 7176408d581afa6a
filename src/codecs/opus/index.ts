export { opusPacketSamples, OPUS_SAMPLE_RATE } from './opus-packet.js';
export { opusHeadForChannelConfig, opusHeadChannels } from './opus-head.js';
