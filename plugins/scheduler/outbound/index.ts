export { OutboundSender } from './outbound-sender.js';
export type { OutboundOptions, SendInput, SendResult, WebhookJobPayload } from './outbound-sender.js';
export { outboundErrors } from './errors.js';
export { signBody, verifyFleetSignature } from './signature.js';
