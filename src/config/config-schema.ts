import { z } from 'zod';
import { routingOptionsSchema } from '../routing/routing-options.js';
import { policyPresets, type PolicyPresetName } from './policy-presets.js';

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const categoryList = z
  .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, at most 40'))
  .min(1)
  .refine((items) => new Set(items).size === items.length, 'entries must be unique');

const policyOverrides = z
  .object({
    phoneLinkageMonths: z.number().int().min(1).max(6),
    phoneSealedMonths: z.number().int().min(1).max(6),
    chatTranscriptMonths: z.number().int().min(0).max(6),
    timeOutHours: z.number().int().min(1).max(24 * 31),
    blockMonths: z.number().int().min(1).max(12),
    // "Na meerdere Time Outs": at least one; more than ten within six months is no longer "multiple".
    timeOutsBeforeBlock: z.number().int().min(1).max(10),
    suppressionThreshold: z.number().int().min(2).max(1000),
    transcriptReaders: z.enum(['coordinators', 'nobody']),
    chatIpVisibleToCoordinators: z.boolean(),
    trainingFragments: z.boolean(),
  })
  .partial()
  .strict();

const modemLine = z
  .object({
    kind: z.literal('modem'),
    device: z.string().min(1),
    baudRate: z.number().int().positive().default(115200),
    initCommands: z.array(z.string().regex(/^AT/i, 'must start with AT')).default(['ATZ']),
    callerIdCommands: z
      .array(z.string().regex(/^AT/i, 'must start with AT'))
      .min(1)
      .default(['AT+VCID=1', 'AT#CID=1']),
    ringsBeforeUnknown: z.number().int().min(1).max(10).default(2),
    ringSilenceMs: z.number().int().min(1000).max(60_000).default(8000),
  })
  .strict();

const replayLine = z
  .object({
    kind: z.literal('replay'),
    transcript: z.string().min(1),
    loop: z.boolean().default(false),
  })
  .strict();

const simulatedLine = z
  .object({
    kind: z.literal('simulated'),
    pauseBetweenCallsMs: z.number().int().min(0).max(600_000).default(2000),
    repeatCallers: z.number().int().min(1).max(1000).default(12),
  })
  .strict();

const ipAddress = z.union([z.ipv4(), z.ipv6()]);

const sipLine = z
  .object({
    kind: z.literal('sip'),
    /** Where the box listens for SIP, over UDP and TCP on the same port. */
    listen: z
      .object({ host: z.string().min(1).default('0.0.0.0'), port: z.number().int().min(1).max(65535).default(5060) })
      .strict()
      .default({ host: '0.0.0.0', port: 5060 }),
    /** The address desk phones and the trunk reach the box at: Via, Contact and SDP carry it. */
    advertisedAddress: ipAddress,
    /** The trunk's addresses or CIDR ranges; INVITEs from anywhere else get 403. */
    trunkPeers: z.array(z.string().min(1)).min(1),
    /** Host part of the reference URI desk phones see instead of a number. */
    boxHost: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name').default('helpline-box.invalid'),
    rtpPorts: z
      .object({ first: z.number().int().min(1024).max(65534), last: z.number().int().min(1025).max(65535) })
      .strict()
      .refine((range) => range.last > range.first, 'last must be above first')
      .default({ first: 40000, last: 40999 }),
    /** A relayed call whose media stops this long is hung up; 0: never. */
    mediaTimeoutMs: z.number().int().min(0).max(600_000).default(30_000),
    maxCalls: z.number().int().min(1).max(500).default(64),
    routing: routingOptionsSchema.default({
      strategy: 'longest-idle',
      ringTimeoutMs: 20_000,
      maxRingMs: 120_000,
      wrapUpMs: 30_000,
      announceIntervalMs: 60_000,
      maxQueueLength: 20,
      handleTimeSamples: 20,
      defaultHandleTimeMs: 600_000,
    }),
  })
  .strict();

const station = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes'),
    token: z.string().min(32, 'at least 32 characters'),
    /** The desk phone the SIP line rings for this station, e.g. sip:desk-1@192.168.10.21:5060. */
    deskPhone: z.string().regex(/^sips?:[^\s]+$/, 'a sip: or sips: URI').optional(),
    /** Shown on the supervisor's overview; the id when left out. */
    displayName: z.string().min(1).max(64).optional(),
    /** Supervisors listen along within their group. */
    group: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes').default('default'),
  })
  .strict();

const listenAddress = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535),
  })
  .strict();

/** Addresses or CIDR ranges (ipaddr.js syntax), e.g. 127.0.0.1, 10.0.0.0/8, ::1. */
const addressOrRange = z.string().regex(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/, 'an IP address or CIDR range');

const chat = z
  .object({
    /** The public chat page and WebSocket, behind the site's reverse proxy. */
    listen: listenAddress,
    /** Peers whose X-Forwarded-For is believed (the reverse proxy); any other peer is the client itself. */
    trustedProxies: z.array(addressOrRange).default([]),
    maxMessageChars: z.number().int().min(100).max(10_000).default(2000),
    messagesPerMinute: z.number().int().min(5).max(600).default(30),
    chatsPerMinutePerAddress: z.number().int().min(1).max(100).default(5),
    queueLimit: z.number().int().min(1).max(1000).default(50),
    /** A chatter silent this long in the queue or in a chat is ended (minutes). */
    idleMinutes: z.number().int().min(1).max(240).default(30),
  })
  .strict();

const mail = z
  .object({
    /** The SMTP listener the site's mail server forwards the helpline mailbox to. */
    smtp: z
      .object({
        listen: listenAddress,
        /** Name in the SMTP greeting. */
        hostname: z.string().min(1).default('helpline-gateway.local'),
        /** Hosts allowed to hand over mail (the site's mail server); empty: loopback only. */
        allowedClients: z.array(addressOrRange).default([]),
        /** Recipient addresses accepted, e.g. the helpline's mailbox; others get 550. */
        recipients: z.array(z.string().min(3)).min(1),
      })
      .strict(),
    /** The site's relay for confirmations and volunteers' answers. */
    relay: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(587),
        secure: z.boolean().default(false),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        from: z.string().min(3),
      })
      .strict(),
    maxMessageBytes: z.number().int().min(10_000).max(50_000_000).default(2_000_000),
    mailsPerHourPerSender: z.number().int().min(1).max(1000).default(10),
  })
  .strict();

export const configSchema = z
  .object({
    site: z
      .object({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes (it becomes an MQTT topic level)'),
        timeZone: z.string().refine(isTimeZone, 'not a time zone known to this system (e.g. Europe/Amsterdam)'),
        country: z.enum(['NL', 'BE']),
      })
      .strict(),
    dataDir: z.string().min(1),
    keyringDir: z.string().min(1).optional(),
    policy: z
      .object({
        preset: z.enum(Object.keys(policyPresets) as [PolicyPresetName, ...PolicyPresetName[]]),
        overrides: policyOverrides.default({}),
      })
      .strict(),
    categories: z
      .object({
        topics: categoryList,
        ageBands: categoryList,
        outcomes: categoryList,
      })
      .strict(),
    line: z.discriminatedUnion('kind', [modemLine, replayLine, simulatedLine, sipLine]),
    stations: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        desks: z.array(station).min(1).refine((items) => new Set(items.map((s) => s.id)).size === items.length, 'station ids must be unique'),
      })
      .strict(),
    upstream: z
      .object({
        url: z.string().regex(/^(mqtt|mqtts|ws|wss):\/\/[^\s]+$/, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
        clientId: z.string().min(1).optional(),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        /** The password in a file of its own (mode 0600), so the config holds no secret. */
        passwordFile: z.string().min(1).optional(),
        /** A private CA and a client certificate for an mqtts:// or wss:// broker; files read at start. */
        tls: z
          .object({
            caFile: z.string().min(1).optional(),
            certFile: z.string().min(1).optional(),
            keyFile: z.string().min(1).optional(),
            rejectUnauthorized: z.boolean().default(true),
            servername: z.string().min(1).optional(),
          })
          .strict()
          .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), { message: 'certFile and keyFile go together', path: ['keyFile'] })
          .optional(),
        /** Most payload bytes the outbox holds while the broker is out of reach; the oldest are dropped beyond it. */
        outboxMaxBytes: z.number().int().min(1024 * 1024, 'at least 1 MiB (1048576)').max(1024 * 1024 * 1024, 'at most 1 GiB').default(64 * 1024 * 1024),
        period: z.enum(['minute', 'hour', 'day', 'week', 'month']).default('day'),
        /** A period is closed this long after it ends, so wrap-ups still being typed are counted. */
        wrapUpGraceMinutes: z.number().int().min(0).max(24 * 60).default(60),
        /** Only for the demo: a low threshold makes messages appear within minutes. */
        demo: z.boolean().default(false),
      })
      .strict()
      .refine((upstream) => upstream.password === undefined || upstream.passwordFile === undefined, { message: 'password or passwordFile, not both', path: ['passwordFile'] })
      .refine((upstream) => upstream.tls === undefined || /^(mqtts|wss):/.test(upstream.url), { message: 'tls needs an mqtts:// or wss:// url', path: ['tls'] }),
    /** Disclosure control of the statistics beyond the threshold (docs/statistics.md). */
    statistics: z
      .object({
        /** Most registrations of one caller (per link month) counted in one period. */
        contributionCap: z.number().int().min(1).max(100).default(3),
        /** Least width of the range an attacker can narrow a small suppressed count to (docs/statistics.md). */
        protectionWidth: z.number().int().min(1).max(100).default(2),
        noise: z
          .object({
            epsilonPerPeriod: z.number().positive().max(100),
            yearlyBudget: z.number().positive().max(10_000),
          })
          .strict()
          .refine((noise) => noise.yearlyBudget >= noise.epsilonPerPeriod, 'yearlyBudget must be at least epsilonPerPeriod')
          .optional(),
      })
      .strict()
      .default({ contributionCap: 3, protectionWidth: 2 }),
    chat: chat.optional(),
    mail: mail.optional(),
    moderation: z
      .object({
        /**
         * When the Time Out / block lookup fails: put the call through anyway (fail-open, the
         * default: a child may be in danger) or refuse it (fail-closed). docs/moderation.md.
         */
        onLookupFailure: z.enum(['route', 'refuse']).default('route'),
      })
      .strict()
      .default({ onLookupFailure: 'route' }),
    research: z
      .object({
        /** Every class of a research data set holds at least k records (docs/research-export.md). */
        k: z.number().int().min(2).max(1000).default(5),
        /** … and at least l distinct topics (distinct l-diversity). */
        l: z.number().int().min(2).max(50).default(2),
        /** Generalize further rather than suppress more than this share of the records. */
        maxSuppressionPercent: z.number().min(0).max(50).default(5),
        includeOutcome: z.boolean().default(true),
      })
      .strict()
      .refine((research) => research.l <= research.k, { message: 'l cannot exceed k', path: ['l'] })
      .default({ k: 5, l: 2, maxSuppressionPercent: 5, includeOutcome: true }),
    /** Signed updates, A/B slots and the trial (docs/updates.md). */
    update: z
      .object({
        /** Holds slots/a, slots/b and the `current` symlink. */
        root: z.string().min(1).default('/opt/helpline-gateway'),
        /** state.json, the database backup of a trial, uploads being received. */
        stateDir: z.string().min(1).default('/var/lib/helpline-gateway/update'),
        /** The pinned release public keys (*.pub, one or two). */
        keysDir: z.string().min(1).default('/etc/helpline-gateway/update-keys'),
        /** Matched against a bundle's hardware list; without it, read from /proc/device-tree/model. */
        hardwareId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes').optional(),
        /** Starts a trial version gets to pass its health check before it is reverted. */
        maxStartAttempts: z.number().int().min(1).max(10).default(3),
        /** How long one start of a trial version may take to become healthy. */
        trialHealthDeadlineSeconds: z.number().int().min(10).max(3600).default(180),
        maxBundleBytes: z.number().int().min(1024 * 1024).max(4 * 1024 * 1024 * 1024).default(512 * 1024 * 1024),
        /** An upload with no bytes for this long is cut off. */
        uploadIdleSeconds: z.number().int().min(1).max(600).default(30),
      })
      .strict()
      .default({
        root: '/opt/helpline-gateway',
        stateDir: '/var/lib/helpline-gateway/update',
        keysDir: '/etc/helpline-gateway/update-keys',
        maxStartAttempts: 3,
        trialHealthDeadlineSeconds: 180,
        maxBundleBytes: 512 * 1024 * 1024,
        uploadIdleSeconds: 30,
      }),
    /** The front panel (docs/panel.md): a Firmata I/O board on USB serial, or the fake of the demo. */
    panel: z
      .object({
        kind: z.enum(['firmata', 'fake']).default('fake'),
        device: z.string().min(1).default('/dev/helpline-panel'),
        baudRate: z.number().int().positive().default(57600),
        tamper: z
          .object({
            /** Destroy the key-encryption key when the case is opened: a stolen box yields nothing, and a lid opened by mistake costs the keyring. */
            zeroize: z.boolean().default(false),
          })
          .strict()
          .default({ zeroize: false }),
      })
      .strict()
      .default({ kind: 'fake', device: '/dev/helpline-panel', baudRate: 57600, tamper: { zeroize: false } }),
    /** Free-space thresholds of the data directory (docs/health.md). */
    health: z
      .object({
        diskWarnMb: z.number().int().min(1).max(1_000_000).default(500),
        diskStopMb: z.number().int().min(1).max(1_000_000).default(100),
        diskCheckSeconds: z.number().int().min(5).max(3600).default(60),
      })
      .strict()
      .refine((health) => health.diskStopMb <= health.diskWarnMb, { message: 'diskStopMb cannot exceed diskWarnMb', path: ['diskStopMb'] })
      .default({ diskWarnMb: 500, diskStopMb: 100, diskCheckSeconds: 60 }),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
