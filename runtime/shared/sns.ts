/** SNS helpers shared by the failover notifications and the alert relay. */

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** The region of an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); undefined if it is not one. */
export function snsTopicRegion(topicArn: string): string | undefined {
  return SNS_TOPIC_ARN.exec(topicArn)?.[1];
}

/** SNS subjects: at most 100 printable ASCII characters, no line breaks. */
export function snsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7E]/g, '?');
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}
