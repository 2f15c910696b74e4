// Stand-in for webrtc-polyfill/polyfill: installs nothing (see index.js).
