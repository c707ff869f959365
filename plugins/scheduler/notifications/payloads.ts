/**
 * What a notification looks like on each service: Slack (blocks, with an attachment for the colour
 * and fields), Microsoft Teams (a MessageCard), Discord (an embed).
 */
export type Severity = 'info' | 'success' | 'warning' | 'error';

export interface Notice {
  /** What happened: run_failed, run_refused, job_dead, test. */
  type: string;
  team: string;
  title: string;
  message: string;
  severity: Severity;
  fields?: Record<string, string>;
  /** ISO time. */
  at: string;
}

export type ChannelName = 'slack' | 'teams' | 'discord';

export interface SlackChannel {
  webhookUrl: string;
  channel?: string;
  username?: string;
  iconEmoji?: string;
}

export interface Channels {
  slack?: SlackChannel;
  teams?: { webhookUrl: string };
  discord?: { webhookUrl: string };
}

const COLOURS: Record<Severity, string> = {
  info: '#439FE0',
  success: '#2EB67D',
  warning: '#ECB22E',
  error: '#E01E5A',
};

const fieldList = (notice: Notice) => Object.entries(notice.fields ?? {});

export function slackPayload(notice: Notice, channel: SlackChannel): Record<string, unknown> {
  return {
    text: `${notice.title}: ${notice.message}`,
    ...(channel.channel ? { channel: channel.channel } : {}),
    ...(channel.username ? { username: channel.username } : {}),
    ...(channel.iconEmoji ? { icon_emoji: channel.iconEmoji } : {}),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: notice.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: notice.message.slice(0, 3000) } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `team *${notice.team}* · ${notice.type} · ${notice.at}` }],
      },
    ],
    attachments: [
      {
        color: COLOURS[notice.severity],
        fields: fieldList(notice).map(([title, value]) => ({ title, value, short: true })),
      },
    ],
  };
}

export function teamsPayload(notice: Notice): Record<string, unknown> {
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: notice.title,
    themeColor: COLOURS[notice.severity].slice(1),
    title: notice.title,
    text: notice.message,
    sections: [
      {
        activityTitle: `team ${notice.team}`,
        activitySubtitle: notice.at,
        facts: [{ name: 'event', value: notice.type }, ...fieldList(notice).map(([name, value]) => ({ name, value }))],
      },
    ],
  };
}

export function discordPayload(notice: Notice): Record<string, unknown> {
  return {
    embeds: [
      {
        title: notice.title.slice(0, 256),
        description: notice.message.slice(0, 4096),
        color: parseInt(COLOURS[notice.severity].slice(1), 16),
        timestamp: notice.at,
        footer: { text: `team ${notice.team} · ${notice.type}` },
        fields: fieldList(notice).map(([name, value]) => ({ name, value, inline: true })),
      },
    ],
    // Mentions in a run's text (a schedule name, an error) must not ping anyone.
    allowed_mentions: { parse: [] },
  };
}

export function payloadFor(name: ChannelName, notice: Notice, channels: Channels): Record<string, unknown> {
  if (name === 'slack') return slackPayload(notice, channels.slack!);
  if (name === 'teams') return teamsPayload(notice);
  return discordPayload(notice);
}
