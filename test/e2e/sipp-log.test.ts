// The end-to-end harness's reading of a sipp message log (-trace_msg): which responses are the run's
// own. A stray retransmission of another call's final answer, sent to the same address and port,
// once became a run's "final answer" (a 200 call read as 403 rate-above-cap).
import { describe, expect, it } from 'vitest';
import { ownResponses, parseResponses, sentCallId } from './edge.js';

const rule = '----------------------------------------------- 2026-12-02 12:58:58.938000';
const block = (what: 'sent' | 'received', message: string) =>
  `${rule}\nUDP message ${what} (100 bytes):\n\n${message.replaceAll('\n', '\r\n')}\r\n\r\n`;

const invite = `INVITE sip:12025550140@sip.example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-1-1-0
Call-ID: 1-8661@127.0.0.11
CSeq: 1 INVITE
Content-Length: 0`;
const answer = (status: string, callId: string, extra = '') => `SIP/2.0 ${status}
Via: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-1-1-0
Call-ID: ${callId}
CSeq: 1 INVITE${extra}
Content-Length: 0`;

const log = [
  block('sent', invite),
  block('received', answer('200 OK', '1-8661@127.0.0.11')),
  block('received', answer('403 Forbidden', '1-8657@127.0.0.11', '\nReason: sipguard;text="rate-above-cap"')),
].join('');

describe('sipp message log', () => {
  it('names the Call-ID of the first request the run sent', () => {
    expect(sentCallId(log)).toBe('1-8661@127.0.0.11');
    expect(sentCallId(block('received', answer('200 OK', 'x')))).toBeUndefined();
  });

  it('reads every response with its status, method and headers, strays included', () => {
    const responses = parseResponses(log);
    expect(responses.map((r) => [r.status, r.method, r.headers.get('call-id')])).toEqual([
      [200, 'INVITE', '1-8661@127.0.0.11'],
      [403, 'INVITE', '1-8657@127.0.0.11'],
    ]);
    expect(responses[1]?.headers.get('reason')).toBe('sipguard;text="rate-above-cap"');
  });

  it("keeps only the answers to the run's own call", () => {
    expect(ownResponses(log).map((r) => [r.status, r.phrase])).toEqual([[200, 'OK']]);
  });
});
