import { decodePexFlags, formatPeerAddress, type PexMessage } from '@pex/core';

/** Names of the BEP 11 flags set in `byte`, for human output. */
export function describeFlags(byte: number): string[] {
  const flags = decodePexFlags(byte);
  const names: string[] = [];
  if (flags.prefersEncryption) names.push('encryption');
  if (flags.uploadOnly) names.push('seed');
  if (flags.supportsUtp) names.push('utp');
  if (flags.supportsHolepunch) names.push('holepunch');
  if (flags.reachable) names.push('reachable');
  if (flags.reserved !== 0) names.push(`reserved:0x${flags.reserved.toString(16)}`);
  return names;
}

/** A JSON-ready view of a decoded message: addresses as text, flags by name and byte. */
export function messageToJson(message: PexMessage) {
  const added = [...message.added, ...message.added6].map((peer) => ({
    peer: formatPeerAddress(peer.address, peer.port),
    flags: peer.flags ?? 0,
    flagNames: describeFlags(peer.flags ?? 0),
  }));
  const dropped = [...message.dropped, ...message.dropped6].map((peer) =>
    formatPeerAddress(peer.address, peer.port),
  );
  return { added, dropped };
}

/** Human-readable lines for a decoded message. */
export function messageToLines(message: PexMessage): string[] {
  const { added, dropped } = messageToJson(message);
  const lines = [`added ${added.length}, dropped ${dropped.length}`];
  for (const peer of added) {
    lines.push(
      `  + ${peer.peer}${peer.flagNames.length > 0 ? `  [${peer.flagNames.join(', ')}]` : ''}`,
    );
  }
  for (const peer of dropped) lines.push(`  - ${peer}`);
  return lines;
}
