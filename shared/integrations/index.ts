/** Chat and pager integrations fed from the paging topic: AWS Chatbot and PagerDuty. */
export * from './chatbot';
export * from './forward';
export * from './https-post';
export * from './message';
export * from './pagerduty';
export * from './routing-key';
