// Stand-in for webrtc-polyfill 1.2.x (which needs node-datachannel's native binary, downloaded
// from GitHub at install time). Same export names; every class throws if constructed, so a test
// that reaches WebRTC fails loudly instead of hanging. The WebTorrent tests run with trackers off.

const unavailable = (name) =>
  class {
    constructor() {
      throw new Error(`${name} is not available: webrtc-polyfill is stubbed in the interop tests`);
    }
  };

export const RTCPeerConnection = unavailable('RTCPeerConnection');
export const RTCSessionDescription = unavailable('RTCSessionDescription');
export const RTCIceCandidate = unavailable('RTCIceCandidate');
export const RTCIceTransport = unavailable('RTCIceTransport');
export const RTCDataChannel = unavailable('RTCDataChannel');
export const RTCSctpTransport = unavailable('RTCSctpTransport');
export const RTCDtlsTransport = unavailable('RTCDtlsTransport');
export const RTCCertificate = unavailable('RTCCertificate');
export const MediaStreamTrack = unavailable('MediaStreamTrack');
export const MediaStream = unavailable('MediaStream');
export const RTCPeerConnectionIceEvent = unavailable('RTCPeerConnectionIceEvent');
export const RTCDataChannelEvent = unavailable('RTCDataChannelEvent');
export const RTCTrackEvent = unavailable('RTCTrackEvent');
export const MediaStreamTrackEvent = unavailable('MediaStreamTrackEvent');
export const RTCError = unavailable('RTCError');
export const RTCErrorEvent = unavailable('RTCErrorEvent');
export const RTCRtpTransceiver = unavailable('RTCRtpTransceiver');
export const RTCRtpSender = unavailable('RTCRtpSender');
export const RTCRtpReceiver = unavailable('RTCRtpReceiver');

export * as default from './index.js';
