//! Preferred channels, reachability, local time and outbound routing.
//!
//! Preference is read from the customer's own behaviour: every inbound message counts for its
//! channel, weighted by recency (half-life [`PreferenceConfig::half_life_days`]) and by what
//! it was: starting a conversation counts most, answering us counts by how fast, anything else
//! a little. Reachability comes from delivery statuses (a failed SMS or a bounced email marks
//! the address until something reaches it again) and from push subscriptions left unused.
//! [`route`] then picks the channel for an outbound message: channels the customer can be
//! reached on, that consent allows for the purpose, that are not stale or failed, ranked by
//! preference and cost, with channels in the customer's quiet hours moved behind the others
//! and given the time they may be sent.

use super::config::{parse_offset, EngineConfig, PreferenceConfig};
use super::consent::{ChannelConsent, Purpose};
use crate::message::{Channel, DeliveryStatus, Direction, Identifier, IdentifierKind, Message};
use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How much a customer uses one channel, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelPreference {
    /// The channel.
    pub channel: Channel,
    /// Recency-weighted score; `share` is its part of all channels' scores.
    pub score: f64,
    /// This channel's part of the customer's total (0 to 1).
    pub share: f64,
    /// Conversations the customer started here.
    pub started: usize,
    /// Times the customer answered us here.
    pub replies: usize,
    /// Median seconds the customer took to answer here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_reply_secs: Option<i64>,
    /// Inbound messages here.
    pub inbound: usize,
    /// The customer's last message here.
    pub last_inbound: DateTime<Utc>,
    /// The reason in words.
    pub reason: String,
}

/// Whether an address can be reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reachability {
    /// The channel.
    pub channel: Channel,
    /// The address.
    pub address: Identifier,
    /// `reachable`, `failed` (the last delivery failed) or `stale` (a push subscription
    /// unused too long).
    pub status: String,
    /// Since when, for failed and stale.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::message::optional_timestamp"
    )]
    pub since: Option<DateTime<Utc>>,
    /// Why, in words.
    pub reason: String,
}

/// Where and what time it is for a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalTime {
    /// Seconds east of UTC.
    pub offset_secs: i32,
    /// The offset as `+05:00`.
    pub offset: String,
    /// Where it comes from: `explicit`, `phone_region:KZ`, `default_region:RU`.
    pub source: String,
}

/// One channel in a route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteOption {
    /// The channel.
    pub channel: Channel,
    /// The address to send to.
    pub address: Identifier,
    /// Cost of one message, in the configured currency.
    pub cost: f64,
    /// The ranking score (higher first).
    pub score: f64,
    /// When it may be sent: `now`, or the end of the customer's quiet hours.
    pub send_at: DateTime<Utc>,
    /// Why it is here, in words.
    pub reason: String,
}

/// A channel that was left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// The channel.
    pub channel: Channel,
    /// Why (`consent: opted out ...`, `unreachable: ...`, `no address`).
    pub reason: String,
}

/// Where to send an outbound message: the best channel, the fallbacks in order, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// The customer.
    pub customer_id: String,
    /// The purpose.
    pub purpose: Purpose,
    /// The best channel, if any channel is allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best: Option<RouteOption>,
    /// The other allowed channels, in order.
    pub fallbacks: Vec<RouteOption>,
    /// Channels left out.
    pub excluded: Vec<Excluded>,
    /// The customer's local time at `now`.
    pub local_time: String,
    /// Where the time zone comes from.
    pub time_zone: LocalTime,
    /// The decision in words.
    pub reason: String,
}

/// Built-in UTC offsets by phone region, where a region has one civil time or a main one
/// (Russia: Moscow time). No daylight saving: regions that change clocks get their winter
/// offset.
const REGION_OFFSETS: &[(&str, i32)] = &[
    ("RU", 3),
    ("BY", 3),
    ("KZ", 5),
    ("UA", 2),
    ("UZ", 5),
    ("KG", 6),
    ("TJ", 5),
    ("TM", 5),
    ("AM", 4),
    ("GE", 4),
    ("AZ", 4),
    ("MD", 2),
    ("LV", 2),
    ("LT", 2),
    ("EE", 2),
    ("FI", 2),
    ("GB", 0),
    ("GG", 0),
    ("JE", 0),
    ("IM", 0),
    ("IE", 0),
    ("PT", 0),
    ("DE", 1),
    ("FR", 1),
    ("IT", 1),
    ("ES", 1),
    ("NL", 1),
    ("PL", 1),
    ("CZ", 1),
    ("AT", 1),
    ("CH", 1),
    ("SE", 1),
    ("NO", 1),
    ("DK", 1),
    ("TR", 3),
    ("IL", 2),
    ("AE", 4),
    ("CN", 8),
    ("IN", 5),
    ("JP", 9),
    ("KR", 9),
    ("TH", 7),
    ("VN", 7),
    ("US", -5),
    ("CA", -5),
    ("BR", -3),
    ("MX", -6),
    ("AU", 10),
    ("EG", 2),
    ("SA", 3),
];

/// The offset of a phone region, from the config or the built-in table.
pub(crate) fn region_offset(config: &EngineConfig, region: &str) -> Option<i32> {
    if let Some(o) = config
        .region_offsets
        .get(region)
        .and_then(|o| parse_offset(o))
    {
        return Some(o);
    }
    REGION_OFFSETS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|&(_, h)| h * 3600)
}

/// The customer's time zone: an explicit offset, else their first phone's region, else the
/// default region.
pub(crate) fn local_time(
    config: &EngineConfig,
    explicit: Option<i32>,
    phone_regions: &[String],
) -> LocalTime {
    let make = |secs: i32, source: String| LocalTime {
        offset_secs: secs,
        offset: format_offset(secs),
        source,
    };
    if let Some(s) = explicit {
        return make(s, "explicit".into());
    }
    for r in phone_regions {
        if let Some(s) = region_offset(config, r) {
            return make(s, format!("phone_region:{r}"));
        }
    }
    let r = &config.default_region;
    make(
        region_offset(config, r).unwrap_or(0),
        format!("default_region:{r}"),
    )
}

fn format_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// Channel preferences from a customer's messages sorted by time, with each message's
/// conversation id; strongest first.
pub(crate) fn preferences(
    config: &PreferenceConfig,
    messages: &[(&Message, &str)],
    reference: DateTime<Utc>,
) -> Vec<ChannelPreference> {
    struct Acc {
        score: f64,
        started: usize,
        replies: usize,
        reply_secs: Vec<i64>,
        inbound: usize,
        last: DateTime<Utc>,
    }
    let mut acc: BTreeMap<Channel, Acc> = BTreeMap::new();
    // Per conversation: the last message's direction and time.
    let mut last_in_conv: BTreeMap<&str, (Direction, DateTime<Utc>)> = BTreeMap::new();
    for &(m, conv) in messages {
        let prev = last_in_conv.insert(conv, (m.direction, m.timestamp));
        if m.direction != Direction::Inbound {
            continue;
        }
        let age_days = (reference - m.timestamp).num_seconds().max(0) as f64 / 86_400.0;
        let recency = 0.5f64.powf(age_days / config.half_life_days);
        let a = acc.entry(m.channel.clone()).or_insert(Acc {
            score: 0.0,
            started: 0,
            replies: 0,
            reply_secs: Vec::new(),
            inbound: 0,
            last: m.timestamp,
        });
        a.inbound += 1;
        a.last = a.last.max(m.timestamp);
        let w = match prev {
            None if conv == m.id => {
                a.started += 1;
                config.start_weight
            }
            Some((Direction::Outbound, at)) => {
                let secs = (m.timestamp - at).num_seconds().max(0);
                a.replies += 1;
                a.reply_secs.push(secs);
                let speed = if secs <= config.fast_reply_secs {
                    1.5
                } else if secs <= 86_400 {
                    1.0
                } else {
                    0.5
                };
                config.reply_weight * speed
            }
            _ => config.other_weight,
        };
        a.score += w * recency;
    }
    let total: f64 = acc.values().map(|a| a.score).sum();
    let mut out: Vec<ChannelPreference> = acc
        .into_iter()
        .map(|(channel, mut a)| {
            a.reply_secs.sort_unstable();
            let median = (!a.reply_secs.is_empty()).then(|| a.reply_secs[a.reply_secs.len() / 2]);
            let share = if total > 0.0 { a.score / total } else { 0.0 };
            let mut reason = format!(
                "{} inbound, started {} conversation(s), answered {} time(s)",
                a.inbound, a.started, a.replies
            );
            if let Some(s) = median {
                reason.push_str(&format!(", median answer {}", human_secs(s)));
            }
            reason.push_str(&format!(", last {}", a.last.format("%Y-%m-%d")));
            ChannelPreference {
                channel,
                score: (a.score * 1000.0).round() / 1000.0,
                share: (share * 1000.0).round() / 1000.0,
                started: a.started,
                replies: a.replies,
                median_reply_secs: median,
                inbound: a.inbound,
                last_inbound: a.last,
                reason,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.last_inbound.cmp(&a.last_inbound))
            .then(a.channel.cmp(&b.channel))
    });
    out
}

pub(crate) fn human_secs(s: i64) -> String {
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else if s < 2 * 86_400 {
        format!("{} h", s / 3600)
    } else {
        format!("{} days", s / 86_400)
    }
}

/// The addresses a customer can be sent to on each channel, with reachability at `now`:
/// identities (normalised identifiers from every record) matched to what each sending
/// channel knows a customer by. Messenger channels need the customer to have used them
/// (an identifier of the messenger's own kind, or a message there); voice, SMS and email need
/// only the phone or email.
pub(crate) fn reachability(
    config: &EngineConfig,
    identities: &[Identifier],
    messages: &[&Message],
    now: DateTime<Utc>,
) -> Vec<Reachability> {
    let mut out = Vec::new();
    let used: std::collections::BTreeSet<&Channel> = messages.iter().map(|m| &m.channel).collect();
    for channel in Channel::NAMED {
        let p = channel.properties();
        if !p.can_send || matches!(channel, Channel::LiveChat | Channel::Chatbot) {
            continue;
        }
        let open = matches!(channel, Channel::Voice | Channel::Sms | Channel::Email);
        let own_kind = p.identifiers.first().copied();
        let mut addresses: Vec<&Identifier> = Vec::new();
        for (i, kind) in p.identifiers.iter().enumerate() {
            let allowed = open || i == 0 || used.contains(channel) || Some(*kind) == own_kind;
            if !allowed {
                continue;
            }
            addresses.extend(identities.iter().filter(|id| id.kind == *kind));
        }
        if addresses.is_empty() {
            continue;
        }
        for address in addresses {
            out.push(reach_of(config, channel, address, messages, now));
        }
    }
    out
}

fn reach_of(
    config: &EngineConfig,
    channel: &Channel,
    address: &Identifier,
    messages: &[&Message],
    now: DateTime<Utc>,
) -> Reachability {
    let concerns = |m: &Message| {
        &m.channel == channel && m.customer().identifiers.iter().any(|i| i == address)
    };
    let mut failed: Option<DateTime<Utc>> = None;
    let mut last_ok: Option<DateTime<Utc>> = None;
    for m in messages.iter().filter(|m| concerns(m)) {
        let ok = match (m.direction, m.status) {
            (Direction::Inbound, _) => true,
            (Direction::Outbound, Some(DeliveryStatus::Failed)) => {
                if last_ok.map_or(true, |t| t <= m.timestamp)
                    && failed.map_or(true, |f| f < m.timestamp)
                {
                    failed = Some(m.timestamp);
                }
                false
            }
            (Direction::Outbound, Some(DeliveryStatus::Delivered | DeliveryStatus::Read)) => true,
            _ => false,
        };
        if ok {
            last_ok = Some(last_ok.map_or(m.timestamp, |t| t.max(m.timestamp)));
        }
    }
    if let Some(f) = failed {
        if last_ok.map_or(true, |t| t <= f) {
            return Reachability {
                channel: channel.clone(),
                address: address.clone(),
                status: "failed".into(),
                since: Some(f),
                reason: format!(
                    "the last {} delivery to it failed ({})",
                    channel.name(),
                    f.format("%Y-%m-%d")
                ),
            };
        }
    }
    let stale_days = match address.kind {
        IdentifierKind::WebPush => Some(config.reachability.web_push_stale_days),
        IdentifierKind::AppPush => Some(config.reachability.app_push_stale_days),
        _ => None,
    };
    if let Some(days) = stale_days {
        let last = last_ok.or_else(|| {
            messages
                .iter()
                .filter(|m| m.customer().identifiers.contains(address))
                .map(|m| m.timestamp)
                .max()
        });
        if last.map_or(true, |t| now - t > Duration::days(days)) {
            return Reachability {
                channel: channel.clone(),
                address: address.clone(),
                status: "stale".into(),
                since: last.map(|t| t + Duration::days(days)),
                reason: format!("subscription unused for more than {days} days"),
            };
        }
    }
    Reachability {
        channel: channel.clone(),
        address: address.clone(),
        status: "reachable".into(),
        since: None,
        reason: match last_ok {
            Some(t) => format!("last reached {}", t.format("%Y-%m-%d")),
            None => "no delivery failure recorded".into(),
        },
    }
}

/// Whether `local` is in quiet hours, and if so when they end (UTC).
fn quiet_until(
    config: &EngineConfig,
    now: DateTime<Utc>,
    tz: &FixedOffset,
) -> Option<DateTime<Utc>> {
    let q = &config.quiet_hours;
    if q.start_hour == q.end_hour {
        return None;
    }
    let local = now.with_timezone(tz);
    let h = local.hour() as u8;
    let quiet = if q.start_hour > q.end_hour {
        h >= q.start_hour || h < q.end_hour
    } else {
        h >= q.start_hour && h < q.end_hour
    };
    if !quiet {
        return None;
    }
    let mut end = local
        .with_hour(u32::from(q.end_hour))?
        .with_minute(0)?
        .with_second(0)?
        .with_nanosecond(0)?;
    if end <= local {
        end += Duration::days(1);
    }
    Some(end.with_timezone(&Utc))
}

/// Ranks the channels for an outbound message.
#[allow(clippy::too_many_arguments)]
pub(crate) fn route(
    config: &EngineConfig,
    customer_id: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
    prefs: &[ChannelPreference],
    reach: &[Reachability],
    consent: &[ChannelConsent],
    tz: LocalTime,
) -> Route {
    let offset = FixedOffset::east_opt(tz.offset_secs)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    let quiet_end = quiet_until(config, now, &offset);
    let max_cost = reach
        .iter()
        .map(|r| config.cost_of(&r.channel))
        .fold(0.0f64, f64::max)
        .max(0.01);
    let mut options: Vec<RouteOption> = Vec::new();
    let mut excluded: Vec<Excluded> = Vec::new();
    let mut seen: Vec<&Channel> = Vec::new();
    for r in reach {
        if seen.contains(&&r.channel) && options.iter().any(|o| o.channel == r.channel) {
            continue;
        }
        let c = consent
            .iter()
            .find(|c| c.channel == r.channel && c.purpose == purpose);
        if let Some(c) = c.filter(|c| !c.status.allows()) {
            if !seen.contains(&&r.channel) {
                excluded.push(Excluded {
                    channel: r.channel.clone(),
                    reason: format!("consent: {}", c.reason),
                });
                seen.push(&r.channel);
            }
            continue;
        }
        if r.status != "reachable" {
            excluded.push(Excluded {
                channel: r.channel.clone(),
                reason: format!("{} {}: {}", r.status, r.address, r.reason),
            });
            continue;
        }
        seen.push(&r.channel);
        let pref = prefs.iter().find(|p| p.channel == r.channel);
        let share = pref.map_or(0.0, |p| p.share);
        let cost = config.cost_of(&r.channel);
        let mut score = share - config.preference.cost_weight * cost / max_cost;
        let quiet = quiet_end.filter(|_| config.quiet_hours.channels.contains(&r.channel));
        if quiet.is_some() {
            score -= 1.0;
        }
        let mut reason = match pref {
            Some(p) => format!("preference {:.0}% ({})", p.share * 100.0, p.reason),
            None => "not used by the customer yet".to_string(),
        };
        reason.push_str(&format!("; cost {cost} {}", config.currency));
        if let Some(c) = c {
            reason.push_str(&format!("; consent {}", c.status.name()));
        }
        if let Some(t) = quiet {
            reason.push_str(&format!(
                "; quiet hours until {} local",
                t.with_timezone(&offset).format("%H:%M")
            ));
        }
        options.push(RouteOption {
            channel: r.channel.clone(),
            address: r.address.clone(),
            cost,
            score: (score * 1000.0).round() / 1000.0,
            send_at: quiet.unwrap_or(now),
            reason,
        });
    }
    options.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.cost.total_cmp(&b.cost))
            .then(a.channel.cmp(&b.channel))
    });
    let local_time = now
        .with_timezone(&offset)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let mut it = options.into_iter();
    let best = it.next();
    let fallbacks: Vec<RouteOption> = it.collect();
    let reason = match &best {
        Some(b) if b.send_at > now => format!(
            "every allowed channel is in quiet hours ({local_time} local); {} at {} UTC: {}",
            b.channel,
            b.send_at.format("%H:%M"),
            b.reason
        ),
        Some(b) => format!("{} to {}: {}", b.channel, b.address.value, b.reason),
        None if excluded.is_empty() => "no channel to reach this customer on".to_string(),
        None => format!(
            "no allowed channel: {}",
            excluded
                .iter()
                .map(|e| format!("{} ({})", e.channel, e.reason))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    Route {
        customer_id: customer_id.to_string(),
        purpose,
        best,
        fallbacks,
        excluded,
        local_time,
        time_zone: tz,
        reason,
    }
}
