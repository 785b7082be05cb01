export { ChatDesk, type ChatDeskOptions, type ChatIntake, type ChatLimits, type Chatter, type ChatterSession } from './chat-desk.js';
export { ChatServer, type ChatServerOptions } from './chat-server.js';
export { ChatTranscripts, type ChatTranscriptsOptions, type TranscriptLine } from './chat-transcripts.js';
export type { CallerFrame, ChatterFrame, ChatEndReason, RefusalReason } from './chat-protocol.js';
