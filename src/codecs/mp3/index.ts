export { parseMp3FrameHeader, type Mp3FrameHeader } from './frame-header.js';
