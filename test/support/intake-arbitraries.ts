/**
 * fast-check generators of nearly valid Zeek notices, ECS alerts, OCSF findings and IDS fast
 * log lines. Each part is usually right and sometimes anything at all, so random input gets
 * past the first checks (note, event.kind, class_uid, the timestamp) to the deep ones.
 */
import fc from 'fast-check';

/** Mostly `valid`, sometimes any value (including none of the right type). */
function usually<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.anything() });
}

function fields(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return usually(fc.record(shape, { requiredKeys: [] }));
}

const ip = usually(fc.oneof(fc.ipV4(), fc.ipV6()));
const text = usually(fc.string({ minLength: 1, maxLength: 20 }));
const epochSeconds = fc.double({ min: 0, max: 4e9, noNaN: true });
const isoTime = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('2024-03-10T01:30:00.123456-0500', '2024-03-10T01:30:00', 'soon'),
);

export const nearlyValidZeek = fc.record(
  {
    ts: usually(fc.oneof(epochSeconds, epochSeconds.map(String), isoTime)),
    uid: text,
    note: usually(fc.constantFrom('Scan::Port_Scan', 'SSL::Invalid_Server_Cert', '')),
    msg: text,
    'id.orig_h': ip,
    id_resp_h: ip,
    id: fields({ orig_h: ip, resp_h: ip }),
    src: ip,
    dst: ip,
    actions: usually(fc.array(fc.constantFrom('Notice::ACTION_LOG', 'Notice::ACTION_PAGE'))),
    email_dest: usually(fc.array(fc.emailAddress())),
    _path: text,
  },
  { requiredKeys: [] },
);

export const nearlyValidEcs = fc.record(
  {
    '@timestamp': usually(fc.oneof(isoTime, fc.integer({ min: 0, max: 4e12 }))),
    event: fields({
      kind: usually(fc.constantFrom('alert', 'signal', 'event')),
      id: text,
      severity: usually(fc.integer({ min: -5, max: 120 })),
    }),
    'event.kind': usually(fc.constantFrom('alert', 'signal')),
    'kibana.alert.rule.name': text,
    'kibana.alert.severity': usually(fc.constantFrom('low', 'medium', 'high', 'critical', 'x')),
    kibana: fields({ alert: fields({ risk_score: usually(fc.double()), uuid: text }) }),
    rule: fields({ name: text, id: text }),
    host: fields({ name: text, ip: usually(fc.array(ip)) }),
    source: fields({ ip }),
    'destination.ip': ip,
    user: fields({ name: text, email: usually(fc.emailAddress()) }),
    url: fields({ full: usually(fc.webUrl()) }),
    related: fields({ ip: usually(fc.array(ip)), hash: usually(fc.array(text)) }),
    _source: fc.anything(),
  },
  { requiredKeys: [] },
);

const observable = fields({
  name: text,
  type_id: usually(fc.constantFrom(0, 1, 2, 4, 5, 6, 8, 10, 12, 18, 21, 23, 99)),
  value: usually(fc.oneof(fc.string(), ip, fc.integer())),
});

export const nearlyValidOcsf = fc.record(
  {
    class_uid: usually(fc.constantFrom(2001, 2002, 2003, 2004, 4001, 6003)),
    time: usually(fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.double(), fc.string())),
    time_dt: usually(isoTime),
    severity_id: usually(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 99)),
    finding_info: fields({ title: text, uid: text, analytic: fields({ uid: text }) }),
    finding: fields({ title: text, uid: text }),
    metadata: fields({ uid: text, product: fields({ name: text }) }),
    compliance: fields({ status_id: usually(fc.integer({ min: 0, max: 3 })), status: text }),
    status_code: usually(fc.constantFrom('PASS', 'FAIL')),
    src_endpoint: fields({ ip }),
    evidences: usually(fc.array(fields({ src_endpoint: fields({ ip }), actor: fc.anything() }))),
    resources: usually(fc.array(fields({ uid: text }))),
    resource: fields({ uid: text }),
    vulnerabilities: usually(fc.array(fields({ cve: fields({ uid: text }) }))),
    observables: usually(fc.array(observable)),
  },
  { requiredKeys: [] },
);

const two = (min: number, max: number): fc.Arbitrary<string> =>
  fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));

const fastTime = fc
  .tuple(
    two(0, 13),
    two(0, 32),
    fc.constantFrom('', '/2024', '/24', '/1999'),
    two(0, 25),
    two(0, 60),
    two(0, 60),
    fc.constantFrom('', '.123456', '.1'),
  )
  .map(([m, d, y, h, mi, s, f]) => `${m}/${d}${y}-${h}:${mi}:${s}${f}`);

const endpoint = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 65535 })).map(([a, p]) => `${a}:${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 65535 })).map(([a, p]) => `[${a}]:${p}`),
  fc.ipV6(),
  fc.ipV4(),
  fc.string({ maxLength: 12 }),
);

/** The well-formed part four times in five, so that whole lines are often right too. */
function mostly<T>(right: fc.Arbitrary<T>, wrong: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

/** Lines in the fast-log layout whose every part is usually, not always, well formed. */
export const nearlyValidFastLine = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: fastTime }, { weight: 1, arbitrary: fc.string() }),
    mostly(fc.constantFrom('', '[Drop] '), fc.constant('[**] ')),
    mostly(
      fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([g, s, r]) => `[${g}:${s}:${r}]`),
      fc.string({ maxLength: 8 }),
    ),
    fc.oneof(fc.string({ maxLength: 30 }), fc.constant('"quoted message"')),
    mostly(fc.constant('[**]'), fc.constantFrom('', '[*]')),
    fc.constantFrom('', '[Classification: Bad] ', '[Priority: 1] ', '[Priority: x] '),
    mostly(fc.constantFrom('{TCP}', '{UDP}', '{ICMP}', '{IPV6-ICMP}'), fc.constantFrom('', '{}')),
    endpoint,
    mostly(fc.constant(' -> '), fc.constantFrom(' ', '->')),
    endpoint,
  )
  .map(
    ([time, action, rule, message, close, tags, proto, source, arrow, destination]) =>
      `${time}  ${action}[**] ${rule} ${message} ${close} ${tags}${proto} ` +
      `${source}${arrow}${destination}`,
  );
