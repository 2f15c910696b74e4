import { createPexSession, type PexSession, type PexSessionOptions } from '@pex/events';
import { createFakeTime, type FakeTime } from '@pex/test-support';
import { createOutbox, record } from './record.js';

/** A session on fake time whose payloads go to an outbox; nothing listens to it. */
export function setUpSession(
  options: Partial<PexSessionOptions> = {},
  time: FakeTime = createFakeTime(1_000),
) {
  const outbox = createOutbox(time.clock);
  const session = createPexSession({
    send: outbox.send,
    clock: time.clock,
    timers: time.timers,
    ...options,
  });
  return { time, outbox, session };
}

/** `setUpSession`, with every event of the session recorded (`events`). */
export function setUpRecordedSession(
  options: Partial<PexSessionOptions> = {},
  time: FakeTime = createFakeTime(1_000),
) {
  const setup = setUpSession(options, time);
  return { ...setup, events: record(setup.session) };
}

/** Sending becomes possible: started, and the remote advertised ut_pex. */
export function ready(session: PexSession): void {
  session.start();
  session.setRemoteSupportsPex();
}
